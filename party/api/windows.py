"""The windows' API: service items, windows and who is on duty there, the duty roster, the
social workers, and the services handled at the windows."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from party import selectors
from party.api.common import RESIDENT_KINDS, TAGS, WRITE_ERRORS, day_param, int_param
from party.models import DutyShift, ServiceItem, ServiceOutcome
from party.services.windows import window_service_record
from residents.models import Resident


class PartyServiceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "category", "department"]


@extend_schema_view(list=extend_schema(tags=TAGS))
class ServiceItemViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartyServiceItemSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.item_list()


class PartyWindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    node = serializers.IntegerField(source="node_id")
    place = serializers.CharField()


class PartyOnDutySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    grid_name = serializers.CharField(source="grid.name")


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyWindowSerializer, 404: ErrorSerializer}),
)
class WindowViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyWindowSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.window_list(user=self.request.user)

    def get_object(self):
        return selectors.window_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("at", OpenApiTypes.DATETIME, description="ISO date-time (default: now)"),
            OpenApiParameter("item", int),
        ],
        responses={200: PartyOnDutySerializer(many=True), 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], url_path="on-duty")
    def on_duty(self, request, pk=None):
        """Who is on duty at this window at a time, and (with `item`) may serve that item."""
        window = self.get_object()
        at = timezone.now()
        if request.query_params.get("at"):
            field = serializers.DateTimeField()
            try:
                at = field.to_internal_value(request.query_params["at"])
            except serializers.ValidationError:
                raise InvalidInput.field("at", _("Enter a date and time.")) from None
        item_id = int_param(request, "item")
        item = get_object_or_404(ServiceItem, pk=item_id) if item_id else None
        return Response(
            PartyOnDutySerializer(selectors.on_duty(window=window, at=at, item=item), many=True).data
        )


class PartyShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker = serializers.IntegerField(source="worker_id")
    worker_name = serializers.CharField(source="worker.user.display_name")
    kind = serializers.CharField()
    window = serializers.IntegerField(source="window_id", allow_null=True)
    node = serializers.IntegerField(source="node_id")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, description="YYYY-MM-DD (default: today)")],
    )
)
class ShiftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The duty roster of a day (window duty and grid duty) in the caller's scope."""

    serializer_class = PartyShiftSerializer
    pagination_class = None
    queryset = DutyShift.objects.none()

    def get_queryset(self):
        return selectors.roster(user=self.request.user, day=day_param(self.request))


class PartySocialWorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    grid = serializers.IntegerField(source="grid_id")
    item_count = serializers.IntegerField()


@extend_schema_view(list=extend_schema(tags=TAGS))
class SocialWorkerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartySocialWorkerSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.socialworker_list(user=self.request.user)


class PartyWindowServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    window = serializers.IntegerField(source="window_id")
    item = serializers.IntegerField(source="item_id")
    resident = serializers.IntegerField(source="resident_id", required=False, allow_null=True)
    visitor_name = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    worker = serializers.IntegerField(source="worker_id", read_only=True)
    served_at = serializers.DateTimeField(required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=600)
    outcome = serializers.ChoiceField(
        choices=ServiceOutcome.choices, required=False, default=ServiceOutcome.DONE
    )
    notes = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request=PartyWindowServiceSerializer,
        responses={201: PartyWindowServiceSerializer, **WRITE_ERRORS},
    ),
)
class WindowServiceViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Services handled at the windows; the social worker on duty records them."""

    serializer_class = PartyWindowServiceSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.window_service_list(user=self.request.user).order_by("-id")

    def create(self, request):
        data = PartyWindowServiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        window = selectors.window_list(user=request.user).filter(pk=v["window_id"]).first()
        if window is None:
            raise InvalidInput.field("window", _("Unknown window."))
        item = ServiceItem.objects.filter(pk=v["item_id"]).first()
        if item is None:
            raise InvalidInput.field("item", _("Unknown service item."))
        resident = None
        if v.get("resident_id"):
            resident = (
                access.scope_queryset(
                    request.user, Resident.objects, node_path="household__grid", post_kinds=RESIDENT_KINDS
                )
                .filter(pk=v["resident_id"])
                .first()
            )
            if resident is None:
                raise InvalidInput.field("resident", _("Unknown resident."))
        service = window_service_record(
            actor=request.user,
            window=window,
            item=item,
            resident=resident,
            served_at=v.get("served_at"),
            minutes=v["minutes"],
            visitor_name=v.get("visitor_name", ""),
            outcome=v.get("outcome", ServiceOutcome.DONE),
            notes=v.get("notes", ""),
        )
        return Response(PartyWindowServiceSerializer(service).data, status=status.HTTP_201_CREATED)
