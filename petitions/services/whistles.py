"""Escalation beyond the grid: 街区吹哨 (a street official summons departments) and 部门报到
(each summoned department checks in before its own deadline, then reports its action)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grids import access, cities
from grids.models import Department, GridNode, NodeKind, PostKind
from hlgrid import inputs
from hlgrid.changes import node_changed
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.lights import light_at
from petitions import timers
from petitions.models import (
    FINAL_STATUSES,
    CheckIn,
    NotificationKind,
    Petition,
    Status,
    Whistle,
    WhistleStatus,
)
from petitions.services.common import event, load, require_actor
from petitions.services.notifications import notify

LEADING = [PostKind.OFFICIAL, PostKind.HEAD]
# The states in which a petition's page offers the whistle (being classified or handled).
OFFERED_AT = frozenset({Status.VERIFIED, Status.ESCALATED, Status.HANDLING})


def street_of(petition: Petition) -> GridNode | None:
    """The street a petition's whistle is blown in: the street above its grid."""
    return petition.grid.get_ancestors().filter(kind=NodeKind.STREET).first()


def may_blow(actor, street: GridNode | None) -> bool:
    """The whistle rule: an official or head over the street (a street official, or above)."""
    return (
        street is not None and street.kind == NodeKind.STREET and access.covers(actor, street, kinds=LEADING)
    )


def whistle_allowed(*, actor, petition: Petition) -> bool:
    """Whether `actor` may blow the whistle on this petition now (the page offers it only then)."""
    return petition.status in OFFERED_AT and may_blow(actor, street_of(petition))


def whistle_blow(
    *,
    actor,
    title: str,
    departments: list[Department],
    checkin_hours: int = 24,
    description: str = "",
    petition: Petition | None = None,
    street: GridNode | None = None,
    now: datetime | None = None,
) -> Whistle:
    """A street official summons departments; each must check in before its own deadline."""
    require_actor(actor)
    title = inputs.required("title", title, _("Give the whistle a title."))
    if not departments:
        raise InvalidInput.field("departments", _("Summon at least one department."))
    if not isinstance(checkin_hours, int) or not 1 <= checkin_hours <= 24 * 14:
        raise InvalidInput.field("checkin_hours", _("The check-in deadline is 1 to 336 hours away."))
    now = now or timezone.now()
    with transaction.atomic():
        if petition is not None:
            petition = load(petition)
            street = street_of(petition)
            if petition.status in FINAL_STATUSES:
                raise TransitionNotAllowed(_("This petition is finished."))
        if street is None or street.kind != NodeKind.STREET:
            raise InvalidInput.field("street", _("Choose the street."))
        if not may_blow(actor, street):
            # Someone who works in or over the street learns why; anyone else, nothing.
            if not access.reaches(actor, street):
                raise NotFound()
            raise Forbidden(_("Only a street official may blow the whistle."))
        city_id = cities.city_id_of(street)
        if any(department.city_id != city_id for department in departments):
            raise InvalidInput.field("departments", _("Not one of this city's."))
        due = now + timedelta(hours=checkin_hours)
        whistle = Whistle.objects.create(
            street=street,
            petition=petition,
            title=title[:120],
            description=(description or "").strip(),
            blown_by=access.recorded(actor),
            blown_at=now,
            deadline=due,
        )
        node_changed(whistle.street_id)
        summoned = list({d.pk: d for d in departments}.values())
        CheckIn.objects.bulk_create(
            [
                CheckIn(whistle=whistle, department=d, due_at=due, warn_at=timers.warn_before(now, due))
                for d in summoned
            ]
        )
        if petition is not None:
            event(petition, actor=actor, action="whistle", before=petition.status, note=title, at=now)
        notify(
            recipients=access.department_users(*(d.pk for d in summoned)),
            kind=NotificationKind.WHISTLE,
            whistle=whistle,
            petition=petition,
            text=title,
            dedupe=f"whistle:{whistle.pk}",
            now=now,
        )
    return whistle


def _checkin_for(actor, checkin: CheckIn | int) -> CheckIn:
    """The check-in under a row lock, for the staff of its own department only (else 404)."""
    require_actor(actor)
    try:
        pk = checkin.pk if isinstance(checkin, CheckIn) else int(checkin)
    except (TypeError, ValueError):
        raise NotFound() from None
    checkin = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("whistle__street")
        .filter(pk=pk)
        .first()
    )
    if checkin is None:
        raise NotFound()
    if not access.standing(actor, checkin.whistle.street, department_id=checkin.department_id).department:
        raise NotFound()
    return checkin


def checkin_record(*, actor, checkin: CheckIn | int, now: datetime | None = None) -> CheckIn:
    """部门报到: the department shows up (late if after its deadline; the light keeps that)."""
    now = now or timezone.now()
    with transaction.atomic():
        checkin = _checkin_for(actor, checkin)
        if checkin.checked_in_at is not None:
            raise TransitionNotAllowed(_("This department has already checked in."))
        if checkin.whistle.status != WhistleStatus.OPEN:
            raise TransitionNotAllowed(_("This whistle is closed."))
        checkin.checked_in_at = now
        checkin.checked_in_by = access.recorded(actor)
        checkin.light = light_at(
            due_at=checkin.due_at, warn_at=checkin.warn_at, stored=checkin.light, now=now
        )
        node_changed(checkin.whistle.street_id)
        checkin.save(update_fields=["checked_in_at", "checked_in_by", "light"])
    return checkin


def checkin_report(*, actor, checkin: CheckIn | int, report: str, now: datetime | None = None) -> CheckIn:
    report = inputs.required("report", report, _("Describe what the department did."))
    now = now or timezone.now()
    with transaction.atomic():
        checkin = _checkin_for(actor, checkin)
        if checkin.checked_in_at is None:
            raise TransitionNotAllowed(_("Check in first, then report the action."))
        checkin.report = report
        checkin.reported_at = now
        checkin.save(update_fields=["report", "reported_at"])
    return checkin


def whistle_close(*, actor, whistle: Whistle | int, now: datetime | None = None) -> Whistle:
    require_actor(actor)
    now = now or timezone.now()
    try:
        pk = whistle.pk if isinstance(whistle, Whistle) else int(whistle)
    except (TypeError, ValueError):
        raise NotFound() from None
    with transaction.atomic():
        whistle = (
            Whistle.objects.select_for_update(of=("self",)).filter(pk=pk).select_related("street").first()
        )
        if whistle is None or not access.reaches(actor, whistle.street):
            raise NotFound()
        if not actor.is_superuser and whistle.blown_by_id != actor.pk:
            raise Forbidden(_("Only the official who blew the whistle may close it."))
        if not can_proceed(whistle.close):
            raise TransitionNotAllowed(_("This whistle is closed."))
        whistle.close()
        whistle.closed_at = now
        node_changed(whistle.street_id)
        whistle.save(update_fields=["status", "closed_at"])
    return whistle
