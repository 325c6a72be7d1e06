"""The Party API under /api/v1/party/: thin serializers and viewsets over party.selectors and
party.services. Every list is scoped; an object outside the caller's scope answers 404."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.access import get_scoped_or_404, scope_queryset
from grids.models import GridNode, NodeKind
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.pagination import DefaultCursorPagination
from party import selectors, services
from party.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    DutyShift,
    EntryKind,
    InServiceMember,
    JointProject,
    MemberRole,
    MemberUnit,
    OrgKind,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    ProjectStatus,
    Reward,
    ServiceItem,
    SignUp,
    SignUpStatus,
    UnitKind,
)
from residents.models import Building, Household, Resident

TAGS = ["party"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


class ByCode(DefaultCursorPagination):
    ordering = "code"


class ByName(DefaultCursorPagination):
    ordering = "name"


def choices_text(choices, **kwargs) -> serializers.CharField:
    """A plain string documented with its values. The apps share field names such as "kind" and
    "status" with different choices, and enum components of the same name would collide in the
    schema; the services validate the values and answer 400 with the field."""
    return serializers.CharField(help_text=" | ".join(choices.values), **kwargs)


def _scoped_grid(user, pk) -> GridNode:
    grids = scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
    grid = grids.filter(pk=pk).first()
    if grid is None:
        raise InvalidInput.field("grid", _("Unknown grid."))
    return grid


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise InvalidInput.field(name, _("An id is a number."))
    return int(value)


# --- the chain --------------------------------------------------------------------------------


class PartyOrganizationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=" | ".join(OrgKind.values))
    depth = serializers.IntegerField(source="level", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True)
    secretary = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PartyOrganization
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "depth",
            "node",
            "node_name",
            "secretary",
            "member_count",
        ]

    def get_secretary(self, org) -> str | None:
        secretaries = getattr(org, "secretaries", None)
        return secretaries[0].name if secretaries else None


class PartyOrganizationDetailSerializer(PartyOrganizationSerializer):
    grids = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    buildings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    contact_households = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(PartyOrganizationSerializer.Meta):
        fields = [
            *PartyOrganizationSerializer.Meta.fields,
            "grids",
            "buildings",
            "household",
            "contact_households",
        ]


class PartyOrganizationCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField(required=False, allow_null=True)
    kind = choices_text(OrgKind)
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    node = serializers.IntegerField(required=False, allow_null=True)
    grids = serializers.ListField(child=serializers.IntegerField(), required=False)
    buildings = serializers.ListField(child=serializers.IntegerField(), required=False)
    household = serializers.IntegerField(required=False, allow_null=True)
    contact_households = serializers.ListField(child=serializers.IntegerField(), required=False)


def _all_in_scope(user, queryset, ids, node_path, field):
    ids = list(dict.fromkeys(ids or []))
    found = list(scope_queryset(user, queryset.filter(pk__in=ids), node_path=node_path))
    if len(found) != len(ids):
        raise InvalidInput.field(field, _("Unknown or outside your scope."))
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(found, key=lambda o: order[o.pk])


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("kind", enum=OrgKind.values), OpenApiParameter("parent", int)]
    ),
    retrieve=extend_schema(
        tags=TAGS, responses={200: PartyOrganizationDetailSerializer, 404: ErrorSerializer}
    ),
    create=extend_schema(
        tags=TAGS,
        request=PartyOrganizationCreateSerializer,
        responses={201: PartyOrganizationDetailSerializer, **WRITE_ERRORS},
    ),
)
class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """The Party chain in the caller's scope, by code (`parent` and `kind` filter it)."""

    serializer_class = PartyOrganizationSerializer
    pagination_class = ByCode

    def get_queryset(self):
        kind = self.request.query_params.get("kind")
        if kind and kind not in OrgKind.values:
            raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
        return selectors.org_list(
            user=self.request.user, kind=kind, parent_id=_int_param(self.request, "parent")
        )

    def get_object(self):
        return selectors.org_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PartyOrganizationDetailSerializer
        if self.action == "create":
            return PartyOrganizationCreateSerializer
        return PartyOrganizationSerializer

    def create(self, request):
        data = PartyOrganizationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        parent = v.get("parent") and selectors.org_get(user=user, pk=v["parent"])
        if parent is None and not user.is_superuser:
            raise InvalidInput.field("parent", _("Only an administrator creates a working committee."))
        nodes = GridNode.objects.all()
        node = v.get("node") and _all_in_scope(user, nodes, [v["node"]], "", "node")[0]
        household = (
            v.get("household")
            and _all_in_scope(user, Household.objects, [v["household"]], "grid", "household")[0]
        )
        org = services.org_create(
            parent=parent or None,
            kind=v["kind"],
            code=v["code"],
            name=v["name"],
            node=node or None,
            grids=_all_in_scope(user, nodes, v.get("grids"), "", "grids"),
            buildings=_all_in_scope(user, Building.objects, v.get("buildings"), "grid", "buildings"),
            household=household or None,
            contact_households=_all_in_scope(
                user, Household.objects, v.get("contact_households"), "grid", "contact_households"
            ),
        )
        org = selectors.org_get(user=user, pk=org.pk)
        return Response(PartyOrganizationDetailSerializer(org).data, status=status.HTTP_201_CREATED)


class PartyChainOrgSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    node_name = serializers.CharField(source="node.name")
    secretary = serializers.CharField(allow_null=True)


class PartyChainSerializer(serializers.Serializer):
    household = serializers.IntegerField(source="household.pk")
    address = serializers.CharField(source="household.label")
    chain = PartyChainOrgSerializer(many=True)


@extend_schema_view(
    retrieve=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="A household id")],
        responses={200: PartyChainSerializer, 404: ErrorSerializer},
    )
)
class ChainViewSet(viewsets.GenericViewSet):
    """Which Party group, branch, general branch and working committee look after a household."""

    serializer_class = PartyChainSerializer
    pagination_class = None
    queryset = Household.objects.none()

    def retrieve(self, request, pk=None):
        household, chain = selectors.household_chain_for(user=request.user, household_id=pk)
        secretaries = {
            m.organization_id: m
            for m in PartyMember.objects.filter(organization__in=chain, role="SECRETARY", is_active=True)
        }
        for org in chain:
            org.secretary = secretaries[org.pk].name if org.pk in secretaries else None
        return Response(PartyChainSerializer({"household": household, "chain": chain}).data)


class PartyMemberSerializer(serializers.ModelSerializer):
    role = choices_text(MemberRole, read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "name", "role", "organization", "organization_name", "resident", "joined_on"]


@extend_schema_view(list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("organization", int)]))
class MemberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartyMemberSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.member_list(
            user=self.request.user, organization_id=_int_param(self.request, "organization")
        ).order_by("-id")


# --- alliances, units, in-service members, projects ------------------------------------------


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
        return selectors.unit_list(user=self.request.user, alliance_id=_int_param(self.request, "alliance"))


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
            user=self.request.user, grid_id=_int_param(self.request, "grid")
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
        member = services.inservice_member_report(member=member, grid=grid)
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
        record = services.inservice_service_record(actor=request.user, member=member, **data.validated_data)
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
            user=self.request.user, alliance_id=_int_param(self.request, "alliance"), status=status_
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
        v["units"] = _all_in_scope(user, MemberUnit.objects, v.get("units"), "alliance__node", "units")
        v["grids"] = _all_in_scope(user, GridNode.objects, v.get("grids"), "", "grids")
        project = services.project_create(alliance=alliance, **v)
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
        report = services.project_report(actor=request.user, project=self.get_object(), **data.validated_data)
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
        project = services.project_set_status(
            actor=request.user, project=self.get_object(), status=data.validated_data["status"]
        )
        return Response(PartyProjectSerializer(selectors.project_get(user=request.user, pk=project.pk)).data)


# --- the time bank --------------------------------------------------------------------------


class PartyActivitySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=" | ".join(ActivityKind.values))
    status = choices_text(ActivityStatus, read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    organiser_name = serializers.CharField(source="organiser.display_name", read_only=True)
    taken = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id", "title", "kind", "theme", "description", "grid", "grid_name", "organiser", "organiser_name",
            "organization", "lecturer", "place", "starts_at", "ends_at", "capacity", "taken",
            "points_per_hour", "status",
        ]  # fmt: skip
        read_only_fields = ["organiser", "points_per_hour", "status"]


class PartyActivityCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    kind = choices_text(ActivityKind, default=ActivityKind.SERVICE)
    theme = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    grid = serializers.IntegerField()
    place = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(min_value=1, default=20)
    organization = serializers.IntegerField(required=False, allow_null=True)
    lecturer = serializers.IntegerField(required=False, allow_null=True)


class PartySignUpSerializer(serializers.ModelSerializer):
    status = choices_text(SignUpStatus, read_only=True)
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "volunteer",
            "volunteer_name",
            "status",
            "hours",
            "signed_up_at",
            "confirmed_at",
        ]


class PartyConfirmSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)


class PartyPointsEntrySerializer(serializers.ModelSerializer):
    kind = choices_text(EntryKind, read_only=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "volunteer",
            "kind",
            "points",
            "hours",
            "signup",
            "redemption",
            "corrects",
            "note",
            "booked_at",
        ]


class PartyConfirmResultSerializer(serializers.Serializer):
    signup = PartySignUpSerializer()
    entry = PartyPointsEntrySerializer()


def _volunteer(user):
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        raise NotFound(_("You are not registered as a volunteer."))
    return volunteer


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyActivitySerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=PartyActivityCreateSerializer,
        responses={201: PartyActivitySerializer, **WRITE_ERRORS},
    ),
)
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Volunteer activities: those in the caller's scope, and for a volunteer those open nearby."""

    serializer_class = PartyActivitySerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.activity_list(user=self.request.user)[:500]

    def get_object(self):
        return selectors.activity_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request):
        data = PartyActivityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v["grid"] = _scoped_grid(request.user, v["grid"])
        if v.get("organization"):
            v["organization"] = selectors.org_get(user=request.user, pk=v["organization"])
        if v.get("lecturer"):
            v["lecturer"] = get_object_or_404(selectors.member_list(user=request.user), pk=v["lecturer"])
        activity = services.activity_create(actor=request.user, **v)
        return Response(
            PartyActivitySerializer(selectors.activity_get(user=request.user, pk=activity.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(tags=TAGS, request=None, responses={201: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        """The calling volunteer signs up."""
        signup = services.signup_create(volunteer=_volunteer(request.user), activity=self.get_object())
        return Response(PartySignUpSerializer(signup).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses={200: PartySignUpSerializer(many=True), 404: ErrorSerializer})
    @action(detail=True, methods=["get"])
    def signups(self, request, pk=None):
        """Who signed up (for the organiser and the grid's staff)."""
        activity = _activity_for_staff(request.user, pk)
        return Response(PartySignUpSerializer(selectors.activity_signups(activity=activity), many=True).data)


def _activity_for_staff(user, pk) -> Activity:
    """The organiser, or staff whose scope covers the activity's grid; 404 for anyone else."""
    own = Activity.objects.filter(pk=pk, organiser=user).first() if user.is_authenticated else None
    return own or get_scoped_or_404(user, Activity.objects.all(), node_path="grid", pk=pk)


def _signup_for_staff(user, pk) -> SignUp:
    queryset = SignUp.objects.select_related("activity")
    own = queryset.filter(pk=pk, activity__organiser=user).first() if user.is_authenticated else None
    return own or get_scoped_or_404(user, queryset, node_path="activity__grid", pk=pk)


@extend_schema_view(
    retrieve=extend_schema(tags=TAGS, responses={200: PartySignUpSerializer, 404: ErrorSerializer})
)
class SignUpViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PartySignUpSerializer
    queryset = SignUp.objects.none()

    def get_object(self):
        return _signup_for_staff(self.request.user, self.kwargs["pk"])

    @extend_schema(
        tags=TAGS,
        request=PartyConfirmSerializer,
        responses={200: PartyConfirmResultSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The organiser confirms attendance and hours; the points are booked."""
        data = PartyConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signup, entry = services.signup_confirm(
            actor=request.user, signup=self.get_object(), hours=data.validated_data["hours"]
        )
        return Response(PartyConfirmResultSerializer({"signup": signup, "entry": entry}).data)

    @extend_schema(tags=TAGS, request=None, responses={200: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def absent(self, request, pk=None):
        signup = services.signup_mark_absent(actor=request.user, signup=self.get_object())
        return Response(PartySignUpSerializer(signup).data)

    @extend_schema(tags=TAGS, request=None, responses={200: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The volunteer cancels their own sign-up before the activity starts."""
        volunteer = _volunteer(request.user)
        signup = get_object_or_404(SignUp, pk=pk, volunteer=volunteer)
        return Response(
            PartySignUpSerializer(services.signup_cancel(volunteer=volunteer, signup=signup)).data
        )


class PartyVolunteerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)


class PartyVolunteerMeSerializer(serializers.Serializer):
    volunteer = PartyVolunteerSerializer()
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    earned = serializers.DecimalField(max_digits=12, decimal_places=2)
    open_activities = PartyActivitySerializer(many=True)
    signups = PartySignUpSerializer(many=True)
    entries = PartyPointsEntrySerializer(many=True)


class PartyVolunteerRegisterSerializer(serializers.Serializer):
    resident = serializers.IntegerField(required=False, allow_null=True)
    in_service_member = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    grid = serializers.IntegerField(required=False, allow_null=True)
    user = serializers.IntegerField(
        required=False, allow_null=True, help_text="An account to link (optional)"
    )


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request=PartyVolunteerRegisterSerializer,
        responses={201: PartyVolunteerSerializer, **WRITE_ERRORS},
    ),
)
class VolunteerViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Volunteers of the time bank in the caller's scope; grid staff register residents and
    in-service members of their grids."""

    serializer_class = PartyVolunteerSerializer
    pagination_class = ByName

    def get_queryset(self):
        return selectors.volunteer_list(user=self.request.user)

    def create(self, request):
        data = PartyVolunteerRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v, user = data.validated_data, request.user
        resident = member = grid = account = None
        if v.get("resident"):
            resident = _all_in_scope(user, Resident.objects, [v["resident"]], "household__grid", "resident")[
                0
            ]
        if v.get("in_service_member"):
            members = InServiceMember.objects.filter(grid__isnull=False)
            member = _all_in_scope(user, members, [v["in_service_member"]], "grid", "in_service_member")[0]
        if v.get("grid"):
            grid = _scoped_grid(user, v["grid"])
        elif resident is None and member is None:
            raise InvalidInput.field("grid", _("A volunteer belongs to a grid."))
        if v.get("user"):
            from hlgrid.models import User

            account = User.objects.filter(pk=v["user"], is_active=True).first()
            if account is None:
                raise InvalidInput.field("user", _("Unknown account."))
        volunteer = services.volunteer_register(
            name=v.get("name", ""), grid=grid, user=account, resident=resident, in_service_member=member
        )
        return Response(PartyVolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses={200: PartyVolunteerMeSerializer, 404: ErrorSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def me(self, request):
        """The calling volunteer's page: open activities, sign-ups, hours, points and ledger."""
        page = selectors.volunteer_page(volunteer=_volunteer(request.user))
        return Response(PartyVolunteerMeSerializer(page).data)


class PartyRewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = ["id", "name", "price", "stock"]


class PartyRedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reward = serializers.IntegerField(source="reward_id")
    points = serializers.DecimalField(max_digits=10, decimal_places=2)
    redeemed_at = serializers.DateTimeField()


@extend_schema_view(list=extend_schema(tags=TAGS))
class RewardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PartyRewardSerializer
    pagination_class = None

    def get_queryset(self):
        return Reward.objects.filter(is_active=True).order_by("price", "name")

    @extend_schema(tags=TAGS, request=None, responses={201: PartyRedemptionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        """The calling volunteer spends points on this reward (refused beyond the balance)."""
        reward = get_object_or_404(self.get_queryset(), pk=pk)
        redemption = services.reward_redeem(volunteer=_volunteer(request.user), reward=reward)
        return Response(PartyRedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class PartyCorrectionSerializer(serializers.Serializer):
    points = serializers.DecimalField(max_digits=10, decimal_places=2)
    note = serializers.CharField(max_length=200)


@extend_schema_view(list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("volunteer", int)]))
class LedgerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The points ledger of the volunteers in the caller's scope (append-only)."""

    serializer_class = PartyPointsEntrySerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.ledger(
            user=self.request.user, volunteer_id=_int_param(self.request, "volunteer")
        ).order_by("-id")

    @extend_schema(
        tags=TAGS,
        request=PartyCorrectionSerializer,
        responses={201: PartyPointsEntrySerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Correct an entry with a new entry (the ledger is never edited)."""
        entry = get_object_or_404(self.get_queryset(), pk=pk)
        data = PartyCorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        correction = services.points_correct(actor=request.user, entry=entry, **data.validated_data)
        return Response(PartyPointsEntrySerializer(correction).data, status=status.HTTP_201_CREATED)


class PartyRankedVolunteerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    grid_name = serializers.CharField(source="grid.name")
    points = serializers.DecimalField(max_digits=12, decimal_places=2)
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)


PERIODS = ["month", "quarter", "year"]


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "node", int, description="A grid node in your scope (default: your first post's node)"
            ),
            OpenApiParameter("period", enum=PERIODS),
        ],
        responses={
            200: PartyRankedVolunteerSerializer(many=True),
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
)
class RankingViewSet(viewsets.GenericViewSet):
    """Volunteers ranked by the points they earned in the period, in a node's subtree."""

    serializer_class = PartyRankedVolunteerSerializer
    pagination_class = None
    queryset = Activity.objects.none()

    def list(self, request):
        period = request.query_params.get("period", "month")
        if period not in PERIODS:
            raise InvalidInput.field("period", _("Unknown period."))
        node_id = _int_param(request, "node")
        if node_id is None:
            from grids.selectors import scope_roots

            roots = scope_roots(user=request.user)
            if not roots:
                raise NotFound()
            node = roots[0]
        else:
            node = get_scoped_or_404(request.user, GridNode.objects.all(), node_path="", pk=node_id)
        start, end = selectors.period_bounds(period)
        return Response(
            PartyRankedVolunteerSerializer(selectors.ranking(node=node, start=start, end=end), many=True).data
        )


# --- windows and social workers -------------------------------------------------------------


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
        item_id = _int_param(request, "item")
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
        return selectors.roster(user=self.request.user, day=_day(self.request))


def _day(request):
    value = request.query_params.get("day")
    if not value:
        return timezone.localdate()
    try:
        return serializers.DateField().to_internal_value(value)
    except serializers.ValidationError:
        raise InvalidInput.field("day", _("Enter a date.")) from None


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
    worker = serializers.IntegerField(source="worker_id", read_only=True)
    served_at = serializers.DateTimeField(required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=600)
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
                scope_queryset(request.user, Resident.objects, node_path="household__grid")
                .filter(pk=v["resident_id"])
                .first()
            )
            if resident is None:
                raise InvalidInput.field("resident", _("Unknown resident."))
        service = services.window_service_record(
            actor=request.user,
            window=window,
            item=item,
            resident=resident,
            served_at=v.get("served_at"),
            minutes=v["minutes"],
            notes=v.get("notes", ""),
        )
        return Response(PartyWindowServiceSerializer(service).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("party/organizations", OrganizationViewSet, "party-organization"),
    ("party/chain", ChainViewSet, "party-chain"),
    ("party/members", MemberViewSet, "party-member"),
    ("party/alliances", AllianceViewSet, "party-alliance"),
    ("party/units", UnitViewSet, "party-unit"),
    ("party/in-service-members", InServiceViewSet, "party-inservice"),
    ("party/projects", ProjectViewSet, "party-project"),
    ("party/activities", ActivityViewSet, "party-activity"),
    ("party/signups", SignUpViewSet, "party-signup"),
    ("party/volunteers", VolunteerViewSet, "party-volunteer"),
    ("party/rewards", RewardViewSet, "party-reward"),
    ("party/ledger", LedgerViewSet, "party-ledger"),
    ("party/ranking", RankingViewSet, "party-ranking"),
    ("party/service-items", ServiceItemViewSet, "party-service-item"),
    ("party/windows", WindowViewSet, "party-window"),
    ("party/shifts", ShiftViewSet, "party-shift"),
    ("party/social-workers", SocialWorkerViewSet, "party-social-worker"),
    ("party/window-services", WindowServiceViewSet, "party-window-service"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
