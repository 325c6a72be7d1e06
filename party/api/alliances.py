"""The alliances' API: alliances and their member units, in-service Party members (who report to
their grid and have their services recorded), joint projects with their reports and statuses."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.models import GridNode, NodeKind
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.pagination import DefaultCursorPagination
from party import selectors
from party.api.common import TAGS, WRITE_ERRORS, ByName, choices_text, int_param, visible
from party.models import InServiceMember, JointProject, MemberUnit, ProjectStatus, UnitKind
from party.services.alliances import (
    inservice_member_report,
    inservice_service_record,
    project_create,
    project_report,
    project_set_status,
)


class PartyAllianceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    lead = serializers.IntegerField(source="lead_id")
    lead_name = serializers.CharField(source="lead.name")
    node = serializers.IntegerField(source="node_id")
    founded_on = serializers.DateField(allow_null=True)
    unit_count = serializers.IntegerField()
    member_count = serializers.IntegerField()
    project_count = serializers.IntegerField()
    budget_total = serializers.DecimalField(max_digits=16, decimal_places=2)


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyAllianceSerializer, 404: ErrorSerializer}),
)
class AllianceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyAllianceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.alliance_list(user=self.request.user)

    def get_object(self):
        return selectors.alliance_get(user=self.request.user, pk=self.kwargs["pk"])


class PartyUnitSerializer(serializers.ModelSerializer):
    kind = choices_text(UnitKind, read_only=True)
    grids = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = MemberUnit
        fields = ["id", "name", "kind", "alliance", "grids", "contact_name", "member_count"]


@extend_schema_view(list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("alliance", int)]))
class UnitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartyUnitSerializer
    pagination_class = ByName

    def get_queryset(self):
        return selectors.unit_list(user=self.request.user, alliance_id=int_param(self.request, "alliance"))


class PartyInServiceSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True, allow_null=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    hours_served = serializers.DecimalField(max_digits=10, decimal_places=1, read_only=True)

    class Meta:
        model = InServiceMember
        fields = [
            "id",
            "name",
            "phone",
            "unit",
            "unit_name",
            "grid",
            "grid_name",
            "reported_at",
            "hours_served",
        ]


class PartyReportToGridSerializer(serializers.Serializer):
    grid = serializers.IntegerField()


class PartyServiceRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    served_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    description = serializers.CharField(max_length=200)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("grid", int)]),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyInServiceSerializer, 404: ErrorSerializer}),
)
class InServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """In-service Party members who reported to grids of the caller's scope."""

    serializer_class = PartyInServiceSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.inservice_list(
            user=self.request.user, grid_id=int_param(self.request, "grid")
        ).order_by("-id")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        tags=TAGS,
        request=PartyReportToGridSerializer,
        responses={200: PartyInServiceSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="me/report")
    def report(self, request):
        """The caller (an in-service member with an account) reports to the grid where they live."""
        member = InServiceMember.objects.filter(user=request.user).first()
        if member is None:
            raise NotFound(_("You are not registered as an in-service Party member."))
        data = PartyReportToGridSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grid = GridNode.objects.filter(pk=data.validated_data["grid"], kind=NodeKind.GRID).first()
        if grid is None:
            raise InvalidInput.field("grid", _("Unknown grid."))
        member = inservice_member_report(actor=request.user, member=member, grid=grid)
        member.hours_served = sum(r.hours for r in member.records.all())
        return Response(PartyInServiceSerializer(member).data)

    @extend_schema(
        tags=TAGS,
        request=PartyServiceRecordSerializer,
        responses={201: PartyServiceRecordSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def records(self, request, pk=None):
        """Record a service the member gave in their grid."""
        member = self.get_object()
        data = PartyServiceRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = inservice_service_record(actor=request.user, member=member, **data.validated_data)
        return Response(PartyServiceRecordSerializer(record).data, status=status.HTTP_201_CREATED)


class PartyProjectSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=" | ".join(ProjectStatus.values))
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    grids = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = JointProject
        fields = [
            "id", "name", "alliance", "alliance_name", "description", "units", "grids", "budget", "status",
            "progress", "starts_on", "ends_on",
        ]  # fmt: skip


class PartyProjectReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, default=0)
    text = serializers.CharField()
    reported_at = serializers.DateTimeField(read_only=True)
    author = serializers.CharField(source="author.display_name", read_only=True, allow_null=True)


class PartyProjectDetailSerializer(PartyProjectSerializer):
    reports = PartyProjectReportSerializer(many=True, read_only=True)

    class Meta(PartyProjectSerializer.Meta):
        fields = [*PartyProjectSerializer.Meta.fields, "reports"]


class PartyProjectStatusSerializer(serializers.Serializer):
    status = choices_text(ProjectStatus)


class PartyProjectCreateSerializer(serializers.Serializer):
    alliance = serializers.IntegerField()
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2)
    units = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    grids = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("alliance", int), OpenApiParameter("status", enum=ProjectStatus.values)],
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyProjectDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=PartyProjectCreateSerializer,
        responses={201: PartyProjectSerializer, **WRITE_ERRORS},
    ),
)
class ProjectViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyProjectSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        status_ = self.request.query_params.get("status")
        if status_ and status_ not in ProjectStatus.values:
            raise InvalidInput.field("status", _("Unknown status."))
        return selectors.project_list(
            user=self.request.user, alliance_id=int_param(self.request, "alliance"), status=status_
        ).order_by("-id")

    def get_object(self):
        return selectors.project_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PartyProjectDetailSerializer if self.action == "retrieve" else PartyProjectSerializer

    def create(self, request):
        data = PartyProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = dict(data.validated_data), request.user
        alliance = selectors.alliance_list(user=user).filter(pk=v.pop("alliance")).first()
        if alliance is None:
            raise InvalidInput.field("alliance", _("Unknown or outside your scope."))
        v["units"] = visible(
            user, MemberUnit.objects, v.get("units"), node_path="alliance__node", field="units"
        )
        v["grids"] = visible(user, GridNode.objects, v.get("grids"), node_path="", field="grids")
        project = project_create(actor=user, alliance=alliance, **v)
        return Response(
            PartyProjectSerializer(selectors.project_get(user=user, pk=project.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=TAGS,
        request=PartyProjectReportSerializer,
        responses={201: PartyProjectReportSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reports(self, request, pk=None):
        data = PartyProjectReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = project_report(actor=request.user, project=self.get_object(), **data.validated_data)
        return Response(PartyProjectReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=PartyProjectStatusSerializer,
        responses={200: PartyProjectSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = PartyProjectStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = project_set_status(
            actor=request.user, project=self.get_object(), status=data.validated_data["status"]
        )
        return Response(PartyProjectSerializer(selectors.project_get(user=request.user, pk=project.pk)).data)
