"""The time bank's API: activities and sign-ups, the volunteers (and the calling volunteer's own
page), rewards and redemptions, the points ledger and its corrections, the rankings."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from grids.models import GridNode
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.models import User
from hlgrid.pagination import DefaultCursorPagination
from party import selectors
from party.api.common import (
    RESIDENT_KINDS,
    TAGS,
    WRITE_ERRORS,
    ByName,
    choices_text,
    int_param,
    scoped_grid,
    visible,
)
from party.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    EntryKind,
    InServiceMember,
    PointsEntry,
    Reward,
    SignUp,
    SignUpStatus,
)
from party.services.time_bank import (
    activity_create,
    points_correct,
    reward_redeem,
    signup_cancel,
    signup_confirm,
    signup_create,
    signup_mark_absent,
    volunteer_register,
)
from residents.models import Resident


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
        v["grid"] = scoped_grid(request.user, v["grid"])
        if v.get("organization"):
            v["organization"] = selectors.org_get(user=request.user, pk=v["organization"])
        if v.get("lecturer"):
            v["lecturer"] = get_object_or_404(selectors.member_list(user=request.user), pk=v["lecturer"])
        activity = activity_create(actor=request.user, **v)
        return Response(
            PartyActivitySerializer(selectors.activity_get(user=request.user, pk=activity.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(tags=TAGS, request=None, responses={201: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        """The calling volunteer signs up."""
        signup = signup_create(
            actor=request.user, volunteer=_volunteer(request.user), activity=self.get_object()
        )
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
    return own or access.get_scoped_or_404(user, Activity.objects.all(), node_path="grid", pk=pk)


def _signup_for_staff(user, pk) -> SignUp:
    queryset = SignUp.objects.select_related("activity")
    own = queryset.filter(pk=pk, activity__organiser=user).first() if user.is_authenticated else None
    return own or access.get_scoped_or_404(user, queryset, node_path="activity__grid", pk=pk)


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
        signup, entry = signup_confirm(
            actor=request.user, signup=self.get_object(), hours=data.validated_data["hours"]
        )
        return Response(PartyConfirmResultSerializer({"signup": signup, "entry": entry}).data)

    @extend_schema(tags=TAGS, request=None, responses={200: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def absent(self, request, pk=None):
        signup = signup_mark_absent(actor=request.user, signup=self.get_object())
        return Response(PartySignUpSerializer(signup).data)

    @extend_schema(tags=TAGS, request=None, responses={200: PartySignUpSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """The volunteer cancels their own sign-up before the activity starts."""
        signup = get_object_or_404(SignUp, pk=pk, volunteer=_volunteer(request.user))
        return Response(PartySignUpSerializer(signup_cancel(actor=request.user, signup=signup)).data)


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
            residents = Resident.objects.all()
            resident = visible(
                user,
                residents,
                [v["resident"]],
                node_path="household__grid",
                field="resident",
                post_kinds=RESIDENT_KINDS,
            )[0]
        if v.get("in_service_member"):
            members = InServiceMember.objects.filter(grid__isnull=False)
            member = visible(
                user, members, [v["in_service_member"]], node_path="grid", field="in_service_member"
            )[0]
        if v.get("grid"):
            grid = scoped_grid(user, v["grid"])
        elif resident is None and member is None:
            raise InvalidInput.field("grid", _("A volunteer belongs to a grid."))
        if v.get("user"):
            account = User.objects.filter(pk=v["user"], is_active=True).first()
            if account is None:
                raise InvalidInput.field("user", _("Unknown account."))
        volunteer = volunteer_register(
            actor=user,
            name=v.get("name", ""),
            grid=grid,
            user=account,
            resident=resident,
            in_service_member=member,
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
        redemption = reward_redeem(actor=request.user, volunteer=_volunteer(request.user), reward=reward)
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
            user=self.request.user, volunteer_id=int_param(self.request, "volunteer")
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
        correction = points_correct(actor=request.user, entry=entry, **data.validated_data)
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
        node_id = int_param(request, "node")
        if node_id is None:
            from grids.selectors import scope_roots

            roots = scope_roots(user=request.user)
            if not roots:
                raise NotFound()
            node = roots[0]
        else:
            node = access.get_scoped_or_404(request.user, GridNode.objects.all(), node_path="", pk=node_id)
        start, end = selectors.period_bounds(period)
        return Response(
            PartyRankedVolunteerSerializer(selectors.ranking(node=node, start=start, end=end), many=True).data
        )
