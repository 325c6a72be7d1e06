"""Everything that changes the Party chain, alliances, the time bank and the service windows.

Tree writes run inside hlgrid.trees.tree_write("party"), which serialises writers (django-mptt
takes no locks). Points are booked in an append-only ledger; the volunteer's `balance` is
changed in the same transaction while the volunteer's row is locked (select_for_update), so
two concurrent redemptions cannot both spend the same points.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.access import scope_queryset
from grids.models import GridNode, NodeKind
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.trees import tree_write
from party.models import (
    ORG_CHILD_KIND,
    PROJECT_TRANSITIONS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Alliance,
    DutyKind,
    DutyShift,
    EntryKind,
    InServiceMember,
    InServiceRecord,
    JointProject,
    MemberRole,
    MemberUnit,
    OrgKind,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    ProjectReport,
    ProjectStatus,
    Redemption,
    Reward,
    ServiceItem,
    ServiceWindow,
    SignUp,
    SignUpStatus,
    SocialWorker,
    UnitKind,
    Volunteer,
    WindowService,
)
from residents.models import Building, Household, Resident

TREE = "party"
CENT = Decimal("0.01")
HALF_HOUR = Decimal("0.5")


def points_per_hour() -> Decimal:
    """The configured rate at which confirmed hours become points (settings.PARTY_POINTS_PER_HOUR)."""
    return Decimal(str(getattr(settings, "PARTY_POINTS_PER_HOUR", "10")))


def _required(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput.field(field, _("This field is required."))
    return value


def _decimal(field: str, value, *, minimum: Decimal | None = None) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput.field(field, _("Enter a number.")) from None
    if not number.is_finite():
        raise InvalidInput.field(field, _("Enter a number."))
    if minimum is not None and number < minimum:
        raise InvalidInput.field(field, _("Enter a number of at least %(min)s.") % {"min": minimum})
    return number


def _inside(node: GridNode, ancestor: GridNode) -> bool:
    return node.tree_id == ancestor.tree_id and ancestor.lft <= node.lft and node.rght <= ancestor.rght


def _in_scope(actor, node: GridNode) -> bool:
    return scope_queryset(actor, GridNode.objects.filter(pk=node.pk), node_path="").exists()


def _check_scope(actor, node: GridNode) -> None:
    if actor is not None and not _in_scope(actor, node):
        raise NotFound(_("Not found."))


# --- the chain (一核) ------------------------------------------------------------------------


def _territory(
    *,
    kind: str,
    parent: PartyOrganization | None,
    node: GridNode | None,
    grids: list[GridNode],
    buildings: list[Building],
    household: Household | None,
    contacts: list[Household],
    exclude_id: int | None = None,
) -> GridNode:
    """Check the territory against the kind and the parent's territory; return the anchor node."""
    if kind == OrgKind.WORKING_COMMITTEE:
        if node is None or node.kind != NodeKind.STREET:
            raise InvalidInput.field("node", _("A working committee covers a street."))
        return node
    if kind == OrgKind.GENERAL_BRANCH:
        if node is None or node.kind != NodeKind.COMMUNITY:
            raise InvalidInput.field("node", _("A general branch covers a community."))
        if not _inside(node, parent.node):
            raise InvalidInput.field(
                "node",
                _("The community %(name)s is outside the territory of %(parent)s.")
                % {"name": node.name, "parent": parent.name},
            )
        return node
    if kind == OrgKind.GRID_BRANCH:
        if not grids:
            raise InvalidInput.field("grids", _("A grid branch covers at least one grid."))
        for grid in grids:
            if grid.kind != NodeKind.GRID:
                raise InvalidInput.field("grids", _("%(name)s is not a grid.") % {"name": grid.name})
            if not _inside(grid, parent.node):
                raise InvalidInput.field(
                    "grids",
                    _("The grid %(name)s is outside the territory of %(parent)s.")
                    % {"name": grid.name, "parent": parent.name},
                )
        taken = PartyOrganization.objects.filter(kind=OrgKind.GRID_BRANCH, grids__in=grids)
        if exclude_id is not None:
            taken = taken.exclude(pk=exclude_id)
        clash = taken.values_list("name", "grids__name").filter(grids__in=grids).first()
        if clash:
            raise InvalidInput.field(
                "grids",
                _("The grid %(grid)s already belongs to %(branch)s.")
                % {"grid": clash[1], "branch": clash[0]},
            )
        return grids[0] if len(grids) == 1 else parent.node
    if kind == OrgKind.BUILDING_GROUP:
        if not buildings:
            raise InvalidInput.field("buildings", _("A building group covers at least one building."))
        allowed = set(parent.grids.values_list("pk", flat=True))
        for building in buildings:
            if building.grid_id not in allowed:
                raise InvalidInput.field(
                    "buildings",
                    _("The building %(name)s is outside the territory of %(parent)s.")
                    % {"name": building, "parent": parent.name},
                )
        grid_ids = {b.grid_id for b in buildings}
        return GridNode.objects.get(pk=grid_ids.pop()) if len(grid_ids) == 1 else parent.node
    if kind == OrgKind.CENTRAL_HOUSEHOLD:
        if household is None:
            raise InvalidInput.field("household", _("A central household is a household."))
        allowed = set(parent.buildings.values_list("pk", flat=True))
        for field, items in (("household", [household]), ("contact_households", contacts)):
            for item in items:
                if item.unit.building_id not in allowed:
                    raise InvalidInput.field(
                        field,
                        _("The household %(name)s is outside the territory of %(parent)s.")
                        % {"name": item, "parent": parent.name},
                    )
        if household in contacts:
            raise InvalidInput.field(
                "contact_households", _("A household does not keep contact with itself.")
            )
        return household.grid
    raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})


def _check_kind(*, kind: str, parent: PartyOrganization | None) -> None:
    if kind not in OrgKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if parent is None:
        if kind != OrgKind.WORKING_COMMITTEE:
            raise InvalidInput.field("parent", _("Only a working committee stands at the top of the chain."))
        return
    expected = ORG_CHILD_KIND.get(parent.kind)
    if expected is None:
        raise InvalidInput.field("parent", _("A central household has no organisations under it."))
    if kind != expected:
        raise InvalidInput.field(
            "kind",
            _("Under a %(parent)s comes a %(expected)s, not a %(kind)s.")
            % {
                "parent": OrgKind(parent.kind).label,
                "expected": OrgKind(expected).label,
                "kind": OrgKind(kind).label,
            },
        )


def org_create(
    *,
    parent: PartyOrganization | None,
    kind: str,
    code: str,
    name: str,
    node: GridNode | None = None,
    grids: Iterable[GridNode] = (),
    buildings: Iterable[Building] = (),
    household: Household | None = None,
    contact_households: Iterable[Household] = (),
) -> PartyOrganization:
    name = _required("name", name)
    code = _required("code", code)
    grids, buildings, contacts = list(grids), list(buildings), list(contact_households)
    with tree_write(TREE):
        if parent is not None:
            parent = PartyOrganization.objects.select_related("node").get(pk=parent.pk)  # fresh lft/rght
        _check_kind(kind=kind, parent=parent)
        if PartyOrganization.objects.filter(code=code).exists():
            raise InvalidInput.field("code", _("The code %(code)s is already used.") % {"code": code})
        anchor = _territory(
            kind=kind,
            parent=parent,
            node=node,
            grids=grids,
            buildings=buildings,
            household=household,
            contacts=contacts,
        )
        org = PartyOrganization(
            parent=parent, kind=kind, code=code, name=name, node=anchor, household=household
        )
        org.save()
        if grids:
            org.grids.set(grids)
        if buildings:
            org.buildings.set(buildings)
        if contacts:
            org.contact_households.set(contacts)
    return org


def org_set_contacts(*, org: PartyOrganization, households: Iterable[Household]) -> PartyOrganization:
    """Replace the neighbouring households a central household keeps contact with."""
    households = list(households)
    with tree_write(TREE):
        org = PartyOrganization.objects.select_related("parent", "household").get(pk=org.pk)
        if org.kind != OrgKind.CENTRAL_HOUSEHOLD:
            raise InvalidInput.field("kind", _("Only a central household keeps contact with households."))
        _territory(
            kind=org.kind,
            parent=org.parent,
            node=None,
            grids=[],
            buildings=[],
            household=org.household,
            contacts=households,
        )
        org.contact_households.set(households)
    return org


def org_delete(*, org: PartyOrganization) -> None:
    """Dissolve an organisation that has no organisations and no active members under it."""
    with tree_write(TREE):
        org = PartyOrganization.objects.get(pk=org.pk)
        if not org.is_leaf_node():
            raise TransitionNotAllowed(_("Dissolve or move the organisations under it first."))
        if org.members.filter(is_active=True).exists():
            raise TransitionNotAllowed(_("Move its members to another organisation first."))
        if org.alliances.exists() or org.activities.exists():
            raise TransitionNotAllowed(_("It leads alliances or activities; it cannot be dissolved."))
        org.grids.clear()
        org.buildings.clear()
        org.contact_households.clear()
        org.delete()


def member_add(
    *,
    organization: PartyOrganization,
    name: str = "",
    resident: Resident | None = None,
    user=None,
    role: str = MemberRole.MEMBER,
    joined_on: datetime.date | None = None,
) -> PartyMember:
    """Add a Party member to an organisation. A resident member must be a Party member and live
    within the organisation's territory."""
    if role not in MemberRole.values:
        raise InvalidInput.field("role", _("Unknown role %(role)s.") % {"role": role})
    if resident is not None:
        resident = Resident.objects.select_related("household__grid").get(pk=resident.pk)
        if not resident.is_party_member:
            raise InvalidInput.field(
                "resident", _("%(name)s is not a Party member.") % {"name": resident.name}
            )
        if not _inside(resident.household.grid, organization.node):
            raise InvalidInput.field(
                "resident",
                _("%(name)s does not live within the territory of %(org)s.")
                % {"name": resident.name, "org": organization.name},
            )
        name = name or resident.name
    name = _required("name", name)
    try:
        with transaction.atomic():
            return PartyMember.objects.create(
                organization=organization,
                resident=resident,
                user=user,
                name=name,
                role=role,
                joined_on=joined_on,
            )
    except IntegrityError:
        if role == MemberRole.SECRETARY:
            raise InvalidInput.field("role", _("This organisation already has a secretary.")) from None
        raise InvalidInput.field("resident", _("This resident already belongs to an organisation.")) from None


# --- alliances, units, in-service members, joint projects --------------------------------------


def alliance_create(
    *,
    lead: PartyOrganization,
    name: str,
    founded_on: datetime.date | None = None,
    description: str = "",
) -> Alliance:
    name = _required("name", name)
    if lead.kind not in (OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH):
        raise InvalidInput.field("lead", _("An alliance is led by a working committee or a general branch."))
    if Alliance.objects.filter(name=name).exists():
        raise InvalidInput.field("name", _("An alliance with this name exists."))
    return Alliance.objects.create(
        lead=lead, node_id=lead.node_id, name=name, founded_on=founded_on, description=description
    )


def _check_grids(field: str, grids: list[GridNode], within: GridNode) -> None:
    for grid in grids:
        if grid.kind != NodeKind.GRID:
            raise InvalidInput.field(field, _("%(name)s is not a grid.") % {"name": grid.name})
        if not _inside(grid, within):
            raise InvalidInput.field(
                field,
                _("The grid %(name)s is outside %(area)s.") % {"name": grid.name, "area": within.name},
            )


def unit_join(
    *, alliance: Alliance, name: str, kind: str, grids: Iterable[GridNode] = (), contact_name: str = ""
) -> MemberUnit:
    """A unit joins an alliance and is paired with grids of the alliance's territory."""
    name = _required("name", name)
    if kind not in UnitKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    grids = list(grids)
    _check_grids("grids", grids, alliance.node)
    if MemberUnit.objects.filter(name=name).exists():
        raise InvalidInput.field("name", _("A unit with this name exists."))
    with transaction.atomic():
        unit = MemberUnit.objects.create(alliance=alliance, name=name, kind=kind, contact_name=contact_name)
        unit.grids.set(grids)
    return unit


def inservice_member_add(
    *, unit: MemberUnit, name: str, phone: str = "", resident: Resident | None = None, user=None
) -> InServiceMember:
    name = _required("name", name)
    if phone:
        from residents.services import phone_normalise

        phone = phone_normalise(phone)
    return InServiceMember.objects.create(unit=unit, name=name, phone=phone, resident=resident, user=user)


def inservice_member_report(
    *, member: InServiceMember, grid: GridNode, at: datetime.datetime | None = None
) -> InServiceMember:
    """An in-service member reports (报到) to the grid where they live."""
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
    member = InServiceMember.objects.select_related("resident__household").get(pk=member.pk)
    if member.resident is not None and member.resident.household.grid_id != grid.pk:
        raise InvalidInput.field("grid", _("An in-service member reports to the grid where they live."))
    member.grid = grid
    member.reported_at = at or timezone.now()
    member.save(update_fields=["grid", "reported_at"])
    return member


def inservice_service_record(
    *,
    actor,
    member: InServiceMember,
    served_on: datetime.date,
    hours,
    description: str,
) -> InServiceRecord:
    """Record a service an in-service member gave in the grid they reported to."""
    description = _required("description", description)
    hours = _decimal("hours", hours, minimum=HALF_HOUR)
    if hours > 24:
        raise InvalidInput.field("hours", _("A day has 24 hours."))
    member = InServiceMember.objects.select_related("grid").get(pk=member.pk)
    if member.grid is None:
        raise InvalidInput.field("member", _("The member has not reported to a grid yet."))
    _check_scope(actor, member.grid)
    if served_on > timezone.localdate():
        raise InvalidInput.field("served_on", _("The date is in the future."))
    return InServiceRecord.objects.create(
        member=member,
        grid=member.grid,
        served_on=served_on,
        hours=hours,
        description=description,
        recorded_by=actor,
    )


def project_create(
    *,
    alliance: Alliance,
    name: str,
    budget,
    units: Iterable[MemberUnit] = (),
    grids: Iterable[GridNode] = (),
    description: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> JointProject:
    name = _required("name", name)
    budget = _decimal("budget", budget, minimum=Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    units, grids = list(units), list(grids)
    for unit in units:
        if unit.alliance_id != alliance.pk:
            raise InvalidInput.field(
                "units", _("%(name)s is not a member of this alliance.") % {"name": unit.name}
            )
    _check_grids("grids", grids, alliance.node)
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput.field("ends_on", _("The end is before the start."))
    with transaction.atomic():
        project = JointProject.objects.create(
            alliance=alliance,
            node_id=alliance.node_id,
            name=name,
            budget=budget,
            description=description,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        project.units.set(units)
        project.grids.set(grids)
    return project


def project_set_status(*, actor, project: JointProject, status: str) -> JointProject:
    if status not in ProjectStatus.values:
        raise InvalidInput.field("status", _("Unknown status %(status)s.") % {"status": status})
    with transaction.atomic():
        project = JointProject.objects.select_for_update().get(pk=project.pk)
        _check_scope(actor, project.node)
        if status not in PROJECT_TRANSITIONS.get(project.status, set()):
            raise TransitionNotAllowed(
                _("A project cannot go from %(old)s to %(new)s.")
                % {
                    "old": ProjectStatus(project.status).label,
                    "new": ProjectStatus(status).label if status in ProjectStatus.values else status,
                }
            )
        project.status = status
        fields = ["status"]
        if status == ProjectStatus.COMPLETED:
            project.progress = 100
            fields.append("progress")
        project.save(update_fields=fields)
    return project


def project_report(
    *, actor, project: JointProject, progress: int, text: str, spent=Decimal("0"), at=None
) -> ProjectReport:
    """A progress report; the first one starts the project, one at 100% completes it."""
    text = _required("text", text)
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput.field("progress", _("Progress is a percentage from 0 to 100."))
    spent = _decimal("spent", spent, minimum=Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    with transaction.atomic():
        project = JointProject.objects.select_for_update().get(pk=project.pk)
        _check_scope(actor, project.node)
        if project.status in (ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED):
            raise TransitionNotAllowed(
                _("A %(status)s project takes no reports.") % {"status": ProjectStatus(project.status).label}
            )
        report = ProjectReport.objects.create(
            project=project,
            author=actor,
            reported_at=at or timezone.now(),
            progress=progress,
            spent=spent,
            text=text,
        )
        project.progress = progress
        if project.status == ProjectStatus.PLANNED:
            project.status = ProjectStatus.IN_PROGRESS
        if progress == 100:
            project.status = ProjectStatus.COMPLETED
        project.save(update_fields=["progress", "status"])
    return report


# --- the volunteer time bank ------------------------------------------------------------------


def volunteer_register(
    *,
    name: str = "",
    grid: GridNode | None = None,
    user=None,
    resident: Resident | None = None,
    in_service_member: InServiceMember | None = None,
) -> Volunteer:
    """Register a volunteer; a resident's home grid is where they live, an in-service member's
    the grid they reported to."""
    if resident is not None:
        resident = Resident.objects.select_related("household").get(pk=resident.pk)
        name = name or resident.name
        grid = grid or resident.household.grid
    if in_service_member is not None:
        name = name or in_service_member.name
        grid = grid or in_service_member.grid
    name = _required("name", name)
    if grid is None or grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("A volunteer belongs to a grid."))
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                name=name, grid=grid, user=user, resident=resident, in_service_member=in_service_member
            )
    except IntegrityError:
        raise InvalidInput.field("user", _("This person is already a volunteer.")) from None


def activity_create(
    *,
    actor,
    title: str,
    grid: GridNode,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = ActivityKind.SERVICE,
    capacity: int = 20,
    theme: str = "",
    place: str = "",
    description: str = "",
    organization: PartyOrganization | None = None,
    lecturer: PartyMember | None = None,
    rate: Decimal | None = None,
) -> Activity:
    """An activity in a grid of the organiser's scope, its rate fixed when it is created."""
    title = _required("title", title)
    if kind not in ActivityKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
    _check_scope(actor, grid)
    if ends_at <= starts_at:
        raise InvalidInput.field("ends_at", _("The end is before the start."))
    if capacity < 1:
        raise InvalidInput.field("capacity", _("An activity has at least one place."))
    if kind == ActivityKind.MONTHLY_THEME and not theme.strip():
        raise InvalidInput.field("theme", _("A monthly theme service has a theme."))
    if kind == ActivityKind.PARTY_LECTURE and lecturer is None:
        raise InvalidInput.field("lecturer", _("A theme Party lecture has a lecturer."))
    if (
        organization is not None
        and not _inside(grid, organization.node)
        and not _inside(organization.node, grid)
    ):
        raise InvalidInput.field("organization", _("The organisation does not cover this grid."))
    return Activity.objects.create(
        title=title,
        kind=kind,
        theme=theme.strip(),
        grid=grid,
        organiser=actor,
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        organization=organization,
        lecturer=lecturer,
        points_per_hour=rate if rate is not None else points_per_hour(),
    )


def signup_create(
    *, volunteer: Volunteer, activity: Activity, now: datetime.datetime | None = None
) -> SignUp:
    now = now or timezone.now()
    with transaction.atomic():
        # The activity row is the lock that keeps the places count honest.
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != ActivityStatus.OPEN or now >= activity.ends_at:
            raise TransitionNotAllowed(_("This activity is no longer open for sign-up."))
        taken = activity.signups.filter(status__in=[SignUpStatus.SIGNED_UP, SignUpStatus.CONFIRMED]).count()
        existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
        if existing is not None and existing.status != SignUpStatus.CANCELLED:
            raise InvalidInput.field("activity", _("You have already signed up for this activity."))
        if taken >= activity.capacity:
            raise InvalidInput.field("activity", _("This activity is full."))
        if existing is not None:
            existing.status = SignUpStatus.SIGNED_UP
            existing.signed_up_at = now
            existing.save(update_fields=["status", "signed_up_at"])
            return existing
        return SignUp.objects.create(activity=activity, volunteer=volunteer, signed_up_at=now)


def signup_cancel(*, volunteer: Volunteer, signup: SignUp, now: datetime.datetime | None = None) -> SignUp:
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity").get(pk=signup.pk)
        if signup.volunteer_id != volunteer.pk:
            raise NotFound(_("Not found."))
        if signup.status != SignUpStatus.SIGNED_UP or now >= signup.activity.starts_at:
            raise TransitionNotAllowed(_("This sign-up can no longer be cancelled."))
        signup.status = SignUpStatus.CANCELLED
        signup.save(update_fields=["status"])
    return signup


def _check_organiser(actor, activity: Activity) -> None:
    """The organiser, or someone whose posts cover the activity's grid, confirms attendance."""
    if actor is None:
        return
    if activity.organiser_id == actor.pk:
        return
    if not _in_scope(actor, activity.grid):
        raise Forbidden(_("Only the organiser or the grid's staff may confirm attendance."))


def _book(
    *,
    volunteer_id: int,
    kind: str,
    points: Decimal,
    actor,
    now: datetime.datetime,
    hours: Decimal = Decimal("0"),
    signup: SignUp | None = None,
    redemption: Redemption | None = None,
    corrects: PointsEntry | None = None,
    note: str = "",
) -> PointsEntry:
    """Book one ledger entry and move the balance; the caller holds the volunteer's row lock."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.balance + points < 0:
        raise InvalidInput.field(
            "points",
            _("Not enough points: the balance is %(balance)s, %(needed)s are needed.")
            % {"balance": volunteer.balance, "needed": -points},
        )
    entry = PointsEntry.objects.create(
        volunteer_id=volunteer_id,
        grid_id=volunteer.grid_id,
        kind=kind,
        points=points,
        hours=hours,
        signup=signup,
        redemption=redemption,
        corrects=corrects,
        note=note,
        booked_at=now,
        booked_by=actor,
    )
    Volunteer.objects.filter(pk=volunteer_id).update(balance=F("balance") + points)
    return entry


def signup_confirm(
    *, actor, signup: SignUp, hours, now: datetime.datetime | None = None
) -> tuple[SignUp, PointsEntry]:
    """The organiser confirms attendance and hours; the hours become points at the activity's rate."""
    now = now or timezone.now()
    hours = _decimal("hours", hours, minimum=HALF_HOUR)
    if hours % HALF_HOUR:
        raise InvalidInput.field("hours", _("Hours are counted in half hours."))
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity__grid").get(pk=signup.pk)
        activity = signup.activity
        _check_organiser(actor, activity)
        if signup.status != SignUpStatus.SIGNED_UP:
            raise TransitionNotAllowed(
                _("This sign-up is %(status)s.") % {"status": SignUpStatus(signup.status).label}
            )
        if activity.status == ActivityStatus.CANCELLED:
            raise TransitionNotAllowed(_("The activity was cancelled."))
        if now < activity.starts_at:
            raise TransitionNotAllowed(_("Attendance is confirmed once the activity has started."))
        longest = Decimal((activity.ends_at - activity.starts_at).total_seconds()) / 3600
        if hours > longest.quantize(HALF_HOUR, rounding=ROUND_HALF_UP).max(HALF_HOUR):
            raise InvalidInput.field(
                "hours",
                _("The activity lasted %(hours)s hours.") % {"hours": longest.quantize(Decimal("0.1"))},
            )
        signup.status = SignUpStatus.CONFIRMED
        signup.hours = hours
        signup.confirmed_at = now
        signup.confirmed_by = actor
        signup.save(update_fields=["status", "hours", "confirmed_at", "confirmed_by"])
        points = (hours * activity.points_per_hour).quantize(CENT, rounding=ROUND_HALF_UP)
        entry = _book(
            volunteer_id=signup.volunteer_id,
            kind=EntryKind.EARNED,
            points=points,
            hours=hours,
            actor=actor,
            now=now,
            signup=signup,
            note=activity.title[:200],
        )
    return signup, entry


def signup_mark_absent(*, actor, signup: SignUp, now: datetime.datetime | None = None) -> SignUp:
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity__grid").get(pk=signup.pk)
        _check_organiser(actor, signup.activity)
        if signup.status != SignUpStatus.SIGNED_UP:
            raise TransitionNotAllowed(
                _("This sign-up is %(status)s.") % {"status": SignUpStatus(signup.status).label}
            )
        if now < signup.activity.starts_at:
            raise TransitionNotAllowed(_("Attendance is confirmed once the activity has started."))
        signup.status = SignUpStatus.ABSENT
        signup.confirmed_at = now
        signup.confirmed_by = actor
        signup.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return signup


def points_correct(
    *, actor, entry: PointsEntry, points, note: str, now: datetime.datetime | None = None
) -> PointsEntry:
    """Correct an entry with a new one (the ledger is never edited). `points` is the change."""
    note = _required("note", note)
    points = _decimal("points", points).quantize(CENT, rounding=ROUND_HALF_UP)
    if points == 0:
        raise InvalidInput.field("points", _("A correction changes the points."))
    now = now or timezone.now()
    with transaction.atomic():
        entry = PointsEntry.objects.select_related("volunteer__grid").get(pk=entry.pk)
        _check_scope(actor, entry.volunteer.grid)
        return _book(
            volunteer_id=entry.volunteer_id,
            kind=EntryKind.CORRECTION,
            points=points,
            actor=actor,
            now=now,
            corrects=entry,
            note=note[:200],
        )


def reward_redeem(
    *, volunteer: Volunteer, reward: Reward, now: datetime.datetime | None = None
) -> Redemption:
    """Spend points on a reward. The volunteer's row is locked first (then the reward's), so
    concurrent redemptions queue up and the second sees the first one's balance."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        if not reward.is_active:
            raise InvalidInput.field("reward", _("This reward is no longer offered."))
        if reward.stock is not None and reward.stock < 1:
            raise InvalidInput.field("reward", _("This reward is out of stock."))
        if locked.balance < reward.price:
            raise InvalidInput.field(
                "reward",
                _("Not enough points: the balance is %(balance)s, the reward costs %(price)s.")
                % {"balance": locked.balance, "price": reward.price},
            )
        redemption = Redemption.objects.create(
            volunteer=locked, reward=reward, points=reward.price, redeemed_at=now
        )
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
        _book(
            volunteer_id=locked.pk,
            kind=EntryKind.REDEEMED,
            points=-reward.price,
            actor=locked.user,
            now=now,
            redemption=redemption,
            note=reward.name[:200],
        )
    return redemption


def activity_cancel(*, actor, activity: Activity) -> Activity:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().select_related("grid").get(pk=activity.pk)
        _check_organiser(actor, activity)
        if activity.status != ActivityStatus.OPEN:
            raise TransitionNotAllowed(_("Only an open activity can be cancelled."))
        if activity.signups.filter(status=SignUpStatus.CONFIRMED).exists():
            raise TransitionNotAllowed(_("Points were already booked for this activity."))
        activity.status = ActivityStatus.CANCELLED
        activity.save(update_fields=["status"])
    return activity


def activity_close_finished(*, now: datetime.datetime) -> dict:
    """Sweeper: open activities that have ended are finished (one UPDATE)."""
    closed = Activity.objects.filter(status=ActivityStatus.OPEN, ends_at__lte=now).update(
        status=ActivityStatus.FINISHED
    )
    return {"finished": closed}


# --- social workers and service windows -------------------------------------------------------


def socialworker_add(*, user, grid: GridNode, items: Iterable[ServiceItem] = ()) -> SocialWorker:
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
    try:
        with transaction.atomic():
            worker = SocialWorker.objects.create(user=user, grid=grid)
            worker.items.set(list(items))
    except IntegrityError:
        raise InvalidInput.field("user", _("This user is already a social worker.")) from None
    return worker


def qualification_grant(*, worker: SocialWorker, items: Iterable[ServiceItem]) -> SocialWorker:
    worker.items.add(*list(items))
    return worker


def qualification_revoke(*, worker: SocialWorker, items: Iterable[ServiceItem]) -> SocialWorker:
    worker.items.remove(*list(items))
    return worker


def duty_shift_add(
    *,
    worker: SocialWorker,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    window: ServiceWindow | None = None,
) -> DutyShift:
    """Put a worker on window duty or on duty in their grid; a worker is in one place at a time."""
    if kind not in DutyKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if (kind == DutyKind.WINDOW) != (window is not None):
        raise InvalidInput.field("window", _("Window duty names a window, and only window duty does."))
    if ends_at <= starts_at:
        raise InvalidInput.field("ends_at", _("The end is before the start."))
    with transaction.atomic():
        worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
        if not worker.is_active:
            raise InvalidInput.field("worker", _("This social worker is not active."))
        if DutyShift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise InvalidInput.field("starts_at", _("The worker is already on duty at that time."))
        return DutyShift.objects.create(
            worker=worker,
            kind=kind,
            window=window,
            node_id=window.node_id if window is not None else worker.grid_id,
            starts_at=starts_at,
            ends_at=ends_at,
        )


def duty_rota_generate(
    *,
    start: datetime.date,
    days: int,
    per_window: int,
    windows: Iterable[ServiceWindow] | None = None,
    hours: tuple[datetime.time, datetime.time] = (datetime.time(8, 30), datetime.time(17, 0)),
) -> list[DutyShift]:
    """Rotate the active workers between window duty and grid duty (轮岗), working days only.

    Each day the next `per_window` workers in turn sit at each window and every other worker
    is on duty in their grid. Days that already have shifts are left alone.
    """
    windows = list(windows if windows is not None else ServiceWindow.objects.order_by("code"))
    workers = list(SocialWorker.objects.filter(is_active=True).order_by("pk"))
    if per_window < 1 or not windows or len(workers) < per_window * len(windows):
        raise InvalidInput.field("per_window", _("There are not enough social workers for the windows."))
    shifts: list[DutyShift] = []
    turn = 0
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            begin = datetime.datetime.combine(day, hours[0], tzinfo=tz)
            end = datetime.datetime.combine(day, hours[1], tzinfo=tz)
            if DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=begin).exists():
                continue
            at_window = set()
            for window in windows:
                for _slot in range(per_window):
                    worker = workers[turn % len(workers)]
                    turn += 1
                    at_window.add(worker.pk)
                    shifts.append(
                        DutyShift(
                            worker=worker,
                            kind=DutyKind.WINDOW,
                            window=window,
                            node_id=window.node_id,
                            starts_at=begin,
                            ends_at=end,
                        )
                    )
            for worker in workers:
                if worker.pk not in at_window:
                    shifts.append(
                        DutyShift(
                            worker=worker,
                            kind=DutyKind.GRID,
                            node_id=worker.grid_id,
                            starts_at=begin,
                            ends_at=end,
                        )
                    )
        DutyShift.objects.bulk_create(shifts, batch_size=2_000)
    return shifts


def window_service_record(
    *,
    actor,
    window: ServiceWindow,
    item: ServiceItem,
    served_at: datetime.datetime | None = None,
    minutes: int,
    resident: Resident | None = None,
    notes: str = "",
) -> WindowService:
    """A social worker on duty at the window records an item served (一人在岗、事项通办)."""
    served_at = served_at or timezone.now()
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise InvalidInput.field("minutes", _("The time taken is between 1 and 600 minutes."))
    worker = SocialWorker.objects.filter(user=actor, is_active=True).first()
    if worker is None:
        raise Forbidden(_("Only a social worker records window services."))
    if not worker.items.filter(pk=item.pk).exists():
        raise InvalidInput.field("item", _("You are not qualified for %(item)s.") % {"item": item.name})
    on_duty = DutyShift.objects.filter(
        worker=worker, kind=DutyKind.WINDOW, window=window, starts_at__lte=served_at, ends_at__gt=served_at
    ).exists()
    if not on_duty:
        raise InvalidInput.field(
            "window", _("You are not on duty at %(window)s at that time.") % {"window": window}
        )
    return WindowService.objects.create(
        window=window,
        node_id=window.node_id,
        item=item,
        worker=actor,
        resident=resident,
        served_at=served_at,
        minutes=minutes,
        notes=notes[:200],
    )


def uncovered_items(*, window: ServiceWindow, at: datetime.datetime) -> list[ServiceItem]:
    """Items that nobody on duty at the window at `at` may serve (should be none: 事项通办)."""
    covered = ServiceItem.objects.filter(
        qualified_workers__shifts__window=window,
        qualified_workers__shifts__starts_at__lte=at,
        qualified_workers__shifts__ends_at__gt=at,
        qualified_workers__is_active=True,
    )
    return list(ServiceItem.objects.exclude(pk__in=covered.values("pk")).order_by("code"))
