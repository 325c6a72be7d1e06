"""Party-building alliances, their member units paired with grids, the in-service Party members
of the units who report to their grids, and the alliances' joint projects.

Officials and administrators over the alliance's node set all of it up; heads report progress
too; grid staff record what in-service members did in their grids (party.policy). A project's
status changes only through its django-fsm transitions, on the locked row.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import inputs, photos
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from party import policy
from party.models import (
    Alliance,
    InServiceMember,
    InServiceRecord,
    JointProject,
    MemberUnit,
    OrgKind,
    PartyOrganization,
    ProjectReport,
    ProjectStatus,
    UnitKind,
)
from party.services.common import CENT, HALF_HOUR
from residents.models import Resident

# The transition of JointProject that leads to each status a caller may ask for.
TRANSITION_TO = {
    ProjectStatus.IN_PROGRESS: "start",
    ProjectStatus.SUSPENDED: "suspend",
    ProjectStatus.COMPLETED: "complete",
}


def alliance_create(
    *,
    actor,
    lead: PartyOrganization,
    name: str,
    founded_on: datetime.date | None = None,
    description: str = "",
) -> Alliance:
    policy.require_setup(actor, lead.node)
    name = inputs.required("name", name)
    if lead.kind not in (OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH):
        raise InvalidInput.field("lead", _("An alliance is led by a working committee or a general branch."))
    if Alliance.objects.filter(name=name).exists():
        raise InvalidInput.field("name", _("An alliance with this name exists."))
    return Alliance.objects.create(
        lead=lead,
        node_id=lead.node_id,
        name=name,
        founded_on=founded_on,
        description=description,
        created_by=access.recorded(actor),
    )


def _check_grids(field: str, grids: list[GridNode], within: GridNode) -> None:
    for grid in grids:
        if grid.kind != NodeKind.GRID:
            raise InvalidInput.field(field, _("%(name)s is not a grid.") % {"name": grid.name})
        if not grid.is_descendant_of(within, include_self=True):
            raise InvalidInput.field(
                field,
                _("The grid %(name)s is outside %(area)s.") % {"name": grid.name, "area": within.name},
            )


def unit_join(
    *,
    actor,
    alliance: Alliance,
    name: str,
    kind: str,
    grids: Iterable[GridNode] = (),
    contact_name: str = "",
) -> MemberUnit:
    """A unit joins an alliance and is paired with grids of the alliance's territory."""
    policy.require_setup(actor, alliance.node)
    name = inputs.required("name", name)
    if kind not in UnitKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    grids = list(grids)
    _check_grids("grids", grids, alliance.node)
    if MemberUnit.objects.filter(name=name).exists():
        raise InvalidInput.field("name", _("A unit with this name exists."))
    with transaction.atomic():
        unit = MemberUnit.objects.create(
            alliance=alliance,
            name=name,
            kind=kind,
            contact_name=contact_name,
            created_by=access.recorded(actor),
        )
        unit.grids.set(grids)
    return unit


def inservice_member_add(
    *,
    actor,
    unit: MemberUnit,
    name: str,
    phone: str = "",
    resident: Resident | None = None,
    user=None,
) -> InServiceMember:
    """Register an in-service Party member of a unit (they report to a grid afterwards)."""
    policy.require_setup(actor, unit.alliance.node)
    name = inputs.required("name", name)
    return InServiceMember.objects.create(
        unit=unit,
        name=name,
        phone=inputs.phone(phone),
        resident=resident,
        user=user,
        created_by=access.recorded(actor),
    )


def inservice_member_report(
    *, actor, member: InServiceMember, grid: GridNode, at: datetime.datetime | None = None
) -> InServiceMember:
    """An in-service member reports (报到) to the grid where they live: they do it themselves,
    or the grid's staff do it for them (the staff of the grid they reported to before too)."""
    policy.require_actor(actor)
    member = InServiceMember.objects.select_related("resident__household", "grid").get(pk=member.pk)
    if not policy.is_user(actor, member.user_id):
        if member.grid is not None:
            policy.require_staff(actor, member.grid)
        policy.require_staff(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
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
    photo=None,
) -> InServiceRecord:
    """A service an in-service member gave in the grid they reported to, logged by the member
    themselves or by the grid's staff, with a photo optionally (cleaned by hlgrid.photos)."""
    policy.require_actor(actor)
    member = InServiceMember.objects.select_related("grid", "unit__alliance__node").get(pk=member.pk)
    if not policy.is_user(actor, member.user_id):
        # Not reported yet: only those over the unit's alliance learn that much.
        policy.require_staff(actor, member.grid or member.unit.alliance.node)
    description = inputs.required("description", description)
    if len(description) > 200:
        raise InvalidInput.field("description", _("At most 200 characters."))
    hours = inputs.decimal("hours", hours, minimum=HALF_HOUR)
    if hours > 24:
        raise InvalidInput.field("hours", _("A day has 24 hours."))
    if member.grid is None:
        raise InvalidInput.field("member", _("The member has not reported to a grid yet."))
    if served_on > timezone.localdate():
        raise InvalidInput.field("served_on", _("The date is in the future."))
    if served_on < timezone.localdate() - datetime.timedelta(days=366):
        raise InvalidInput.field("served_on", _("A service is logged within a year."))
    cleaned = _clean_photo(photo) if photo else None
    record = InServiceRecord(
        member=member,
        grid=member.grid,
        served_on=served_on,
        hours=hours,
        description=description,
        recorded_by=access.recorded(actor),
    )
    with transaction.atomic():
        if cleaned is not None:
            record.photo.save(cleaned.content.name, cleaned.content, save=False)
        record.save()
    return record


def _clean_photo(photo) -> photos.CleanPhoto:
    """The one photo cleaner; its refusal is named after the form's single `photo` field."""
    try:
        return photos.clean_all([photo], limit=1)[0]
    except InvalidInput as error:
        messages = [m for ms in error.errors.values() for m in ms] or [error.detail]
        raise InvalidInput(messages[0], errors={"photo": messages}) from None


def project_create(
    *,
    actor,
    alliance: Alliance,
    name: str,
    budget,
    units: Iterable[MemberUnit] = (),
    grids: Iterable[GridNode] = (),
    description: str = "",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
) -> JointProject:
    policy.require_setup(actor, alliance.node)
    name = inputs.required("name", name)
    budget = inputs.decimal("budget", budget, minimum=Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
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
            created_by=access.recorded(actor),
        )
        project.units.set(units)
        project.grids.set(grids)
    return project


def _locked(project: JointProject) -> JointProject:
    return JointProject.objects.select_for_update().select_related("node").get(pk=project.pk)


def project_set_status(*, actor, project: JointProject, status: str) -> JointProject:
    """Start, suspend, resume or complete a project (completing it sets the progress to 100%)."""
    policy.require_actor(actor)
    if status not in ProjectStatus.values:
        raise InvalidInput.field("status", _("Unknown status %(status)s.") % {"status": status})
    with transaction.atomic():
        project = _locked(project)
        policy.require_setup(actor, project.node)
        name = TRANSITION_TO.get(status)
        if name is None or not can_proceed(getattr(project, name)):
            raise TransitionNotAllowed(
                _("A project cannot go from %(old)s to %(new)s.")
                % {"old": ProjectStatus(project.status).label, "new": ProjectStatus(status).label}
            )
        getattr(project, name)()
        project.save(update_fields=["status", "progress"])
    return project


def project_report(
    *, actor, project: JointProject, progress: int, text: str, spent=Decimal("0"), at=None
) -> ProjectReport:
    """A progress report; the first one starts the project, one at 100% completes it."""
    policy.require_actor(actor)
    text = inputs.required("text", text)
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput.field("progress", _("Progress is a percentage from 0 to 100."))
    spent = inputs.decimal("spent", spent, minimum=Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    with transaction.atomic():
        project = _locked(project)
        policy.require_post(
            actor, project.node, policy.LEADING_KINDS, _("Only heads and officials over it report progress.")
        )
        if project.status in (ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED):
            raise TransitionNotAllowed(
                _("A %(status)s project takes no reports.") % {"status": ProjectStatus(project.status).label}
            )
        report = ProjectReport.objects.create(
            project=project,
            author=access.recorded(actor),
            reported_at=at or timezone.now(),
            progress=progress,
            spent=spent,
            text=text,
        )
        project.progress = progress
        if project.status == ProjectStatus.PLANNED:
            project.start()
        if progress == 100:
            project.complete()
        project.save(update_fields=["progress", "status"])
    return report
