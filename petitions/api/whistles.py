"""街区吹哨 · 部门报到 over the API: whistles of the caller's streets (or that summoned the
caller's department) and each department's check-in and action report."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.models import Department, GridNode
from petitions import selectors, services
from petitions.api.common import E400, E403, E404, E409, GridRefSerializer, _valid


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    due_at = serializers.DateTimeField()
    light = serializers.SerializerMethodField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    report = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)

    def get_light(self, checkin) -> str:
        return getattr(checkin, "current_light", None) if checkin.checked_in_at is None else checkin.light


class WhistleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    street = GridRefSerializer()
    petition = serializers.CharField(source="petition.tracking_code", default=None, allow_null=True)
    blown_by = serializers.CharField(source="blown_by.display_name")
    blown_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    status = serializers.CharField()
    checkins = CheckInSerializer(many=True)


class WhistleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True
    )
    checkin_hours = serializers.IntegerField(min_value=1, max_value=24 * 14, default=24)
    petition = serializers.IntegerField(required=False, allow_null=True)
    street = serializers.IntegerField(required=False, allow_null=True)


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()


@extend_schema_view(
    list=extend_schema(tags=["whistles"]),
    retrieve=extend_schema(responses={200: WhistleSerializer, 404: E404}, tags=["whistles"]),
)
class WhistleViewSet(viewsets.ReadOnlyModelViewSet):
    """街区吹哨: whistles of the caller's streets, or that summoned the caller's department."""

    serializer_class = WhistleSerializer

    def get_queryset(self):
        return selectors.whistle_list(user=self.request.user).order_by("-id")

    def get_object(self):
        return selectors.whistle_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=WhistleCreateSerializer,
        responses={201: WhistleSerializer, 400: E400, 403: E403, 404: E404, 409: E409},
        tags=["whistles"],
    )
    def create(self, request):
        data = _valid(WhistleCreateSerializer, request)
        petition = None
        if data.get("petition"):
            petition = selectors.petition_get(user=request.user, pk=data["petition"])
        street = None
        if data.get("street"):
            street = get_object_or_404(GridNode, pk=data["street"])
        whistle = services.whistle_blow(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            departments=list(data["departments"]),
            checkin_hours=data["checkin_hours"],
            petition=petition,
            street=street,
        )
        return Response(
            WhistleSerializer(selectors.whistle_get(user=request.user, pk=whistle.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None, responses={200: WhistleSerializer, 403: E403, 404: E404, 409: E409}, tags=["whistles"]
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        whistle = self.get_object()
        services.whistle_close(actor=request.user, whistle=whistle)
        return Response(WhistleSerializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(tags=["whistles"]),
    retrieve=extend_schema(responses={200: CheckInSerializer, 404: E404}, tags=["whistles"]),
)
class CheckInViewSet(viewsets.ReadOnlyModelViewSet):
    """部门报到: each summoned department checks in before its deadline, then reports its action."""

    serializer_class = CheckInSerializer

    def get_queryset(self):
        return selectors.checkin_scope(user=self.request.user).order_by("-id")

    @extend_schema(request=None, responses={200: CheckInSerializer, 404: E404, 409: E409}, tags=["whistles"])
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        checkin = services.checkin_record(actor=request.user, checkin=self.get_object())
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)

    @extend_schema(
        request=ReportSerializer,
        responses={200: CheckInSerializer, 400: E400, 404: E404, 409: E409},
        tags=["whistles"],
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        data = _valid(ReportSerializer, request)
        checkin = services.checkin_report(
            actor=request.user, checkin=self.get_object(), report=data["report"]
        )
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)
