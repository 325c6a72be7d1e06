"""Requests during handling: the handler asks for a pause (挂起) or more time, the head above
grants (by doing it) or denies. A pause keeps the time left; the due time moves on resume."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import PostKind
from hlgrid import inputs
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions import ladder
from petitions.models import (
    HandlingRequest,
    NotificationKind,
    Pause,
    Petition,
    RequestKind,
    RequestStatus,
    Status,
)
from petitions.services.common import (
    authorize,
    city_of,
    event,
    fire,
    is_handler,
    load,
    may_grant,
    require_actor,
    save,
    set_timer,
    stop_timer,
)
from petitions.services.notifications import notify


def _request(petition, *, actor, kind: str, reason: str, hours: int | None, now) -> HandlingRequest:
    try:
        with transaction.atomic():
            request = HandlingRequest.objects.create(
                petition=petition,
                kind=kind,
                reason=reason,
                hours=hours,
                requested_by=access.recorded(actor),
                requested_at=now,
            )
    except IntegrityError:
        raise TransitionNotAllowed(_("A request of this kind is already waiting for a decision.")) from None
    event(
        petition, actor=actor, action=f"request_{kind.lower()}", before=petition.status, note=reason, at=now
    )
    notify(
        # The nearest head above the grid (the one who decides), never the asker itself.
        recipients=access.users_above(petition.grid, kinds=[PostKind.HEAD], exclude=actor, nearest=True),
        kind=NotificationKind.REQUEST,
        petition=petition,
        text=reason[:200],
        dedupe=f"request:{request.pk}",
        now=now,
    )
    return request


def _pending(petition, kind: str) -> HandlingRequest | None:
    return (
        HandlingRequest.objects.select_for_update()
        .filter(petition=petition, kind=kind, status=RequestStatus.PENDING)
        .first()
    )


def _grant(petition, *, kind: str, actor, now) -> str:
    """Grant the pending request of this kind, if any; return its reason (or "")."""
    pending = _pending(petition, kind)
    if pending is None:
        return ""
    pending.grant()
    pending.decided_by = access.recorded(actor)
    pending.decided_at = now
    pending.save(update_fields=["status", "decided_by", "decided_at"])
    return pending.reason


def petition_pause(
    *, actor, petition: Petition, reason: str = "", now: datetime | None = None
) -> tuple[Petition, HandlingRequest | None]:
    """The handler asks for a pause (a request); the head above grants it and the clock stops."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        standing = authorize(actor, petition, lambda s: s.head or is_handler(s, petition), transition="pause")
        if petition.status != Status.HANDLING:
            fire(petition, "pause")  # raises the 409
        if not may_grant(standing, petition):
            reason = inputs.required("reason", reason, _("Give the reason for the pause."))
            return petition, _request(
                petition, actor=actor, kind=RequestKind.PAUSE, reason=reason, hours=None, now=now
            )
        granted = _grant(petition, kind=RequestKind.PAUSE, actor=actor, now=now)
        reason = inputs.required(
            "reason", (reason or "").strip() or granted, _("Give the reason for the pause.")
        )
        before = fire(petition, "pause")
        Pause.objects.create(
            petition=petition,
            reason=reason,
            granted_by=access.recorded(actor),
            started_at=now,
            due_remaining=petition.due_at - now,
            warn_remaining=petition.warn_at - now,
        )
        fields = stop_timer(petition, keep_step=True, now=now)
        save(petition, fields)
        event(petition, actor=actor, action="pause", before=before, note=reason, at=now)
    return petition, None


def petition_resume(*, actor, petition: Petition, note: str = "", now: datetime | None = None) -> Petition:
    """The clock restarts with the time that was left: the due time moves by the pause's length."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.head or is_handler(s, petition), transition="resume")
        before = fire(petition, "resume")
        pause = Pause.objects.select_for_update().get(petition=petition, ended_at__isnull=True)
        Pause.objects.filter(pk=pause.pk).update(ended_at=now)
        due = now + pause.due_remaining
        petition.handle_due_at = due
        # A start chosen so that the warn time is again `warn_remaining` away.
        start = due - (pause.due_remaining - pause.warn_remaining) * 4
        fields = set_timer(petition, start=start, due=due, now=now)
        # The ladder stood still while paused: its interval goes on from where it was.
        petition.rung_changed_at = ladder.resumed_rung_start(
            petition.rung_changed_at, paused_at=pause.started_at, now=now, city=city_of(petition)
        )
        save(petition, [*fields, "handle_due_at", "rung_changed_at"])
        event(petition, actor=actor, action="resume", before=before, note=note, at=now)
    return petition


def petition_extend(
    *, actor, petition: Petition, hours: int, reason: str = "", now: datetime | None = None
) -> tuple[Petition, HandlingRequest | None]:
    """The handler asks for more time; the head above grants it and the due time moves."""
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 60:
        raise InvalidInput.field("hours", _("Ask for between 1 and 1440 hours."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        standing = authorize(
            actor, petition, lambda s: s.head or is_handler(s, petition), transition="extend"
        )
        if petition.status != Status.HANDLING:
            fire(petition, "extend")
        if not may_grant(standing, petition):
            reason = inputs.required("reason", reason, _("Give the reason for more time."))
            return petition, _request(
                petition, actor=actor, kind=RequestKind.EXTEND, reason=reason, hours=hours, now=now
            )
        granted = _grant(petition, kind=RequestKind.EXTEND, actor=actor, now=now)
        reason = inputs.required(
            "reason", (reason or "").strip() or granted, _("Give the reason for more time.")
        )
        before = fire(petition, "extend")
        due = petition.due_at + timedelta(hours=hours)
        petition.handle_due_at = due
        fields = set_timer(petition, start=petition.step_started_at or now, due=due, now=now)
        save(petition, [*fields, "handle_due_at"])
        event(
            petition,
            actor=actor,
            action="extend",
            before=before,
            note=_("%(hours)d more hours: %(reason)s") % {"hours": hours, "reason": reason},
            at=now,
        )
    return petition, None


def handling_request_deny(
    *, actor, request: HandlingRequest | int, note: str = "", now: datetime | None = None
) -> HandlingRequest:
    """The head above says no: the request is closed, the petition's clock runs on."""
    require_actor(actor)
    now = now or timezone.now()
    try:
        pk = request.pk if isinstance(request, HandlingRequest) else int(request)
    except (TypeError, ValueError):
        raise NotFound() from None
    with transaction.atomic():
        request = HandlingRequest.objects.select_for_update().filter(pk=pk).first()
        if request is None:
            raise NotFound()
        petition = load(request.petition_id)
        standing = authorize(actor, petition, lambda s: s.head)
        if not may_grant(standing, petition):
            raise Forbidden(_("Your post does not allow this action on this petition."))
        if request.status != RequestStatus.PENDING:
            raise TransitionNotAllowed(_("This request was already decided."))
        request.deny()
        request.decided_by = access.recorded(actor)
        request.decided_at = now
        request.save(update_fields=["status", "decided_by", "decided_at"])
        event(
            petition,
            actor=actor,
            action=f"deny_{request.kind.lower()}",
            before=petition.status,
            note=note,
            at=now,
        )
    return request
