"""REST API for residents: places, residents (masked), key memberships and visits.

Every queryset comes from residents.selectors (scoped: out of scope answers 404); lists use
cursor pagination and django-filter filters. Unmasked values only come from the audited
`POST /api/v1/residents/<id>/reveal/`, which writes one access-log row per call.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.access import get_scoped_or_404
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer
from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from residents import idcard, lights, selectors, services
from residents.models import (
    Building,
    Household,
    KeyGroup,
    KeyMembership,
    Light,
    Resident,
    Unit,
    Visit,
    VisitKind,
)

TAG = ["residents"]
WRITE_RESPONSES = {400: ErrorSerializer, 404: ErrorSerializer}


class IdPagination(DefaultCursorPagination):
    ordering = "id"


class MembershipPagination(DefaultCursorPagination):
    ordering = ("next_visit_due", "id")


class VisitPagination(DefaultCursorPagination):
    ordering = ("-visited_at", "-id")


# --- serializers -------------------------------------------------------------------------------


# Choice sets are described inline (wrapped in allOf so drf-spectacular does not hoist them into
# named enum components): other apps have fields named `kind` and `light` with their own choices.
@extend_schema_field(
    {
        "allOf": [{"type": "string", "enum": VisitKind.values}],
        "description": "ROUTINE, KEY_PERSON or PETITION_FOLLOW_UP",
    }
)
class VisitKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=VisitKind.choices, **kwargs)


@extend_schema_field(
    {
        "allOf": [{"type": "string", "enum": Light.values}],
        "description": "GREEN, YELLOW (due soon) or RED (overdue)",
    }
)
class LightField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Light.choices, **kwargs)


class BuildingSerializer(serializers.ModelSerializer):
    grid = serializers.IntegerField(source="grid_id")
    head_name = serializers.CharField(source="head.name", default=None, read_only=True)

    class Meta:
        model = Building
        fields = ["id", "grid", "number", "name", "head", "head_name"]
        read_only_fields = ["head"]


class UnitSerializer(serializers.ModelSerializer):
    building = serializers.IntegerField(source="building_id")
    head_name = serializers.CharField(source="head.name", default=None, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "building", "number", "head", "head_name", "wechat_group_url"]
        read_only_fields = ["head"]


class HouseholdSerializer(serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id")

    class Meta:
        model = Household
        fields = ["id", "unit", "door", "grid", "label"]
        read_only_fields = ["grid", "label"]


class ResidentSerializer(serializers.ModelSerializer):
    """A resident as every list and detail shows it: ID number, phone and health masked."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    health = serializers.CharField(source="health_masked", read_only=True)
    grid = serializers.IntegerField(source="household.grid_id", read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "grid",
            "name",
            "sex",
            "birth_date",
            "id_number",
            "phone",
            "health",
            "is_party_member",
            "notes",
        ]
        read_only_fields = fields


class HeadSerializer(serializers.Serializer):
    head = serializers.IntegerField(allow_null=True, help_text="A resident living there, or null to clear")


class ResidentCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=32, help_text="18 characters (GB 11643); stored encrypted")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    is_party_member = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    health = serializers.CharField(required=False, allow_blank=True, default="")


class RevealRequestSerializer(serializers.Serializer):
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=services.REVEALABLE),
        required=False,
        help_text="Which values to show (default: all of id_number, phone, health)",
    )


class RevealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    health = serializers.CharField(required=False)


class KeyGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyGroup
        fields = ["id", "name", "visit_interval_days", "description"]


class KeyMembershipSerializer(serializers.ModelSerializer):
    resident = serializers.IntegerField(source="resident_id")
    group = serializers.PrimaryKeyRelatedField(queryset=KeyGroup.objects.all())
    light = LightField(read_only=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    household = serializers.IntegerField(source="resident.household_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    since = serializers.DateField(required=False)

    class Meta:
        model = KeyMembership
        fields = [
            "id",
            "resident",
            "resident_name",
            "household",
            "grid",
            "group",
            "group_name",
            "condition",
            "measures",
            "guardian",
            "since",
            "next_visit_due",
            "warn_from",
            "last_visited_at",
            "light",
        ]
        read_only_fields = ["grid", "next_visit_due", "warn_from", "last_visited_at"]


class VisitPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField(source="image.url")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class VisitSerializer(serializers.ModelSerializer):
    people_seen = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    kind = VisitKindField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "worker",
            "worker_name",
            "household",
            "grid",
            "visited_at",
            "kind",
            "people_seen",
            "notes",
            "photos",
            "latitude",
            "longitude",
            "problem_found",
            "problem_description",
            "corrects",
        ]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    kind = VisitKindField(default=VisitKind.ROUTINE)
    people_seen = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    visited_at = serializers.DateTimeField(required=False, help_text="Default: now")
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    problem_found = serializers.BooleanField(required=False, default=False)
    problem_description = serializers.CharField(required=False, allow_blank=True, default="")
    corrects = serializers.IntegerField(required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


# --- filters -----------------------------------------------------------------------------------


class BuildingFilter(django_filters.FilterSet):
    class Meta:
        model = Building
        fields = ["grid", "number"]


class UnitFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="building__grid")

    class Meta:
        model = Unit
        fields = ["building", "grid"]


class HouseholdFilter(django_filters.FilterSet):
    building = django_filters.NumberFilter(field_name="unit__building")
    label = django_filters.CharFilter(lookup_expr="contains")

    class Meta:
        model = Household
        fields = ["unit", "building", "grid", "label"]


class ResidentFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="household__grid")
    name = django_filters.CharFilter(lookup_expr="contains")
    id_number = django_filters.CharFilter(method="filter_id_number", label="Whole ID number (exact)")

    class Meta:
        model = Resident
        fields = ["household", "grid", "name", "is_party_member", "sex"]

    def filter_id_number(self, queryset, name, value):
        return queryset.filter(id_number_hash=lookup_hash(idcard.normalise(value)))


class KeyMembershipFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="resident__household")
    light = django_filters.ChoiceFilter(choices=Light.choices)

    class Meta:
        model = KeyMembership
        fields = ["group", "resident", "household", "grid", "light"]


class VisitFilter(django_filters.FilterSet):
    visited_after = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="gte")
    visited_before = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="lt")

    class Meta:
        model = Visit
        fields = ["worker", "household", "grid", "kind", "problem_found", "visited_after", "visited_before"]


# --- viewsets ----------------------------------------------------------------------------------


def _in_scope(getter, user, pk, field: str):
    """Fetch a related object named in a request body through the scoped selector; a missing or
    out-of-scope id is a 400 on that field (the caller may not learn that it exists)."""
    try:
        return getter(user=user, pk=pk)
    except Http404:
        raise InvalidInput.field(field, _("Not found or outside your scope.")) from None


def _head(request):
    query = HeadSerializer(data=request.data)
    query.is_valid(raise_exception=True)
    pk = query.validated_data["head"]
    return None if pk is None else _in_scope(selectors.resident_get, request.user, pk, "head")


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: BuildingSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: BuildingSerializer, **WRITE_RESPONSES}),
)
class BuildingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Buildings (楼栋) in the caller's grids, with their 楼栋长."""

    serializer_class = BuildingSerializer
    pagination_class = IdPagination
    filterset_class = BuildingFilter

    def get_queryset(self):
        return selectors.building_list(user=self.request.user)

    def get_object(self):
        return selectors.building_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        grid = _in_scope(selectors.grid_get, request.user, data["grid_id"], "grid")
        building = services.building_create(
            actor=request.user, grid=grid, number=data["number"], name=data.get("name", "")
        )
        return Response(BuildingSerializer(building).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeadSerializer, responses={200: BuildingSerializer, **WRITE_RESPONSES}, tags=TAG)
    @action(detail=True, methods=["post"], url_path="head", filterset_class=None, pagination_class=None)
    def set_head(self, request, pk=None):
        """Make a resident of the building its 楼栋长 (or clear it with null)."""
        building = self.get_object()
        head = _head(request)
        building = services.building_set_head(actor=request.user, building=building, head=head)
        return Response(BuildingSerializer(building).data)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: UnitSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: UnitSerializer, **WRITE_RESPONSES}),
)
class UnitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Units (单元) of buildings in the caller's grids, with their 单元长 and group-chat link."""

    serializer_class = UnitSerializer
    pagination_class = IdPagination
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.unit_list(user=self.request.user)

    def get_object(self):
        return selectors.unit_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        building = _in_scope(selectors.building_get, request.user, data["building_id"], "building")
        unit = services.unit_create(
            actor=request.user,
            building=building,
            number=data["number"],
            wechat_group_url=data.get("wechat_group_url", ""),
        )
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeadSerializer, responses={200: UnitSerializer, **WRITE_RESPONSES}, tags=TAG)
    @action(detail=True, methods=["post"], url_path="head", filterset_class=None, pagination_class=None)
    def set_head(self, request, pk=None):
        """Make a resident of the unit its 单元长 (or clear it with null)."""
        unit = self.get_object()
        unit = services.unit_set_head(actor=request.user, unit=unit, head=_head(request))
        return Response(UnitSerializer(unit).data)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: HouseholdSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: HouseholdSerializer, **WRITE_RESPONSES}),
)
class HouseholdViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Households (户) in the caller's grids."""

    serializer_class = HouseholdSerializer
    pagination_class = IdPagination
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    def get_object(self):
        return selectors.household_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = _in_scope(selectors.unit_get, request.user, data["unit_id"], "unit")
        household = services.household_create(actor=request.user, unit=unit, door=data["door"])
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(tags=TAG, description="Residents in scope; ID numbers, phones and health masked."),
    retrieve=extend_schema(tags=TAG, responses={200: ResidentSerializer, 404: ERROR_RESPONSES[404]}),
)
class ResidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Residents, always masked; `reveal` shows the whole values and is logged."""

    serializer_class = ResidentSerializer
    pagination_class = IdPagination
    filterset_class = ResidentFilter

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)

    def get_object(self):
        return selectors.resident_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=ResidentCreateSerializer,
        responses={201: ResidentSerializer, **WRITE_RESPONSES},
        tags=TAG,
        description="Register a resident. A bad ID number (length, date, check character) is a 400 on "
        "`id_number` and nothing is written.",
    )
    def create(self, request, *args, **kwargs):
        serializer = ResidentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = _in_scope(selectors.household_get, request.user, data.pop("household"), "household")
        resident = services.resident_create(actor=request.user, household=household, **data)
        return Response(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealSerializer, 404: ERROR_RESPONSES[404]},
        tags=TAG,
        description="The unmasked values. Each call writes exactly one access-log row (who, whom, "
        "which fields, when, from where).",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def reveal(self, request, pk=None):
        resident = self.get_object()
        query = RevealRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        fields = query.validated_data.get("fields") or services.REVEALABLE
        values = services.resident_reveal(
            actor=request.user, resident=resident, fields=fields, request=request
        )
        return Response(RevealSerializer({"id": resident.pk, "name": resident.name, **values}).data)


@extend_schema_view(list=extend_schema(tags=TAG), retrieve=extend_schema(tags=TAG))
class KeyGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """The key groups (五类人群) and their visit intervals."""

    serializer_class = KeyGroupSerializer
    pagination_class = None
    queryset = KeyGroup.objects.all()
    filterset_class = None


@extend_schema_view(
    list=extend_schema(tags=TAG, description="Active key memberships with their light, most overdue first."),
    retrieve=extend_schema(tags=TAG, responses={200: KeyMembershipSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: KeyMembershipSerializer, **WRITE_RESPONSES}),
)
class KeyMembershipViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Key people's memberships of the five groups, most overdue first, each with its light."""

    serializer_class = KeyMembershipSerializer
    pagination_class = MembershipPagination
    filterset_class = KeyMembershipFilter

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user).order_by("next_visit_due", "id")

    def get_object(self):
        return selectors.membership_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        resident = _in_scope(selectors.resident_get, request.user, data.pop("resident_id"), "resident")
        membership = services.key_membership_create(actor=request.user, resident=resident, **data)
        membership = selectors.membership_get(user=request.user, pk=membership.pk, on=lights.today())
        return Response(KeyMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: VisitSerializer, 404: ERROR_RESPONSES[404]}),
)
class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits (走访), newest first. Creating one logs a visit; visits are never edited (a
    correction is a new visit with `corrects`)."""

    serializer_class = VisitSerializer
    pagination_class = VisitPagination
    filterset_class = VisitFilter

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user)

    def get_object(self):
        return selectors.visit_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request={"application/json": VisitCreateSerializer, "multipart/form-data": VisitCreateSerializer},
        responses={
            201: VisitSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input, e.g. far outside the grid"),
            404: ErrorSerializer,
        },
        tags=TAG,
    )
    def create(self, request, *args, **kwargs):
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = _in_scope(selectors.household_get, request.user, data.pop("household"), "household")
        wanted = set(data.pop("people_seen"))
        people = list(household.residents.filter(pk__in=wanted))
        if len(people) != len(wanted):
            raise InvalidInput.field("people_seen", _("The people seen must live in the household visited."))
        corrects = data.pop("corrects")
        if corrects is not None:
            corrects = _in_scope(selectors.visit_get, request.user, corrects, "corrects")
        visit = services.visit_log(
            worker=request.user, household=household, people_seen=people, corrects=corrects, **data
        )
        return Response(VisitSerializer(selectors.visit_get(user=request.user, pk=visit.pk)).data, status=201)


class CoverageQuerySerializer(serializers.Serializer):
    node = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


class CoverageRowSerializer(serializers.Serializer):
    grid = serializers.IntegerField(source="grid.pk")
    grid_name = serializers.CharField(source="grid.name")
    households = serializers.IntegerField()
    households_visited = serializers.IntegerField()
    key_people = serializers.IntegerField()
    key_visited = serializers.IntegerField()


class CoverageViewSet(viewsets.ViewSet):
    """Visit coverage of a subtree over a period, by grid (computed in SQL)."""

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={
            200: inline_serializer(
                "Coverage",
                {
                    "node": serializers.IntegerField(),
                    "start": serializers.DateField(),
                    "end": serializers.DateField(),
                    "total": CoverageRowSerializer(),
                    "rows": CoverageRowSerializer(many=True),
                },
            ),
            **WRITE_RESPONSES,
        },
        tags=TAG,
    )
    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data["start"] > data["end"]:
            raise InvalidInput.field("start", _("The period must start before it ends."))
        node = get_scoped_or_404(
            request.user,
            selectors.coverage_nodes(user=request.user),
            node_path="",
            post_kinds=selectors.COVERAGE_POST_KINDS,
            pk=data["node"],
        )
        report = selectors.coverage(user=request.user, node=node, start=data["start"], end=data["end"])
        return Response(
            {
                "node": node.pk,
                "start": report.start,
                "end": report.end,
                "total": CoverageRowSerializer(report.total).data,
                "rows": CoverageRowSerializer(report.rows, many=True).data,
            }
        )
