"""Read queries over the Party chain, alliances, the time bank and the windows, scoped to the
asking user; counts and sums in SQL."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank
from django.utils import timezone

from grids.access import get_scoped_or_404, scope_queryset
from grids.models import GridNode
from grids.subtree import in_subtree
from hlgrid.errors import NotFound
from hlgrid.ordering import numbered
from party.models import (
    Activity,
    ActivityStatus,
    Alliance,
    Certificate,
    DutyKind,
    DutyShift,
    EntryKind,
    InServiceMember,
    InServiceRecord,
    JointProject,
    LectureSlot,
    MemberRole,
    MemberUnit,
    OrgKind,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    ProjectReport,
    Reward,
    ServiceItem,
    ServiceWindow,
    SignUp,
    SignUpStatus,
    SocialWorker,
    TrainingRecord,
    Volunteer,
    WindowService,
)
from residents.models import Household
from residents.selectors import household_get, household_list

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))

# --- the chain --------------------------------------------------------------------------------


def _with_people(queryset: QuerySet) -> QuerySet:
    """The secretary and the member count, whatever the number of organisations (one prefetch)."""
    secretaries = PartyMember.objects.filter(role=MemberRole.SECRETARY, is_active=True)
    return (
        queryset.select_related("node", "household")
        .defer("node__boundary")
        .prefetch_related(Prefetch("members", queryset=secretaries, to_attr="secretaries"))
    )


def _member_count(queryset: QuerySet) -> QuerySet:
    members = (
        PartyMember.objects.filter(organization=OuterRef("pk"), is_active=True)
        .values("organization")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(member_count=Coalesce(Subquery(members[:1]), 0))


def org_list(*, user, kind: str | None = None, parent_id: int | None = None) -> QuerySet:
    queryset = scope_queryset(user, PartyOrganization.objects.all(), node_path="node")
    if kind:
        queryset = queryset.filter(kind=kind)
    if parent_id:
        queryset = queryset.filter(parent_id=parent_id)
    return _member_count(_with_people(queryset)).order_by("tree_id", "lft")


def org_get(*, user, pk) -> PartyOrganization:
    return get_scoped_or_404(
        user, _member_count(_with_people(PartyOrganization.objects.all())), node_path="node", pk=pk
    )


def org_roots(*, user) -> QuerySet:
    """The top-most organisations the user may see (none of their ancestors is visible)."""
    visible = scope_queryset(user, PartyOrganization.objects.all(), node_path="node")
    above = visible.filter(tree_id=OuterRef("tree_id"), lft__lt=OuterRef("lft"), rght__gt=OuterRef("rght"))
    return _member_count(_with_people(visible.filter(~Exists(above)))).order_by("tree_id", "lft")


def org_children(*, user, org: PartyOrganization) -> QuerySet:
    return _member_count(_with_people(scope_queryset(user, org.get_children(), node_path="node"))).order_by(
        "code"
    )


@dataclass
class OrgPage:
    org: PartyOrganization
    ancestors: list
    children: list
    members: list
    grids: list
    buildings: list
    contact_households: list
    central_household: Household | None = None
    alliances: list = field(default_factory=list)
    paired_units: list = field(default_factory=list)
    in_service: list = field(default_factory=list)
    in_service_count: int = 0


def org_page(*, user, pk) -> OrgPage:
    """An organisation with its chain above, the organisations under it, its people and its
    territory: a fixed number of queries."""
    org = org_get(user=user, pk=pk)
    return OrgPage(
        org=org,
        ancestors=list(org.get_ancestors().select_related("node")),
        children=list(org_children(user=user, org=org)),
        members=list(
            org.members.filter(is_active=True).select_related("resident").order_by("role", "name")[:200]
        ),
        grids=list(org.grids.order_by("code")),
        buildings=list(org.buildings.select_related("grid").order_by("grid__code", *numbered("number"))),
        # Addresses are the residents' register: only those the user's residents scope holds
        # (department staff and assessors see the organisation, not the households).
        contact_households=list(household_list(user=user).filter(party_contacts=org).order_by("label")),
        central_household=(
            household_list(user=user).filter(pk=org.household_id).first() if org.household_id else None
        ),
        alliances=list(org.alliances.annotate(unit_count=Count("units")).order_by("name")),
        **_sunk_resources(org),
    )


def _sunk_resources(org: PartyOrganization) -> dict:
    """For a grid branch: the member units paired with its grids and the in-service members who
    reported to them (the resources sunk into the grids); three queries."""
    if org.kind != OrgKind.GRID_BRANCH:
        return {}
    grid_ids = org.grids.values("pk")
    members = InServiceMember.objects.filter(grid__in=grid_ids)
    return {
        "paired_units": list(MemberUnit.objects.filter(grids__in=grid_ids).distinct().order_by("name")),
        "in_service": list(members.select_related("unit").order_by("-reported_at", "pk")[:30]),
        "in_service_count": members.count(),
    }


def _closest_org_id(household_id: int) -> Coalesce:
    """The id of the closest organisation looking after the household, as one SQL expression:
    the central household it is, else one it keeps contact with, else its building's group,
    else its grid's branch. Each step is an index lookup evaluated once."""
    own_household = Household.objects.filter(pk=household_id).order_by()
    through = PartyOrganization
    return Coalesce(
        Subquery(
            PartyOrganization.objects.filter(kind=OrgKind.CENTRAL_HOUSEHOLD, household_id=household_id)
            .order_by("pk")
            .values("pk")[:1]
        ),
        Subquery(
            through.contact_households.through.objects.filter(household_id=household_id)
            .order_by("pk")
            .values("partyorganization_id")[:1]
        ),
        Subquery(
            through.buildings.through.objects.filter(
                building_id=Subquery(own_household.values("unit__building_id")[:1])
            )
            .order_by("pk")
            .values("partyorganization_id")[:1]
        ),
        Subquery(
            through.grids.through.objects.filter(gridnode_id=Subquery(own_household.values("grid_id")[:1]))
            .order_by("pk")
            .values("partyorganization_id")[:1]
        ),
    )


def household_chain(*, household_id: int) -> list[PartyOrganization]:
    """Who looks after a household, from the working committee down to the closest organisation
    (central household, building group or grid branch): ONE query whatever the size of the tree.

    The closest organisation is found through the territories; the chain is every organisation
    whose (tree_id, lft, rght) encloses it, read from the subtree index. The sub-selects are
    uncorrelated, so the database evaluates them once.
    """
    closest = PartyOrganization.objects.filter(pk=_closest_org_id(household_id)).order_by()
    return list(
        PartyOrganization.objects.filter(
            tree_id=Subquery(closest.values("tree_id")[:1]),
            lft__lte=Subquery(closest.values("lft")[:1]),
            rght__gte=Subquery(closest.values("lft")[:1]),
        )
        .select_related("node")
        .defer("node__boundary")  # the polygons are large and not needed here
        .order_by("level")
    )


def household_chain_for(*, user, household_id) -> tuple[Household, list[PartyOrganization]]:
    """The chain of a household the user may see as the residents' selectors scope it: the chain
    names the address and the secretaries, so department staff and assessors, whose city-wide
    posts are not for residents, get 404 like an outsider and like an id that does not exist."""
    household = household_get(user=user, pk=household_id)
    return household, household_chain(household_id=household.pk)


def member_list(*, user, organization_id: int | None = None) -> QuerySet:
    queryset = scope_queryset(
        user, PartyMember.objects.filter(is_active=True), node_path="organization__node"
    )
    if organization_id:
        queryset = queryset.filter(organization_id=organization_id)
    return queryset.select_related("organization", "resident").order_by(
        "organization__code", "role", "name", "id"
    )


# --- alliances and projects ----------------------------------------------------------------


def alliance_list(*, user) -> QuerySet:
    units = (
        MemberUnit.objects.filter(alliance=OuterRef("pk"))
        .values("alliance")
        .annotate(n=Count("*"))
        .values("n")
    )
    members = (
        InServiceMember.objects.filter(unit__alliance=OuterRef("pk"), grid__isnull=False)
        .values("unit__alliance")
        .annotate(n=Count("*"))
        .values("n")
    )
    projects = (
        JointProject.objects.filter(alliance=OuterRef("pk"))
        .values("alliance")
        .annotate(n=Count("*"), budget=Sum("budget"))
    )
    return (
        scope_queryset(user, Alliance.objects.all(), node_path="node")
        .select_related("lead", "node")
        .annotate(
            unit_count=Coalesce(Subquery(units[:1]), 0),
            member_count=Coalesce(Subquery(members[:1]), 0),
            project_count=Coalesce(Subquery(projects.values("n")[:1]), 0),
            budget_total=Coalesce(Subquery(projects.values("budget")[:1]), ZERO),
        )
        .order_by("name")
    )


def alliance_get(*, user, pk) -> Alliance:
    return get_scoped_or_404(user, alliance_list(user=user), node_path="node", pk=pk)


def unit_list(*, user, alliance_id: int | None = None) -> QuerySet:
    members = (
        InServiceMember.objects.filter(unit=OuterRef("pk"), grid__isnull=False)
        .values("unit")
        .annotate(n=Count("*"))
        .values("n")
    )
    queryset = scope_queryset(user, MemberUnit.objects.all(), node_path="alliance__node")
    if alliance_id:
        queryset = queryset.filter(alliance_id=alliance_id)
    return (
        queryset.select_related("alliance")
        .prefetch_related(Prefetch("grids", queryset=GridNode.objects.order_by("code")))
        .annotate(member_count=Coalesce(Subquery(members[:1]), 0))
        .order_by("alliance__name", "name")
    )


def inservice_list(*, user, grid_id: int | None = None) -> QuerySet:
    """In-service members who reported to a grid in the user's scope."""
    queryset = scope_queryset(user, InServiceMember.objects.filter(grid__isnull=False), node_path="grid")
    if grid_id:
        queryset = queryset.filter(grid_id=grid_id)
    hours = (
        InServiceRecord.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    return (
        queryset.select_related("unit", "grid")
        .defer("grid__boundary")
        .annotate(
            hours_served=Coalesce(Subquery(hours[:1]), Value(Decimal("0")), output_field=DecimalField())
        )
        .order_by("grid__code", "name", "id")
    )


def project_list(*, user, alliance_id: int | None = None, status: str | None = None) -> QuerySet:
    queryset = scope_queryset(user, JointProject.objects.all(), node_path="node")
    if alliance_id:
        queryset = queryset.filter(alliance_id=alliance_id)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("alliance")
        .prefetch_related(
            Prefetch("units", queryset=MemberUnit.objects.order_by("name")),
            Prefetch("grids", queryset=GridNode.objects.order_by("code")),
        )
        .order_by("alliance__name", "name", "id")
    )


def project_get(*, user, pk) -> JointProject:
    return get_scoped_or_404(
        user,
        project_list(user=user).prefetch_related(
            Prefetch(
                "reports", queryset=ProjectReport.objects.select_related("author").order_by("-reported_at")
            )
        ),
        node_path="node",
        pk=pk,
    )


def project_totals(*, user) -> dict:
    return scope_queryset(user, JointProject.objects.all(), node_path="node").aggregate(
        count=Count("pk"), budget=Coalesce(Sum("budget"), ZERO)
    )


# --- the time bank --------------------------------------------------------------------------


def volunteer_of(user) -> Volunteer | None:
    if user is None or not user.is_authenticated:
        return None
    return Volunteer.objects.select_related("grid").defer("grid__boundary").filter(user=user).first()


def _places_taken(queryset: QuerySet) -> QuerySet:
    taken = (
        SignUp.objects.filter(
            activity=OuterRef("pk"), status__in=[SignUpStatus.SIGNED_UP, SignUpStatus.CONFIRMED]
        )
        .values("activity")
        .annotate(n=Count("*"))
        .values("n")
    )
    return queryset.annotate(taken=Coalesce(Subquery(taken[:1]), 0))


def activity_list(*, user, status: str | None = None) -> QuerySet:
    """Activities in the user's scope (organisers and staff), with places taken."""
    queryset = scope_queryset(user, Activity.objects.all(), node_path="grid")
    volunteer = volunteer_of(user)
    if volunteer is not None:
        queryset = queryset | Activity.objects.filter(pk__in=activities_open_to(volunteer).values("pk"))
    if status:
        queryset = queryset.filter(status=status)
    return _places_taken(queryset.select_related("grid", "organiser").defer("grid__boundary")).order_by(
        "-starts_at", "-id"
    )


def activity_get(*, user, pk) -> Activity:
    activity = activity_list(user=user).filter(pk=pk).first()
    if activity is None:
        raise NotFound()
    return activity


def activities_open_to(volunteer: Volunteer, *, now: datetime.datetime | None = None) -> QuerySet:
    """Open activities in the volunteer's community (the grids next door count too)."""
    now = now or timezone.now()
    grid = volunteer.grid
    return Activity.objects.filter(
        status=ActivityStatus.OPEN,
        ends_at__gt=now,
        grid__parent_id=grid.parent_id,
    )


def activity_signups(*, activity: Activity) -> QuerySet:
    return activity.signups.select_related("volunteer").order_by("status", "signed_up_at", "id")


@dataclass
class VolunteerPage:
    volunteer: Volunteer
    open_activities: list
    signups: list
    entries: list
    rewards: list
    hours: Decimal
    earned: Decimal
    redemptions: list


def volunteer_page(*, volunteer: Volunteer, now: datetime.datetime | None = None) -> VolunteerPage:
    now = now or timezone.now()
    mine = SignUp.objects.filter(volunteer=volunteer)
    signed = {s.activity_id: s for s in mine.filter(activity__ends_at__gt=now)}
    open_activities = list(
        _places_taken(
            activities_open_to(volunteer, now=now).select_related("grid").defer("grid__boundary")
        ).order_by("starts_at")[:50]
    )
    for activity in open_activities:
        activity.my_signup = signed.get(activity.pk)
    totals = volunteer.entries.aggregate(
        hours=Coalesce(Sum("hours"), Value(Decimal("0")), output_field=DecimalField()),
        earned=Coalesce(
            Sum("points", filter=~Q(kind=EntryKind.REDEEMED)),
            Value(Decimal("0")),
            output_field=DecimalField(),
        ),
    )
    return VolunteerPage(
        volunteer=volunteer,
        open_activities=open_activities,
        signups=list(
            mine.select_related("activity__grid")
            .defer("activity__grid__boundary")
            .order_by("-activity__starts_at")[:50]
        ),
        entries=list(volunteer.entries.order_by("-booked_at", "-id")[:50]),
        rewards=list(Reward.objects.filter(is_active=True).order_by("price", "name")),
        hours=totals["hours"],
        earned=totals["earned"],
        redemptions=list(volunteer.redemptions.select_related("reward")[:20]),
    )


def ranking(
    *, node: GridNode, start: datetime.datetime, end: datetime.datetime, limit: int = 20
) -> list[Volunteer]:
    """Volunteers ranked by points earned (corrections included, redemptions not) in
    [start, end) in the node's subtree: one GROUP BY over the ledger."""
    earned = (
        ~Q(entries__kind=EntryKind.REDEEMED)
        & Q(entries__booked_at__gte=start, entries__booked_at__lt=end)
        & in_subtree(node, "entries__grid")
    )
    points = Sum("entries__points", filter=earned)
    return list(
        Volunteer.objects.annotate(points=points, hours=Sum("entries__hours", filter=earned))
        .filter(points__gt=0)
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .select_related("grid")
        .defer("grid__boundary")
        .order_by("-points", "name", "id")[:limit]
    )


def grid_ranking(*, node: GridNode, start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Grids of the node's subtree ranked by the points their volunteers earned in the period."""
    return list(
        PointsEntry.objects.filter(in_subtree(node, "grid"), booked_at__gte=start, booked_at__lt=end)
        .exclude(kind=EntryKind.REDEEMED)
        .values("grid_id", "grid__name", "grid__code")
        .annotate(points=Sum("points"), hours=Sum("hours"), volunteers=Count("volunteer", distinct=True))
        .order_by("-points", "grid__code")
    )


def period_bounds(
    period: str, *, today: datetime.date | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """'month', 'quarter' or 'year' up to today, as aware datetimes."""
    today = today or timezone.localdate()
    if period == "month":
        first = today.replace(day=1)
    elif period == "quarter":
        first = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    else:
        first = today.replace(month=1, day=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return start, end


def volunteer_list(*, user) -> QuerySet:
    return scope_queryset(
        user, Volunteer.objects.select_related("grid").defer("grid__boundary"), node_path="grid"
    ).order_by("name", "id")


def ledger(*, user, volunteer_id: int | None = None) -> QuerySet:
    queryset = scope_queryset(user, PointsEntry.objects.all(), node_path="grid")
    if volunteer_id:
        queryset = queryset.filter(volunteer_id=volunteer_id)
    return queryset.select_related("volunteer").order_by("-booked_at", "-id")


# --- windows and social workers -------------------------------------------------------------


def window_list(*, user) -> QuerySet:
    return scope_queryset(user, ServiceWindow.objects.select_related("node"), node_path="node").order_by(
        "code"
    )


def window_get(*, user, pk) -> ServiceWindow:
    return get_scoped_or_404(user, ServiceWindow.objects.select_related("node"), node_path="node", pk=pk)


def item_list() -> QuerySet:
    return ServiceItem.objects.select_related("department").order_by("code")


def on_duty(*, window: ServiceWindow, at: datetime.datetime, item: ServiceItem | None = None) -> QuerySet:
    """Who is on duty at window W at time T (and may serve item I): one query."""
    shifts = DutyShift.objects.filter(
        worker=OuterRef("pk"), kind=DutyKind.WINDOW, window=window, starts_at__lte=at, ends_at__gt=at
    )
    workers = SocialWorker.objects.filter(Exists(shifts), is_active=True)
    if item is not None:
        workers = workers.filter(items=item)
    return workers.select_related("user", "grid").defer("grid__boundary").order_by("user__username")


def uncovered_items(*, window: ServiceWindow, at: datetime.datetime) -> list[ServiceItem]:
    """Items that nobody on duty at the window at `at` may serve (should be none: 事项通办)."""
    covered = ServiceItem.objects.filter(
        qualified_workers__shifts__window=window,
        qualified_workers__shifts__starts_at__lte=at,
        qualified_workers__shifts__ends_at__gt=at,
        qualified_workers__is_active=True,
    )
    return list(ServiceItem.objects.exclude(pk__in=covered.values("pk")).order_by("code"))


def roster(*, user, day: datetime.date) -> list[DutyShift]:
    """The duty shifts of a day at the windows in the user's scope and in the grids of it."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    end = begin + datetime.timedelta(days=1)
    queryset = scope_queryset(user, DutyShift.objects.all(), node_path="node").filter(
        starts_at__lt=end, ends_at__gt=begin
    )
    item_count = (
        SocialWorker.items.through.objects.filter(socialworker_id=OuterRef("worker_id"))
        .values("socialworker_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return list(
        queryset.select_related("worker__user", "worker__grid", "window")
        .defer("worker__grid__boundary")
        .annotate(item_count=Coalesce(Subquery(item_count[:1]), 0))
        .order_by("kind", "window__code", "starts_at", "worker__user__username")
    )


def socialworker_list(*, user) -> QuerySet:
    items = (
        SocialWorker.items.through.objects.filter(socialworker_id=OuterRef("pk"))
        .values("socialworker_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        scope_queryset(user, SocialWorker.objects.filter(is_active=True), node_path="grid")
        .select_related("user", "grid")
        .defer("grid__boundary")
        .annotate(item_count=Coalesce(Subquery(items[:1]), 0))
        .order_by("user__username")
    )


def window_service_list(*, user) -> QuerySet:
    return (
        scope_queryset(user, WindowService.objects.all(), node_path="node")
        .select_related("window", "item", "worker", "resident")
        .order_by("-served_at", "-id")
    )


def window_service_counts(*, start: datetime.datetime, end: datetime.datetime) -> dict[int, int]:
    """Window services per worker (user id) in [start, end): what the evaluation counts like visits."""
    return dict(
        WindowService.objects.filter(served_at__gte=start, served_at__lt=end)
        .order_by()
        .values("worker_id")
        .annotate(n=Count("*"))
        .values_list("worker_id", "n")
    )


# --- the theme Party lecture rota (主题党课轮值) ------------------------------------------------


def lecture_list(*, user, year: int) -> QuerySet:
    """The lectures of a year the user's posts cover, with branch and lecturer (one query)."""
    return scope_queryset(
        user,
        LectureSlot.objects.filter(month__year=year).select_related(
            "branch", "lecturer", "lecturer__organization"
        ),
        node_path="node",
    ).order_by("month", "branch__code")


def lecture_get(*, user, pk) -> LectureSlot:
    return get_scoped_or_404(
        user,
        LectureSlot.objects.select_related("branch", "lecturer", "node"),
        node_path="node",
        pk=pk,
    )


def lecture_branches(*, user) -> QuerySet:
    """The grid branches whose lectures the user may see."""
    return scope_queryset(
        user, PartyOrganization.objects.filter(kind=OrgKind.GRID_BRANCH), node_path="node"
    ).order_by("code")


def lecturer_pool(*, user) -> QuerySet:
    """Who may lecture: the active secretaries, deputies and committee members of the
    organisations the user sees (general branches and grid branches)."""
    return scope_queryset(
        user,
        PartyMember.objects.filter(
            is_active=True,
            role__in=[MemberRole.SECRETARY, MemberRole.DEPUTY, MemberRole.COMMITTEE],
            organization__kind__in=[OrgKind.GENERAL_BRANCH, OrgKind.GRID_BRANCH],
        ).select_related("organization"),
        node_path="organization__node",
    ).order_by("organization__code", "pk")


def branch_members(*, slot: LectureSlot) -> QuerySet:
    """The members of the branch and its groups and households, who may be named as attendees."""
    branch = slot.branch
    return PartyMember.objects.filter(
        is_active=True,
        organization__tree_id=branch.tree_id,
        organization__lft__gte=branch.lft,
        organization__rght__lte=branch.rght,
    ).order_by("name", "pk")


# --- the social workers' certificates and training (三级教育培训) --------------------------------


def socialworker_get(*, user, pk) -> SocialWorker:
    return get_scoped_or_404(
        user,
        SocialWorker.objects.select_related("user", "grid").defer("grid__boundary"),
        node_path="grid",
        pk=pk,
    )


def socialworker_training_list(*, user, warn_before: datetime.date) -> QuerySet:
    """The social workers with their training hours and their certificates expiring by
    `warn_before` (two subqueries, one query whatever the numbers)."""
    hours = (
        TrainingRecord.objects.filter(worker_id=OuterRef("pk"))
        .values("worker_id")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    expiring = (
        Certificate.objects.filter(worker_id=OuterRef("pk"), expires_on__lte=warn_before)
        .values("worker_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return socialworker_list(user=user).annotate(
        training_hours=Coalesce(
            Subquery(hours[:1]),
            Value(Decimal("0")),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
        expiring_count=Coalesce(Subquery(expiring[:1]), 0),
    )


def training_hours_by_level(*, worker: SocialWorker) -> dict[str, Decimal]:
    return dict(
        TrainingRecord.objects.filter(worker=worker)
        .values_list("level")
        .annotate(h=Sum("hours"))
        .values_list("level", "h")
    )


# --- in-service Party members' own pages and their units' (在职党员) -----------------------------


def inservice_member_of(user) -> InServiceMember | None:
    """The user's own in-service membership (None for anyone else)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        InServiceMember.objects.filter(user_id=user.pk)
        .select_related("unit__alliance", "grid__parent", "resident__household__grid")
        .defer("grid__boundary", "grid__parent__boundary", "resident__household__grid__boundary")
        .first()
    )


def inservice_records(*, member: InServiceMember) -> QuerySet:
    return (
        InServiceRecord.objects.filter(member=member)
        .select_related("recorded_by")
        .order_by("-served_on", "-id")
    )


def inservice_hours(*, member: InServiceMember) -> dict:
    return InServiceRecord.objects.filter(member=member).aggregate(
        hours=Coalesce(Sum("hours"), Value(Decimal("0")), output_field=DecimalField()), count=Count("pk")
    )


def report_grids(*, member: InServiceMember) -> QuerySet:
    """The grids a member may report to: where they live when they are on the register, else any."""
    grids = (
        GridNode.objects.filter(kind="GRID").select_related("parent").defer("boundary", "parent__boundary")
    )
    if member.resident_id is not None:
        grids = grids.filter(pk=member.resident.household.grid_id)
    return grids.order_by("code")


def member_units(*, user) -> QuerySet:
    """The member units whose records the user may read: the units it is the contact of, and
    those under the alliances that its official or administrator posts cover."""
    from party.policy import SETUP_KINDS

    if user is None or not getattr(user, "is_authenticated", False):
        return MemberUnit.objects.none()
    scoped = scope_queryset(
        user, MemberUnit.objects.all(), node_path="alliance__node", post_kinds=SETUP_KINDS
    )
    members = (
        InServiceMember.objects.filter(unit=OuterRef("pk")).values("unit").annotate(n=Count("*")).values("n")
    )
    hours = (
        InServiceRecord.objects.filter(member__unit=OuterRef("pk"))
        .values("member__unit")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    return (
        MemberUnit.objects.filter(Q(contact_user_id=user.pk) | Q(pk__in=scoped.values("pk")))
        .select_related("alliance")
        .annotate(
            member_count=Coalesce(Subquery(members[:1]), 0),
            hours_served=Coalesce(Subquery(hours[:1]), Value(Decimal("0")), output_field=DecimalField()),
        )
        .order_by("alliance__name", "name")
    )


def member_unit_get(*, user, pk) -> MemberUnit:
    unit = member_units(user=user).filter(pk=pk).first()
    if unit is None:
        raise NotFound()
    return unit


def unit_members(*, unit: MemberUnit) -> QuerySet:
    """A unit's in-service members with where they reported and their hours (one query)."""
    hours = (
        InServiceRecord.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    records = (
        InServiceRecord.objects.filter(member=OuterRef("pk"))
        .values("member")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        InServiceMember.objects.filter(unit=unit)
        .select_related("grid__parent")
        .defer("grid__boundary", "grid__parent__boundary")
        .annotate(
            hours_served=Coalesce(Subquery(hours[:1]), Value(Decimal("0")), output_field=DecimalField()),
            record_count=Coalesce(Subquery(records[:1]), 0),
        )
        .order_by("name", "pk")
    )


def unit_records(*, unit: MemberUnit, limit: int = 100) -> list[InServiceRecord]:
    return list(
        InServiceRecord.objects.filter(member__unit=unit)
        .select_related("member", "grid")
        .defer("grid__boundary")
        .order_by("-served_on", "-id")[:limit]
    )


def inservice_record_for(*, user, pk) -> InServiceRecord:
    """A service record its reader may see: the member's own, the unit's contact's, or the
    staff's over the grid it was given in (404 for anyone else)."""
    record = InServiceRecord.objects.select_related("member__unit").filter(pk=pk).first()
    if record is None:
        raise NotFound()
    member = record.member
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return record
    if member_units(user=user).filter(pk=member.unit_id).exists():
        return record
    return get_scoped_or_404(user, InServiceRecord.objects.all(), node_path="grid", pk=pk)


# --- the duty rota by week and the services at the windows (全科社工) -----------------------------


def rota_shifts(*, user, start: datetime.date, days: int = 7) -> list[DutyShift]:
    """The duty shifts of `days` days from `start` at the windows the user sees and in the
    grids of its scope, with worker, home grid and window (one query whatever their number)."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    end = begin + datetime.timedelta(days=days)
    return list(
        scope_queryset(user, DutyShift.objects.all(), node_path="node")
        .filter(starts_at__lt=end, ends_at__gt=begin)
        .select_related("worker__user", "worker__grid", "window")
        .defer("worker__grid__boundary")
        .order_by("starts_at", "kind", "window__code", "worker__user__username", "pk")
    )


def shift_get(*, user, pk) -> DutyShift:
    return get_scoped_or_404(
        user, DutyShift.objects.select_related("worker__user", "window", "node"), node_path="node", pk=pk
    )


def socialworker_of(user) -> SocialWorker | None:
    """The user's own active social worker record (None for anyone else)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        SocialWorker.objects.filter(user_id=user.pk, is_active=True)
        .select_related("grid")
        .defer("grid__boundary")
        .first()
    )


def worker_shifts(
    *, worker: SocialWorker, start: datetime.datetime, end: datetime.datetime
) -> list[DutyShift]:
    return list(
        DutyShift.objects.filter(worker=worker, starts_at__lt=end, ends_at__gt=start)
        .select_related("window", "node")
        .defer("node__boundary")
        .order_by("starts_at")
    )


def window_services_of_day(*, window: ServiceWindow, day: datetime.date) -> list[WindowService]:
    """The services handled at a window on a day, newest first (one query)."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    return list(
        WindowService.objects.filter(
            window=window, served_at__gte=begin, served_at__lt=begin + datetime.timedelta(days=1)
        )
        .select_related("item", "worker", "resident")
        .order_by("-served_at", "-pk")
    )


def window_day_counts(*, windows: list[ServiceWindow], day: datetime.date) -> dict[int, dict]:
    """Per window: the services of a day and how many were done on the spot (one query)."""
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    rows = (
        WindowService.objects.filter(
            window__in=windows, served_at__gte=begin, served_at__lt=begin + datetime.timedelta(days=1)
        )
        .order_by()
        .values("window_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(outcome="DONE")), minutes=Sum("minutes"))
    )
    return {r["window_id"]: r for r in rows}
