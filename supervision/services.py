"""Supervision's writes: 督办 orders (issue, reply, send back, close) and accountability cases
(opened by the sweep, reviewed by heads). Keyword-only, with an explicit actor, transactional,
the row locked with select_for_update before its status moves."""

import datetime

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import GridNode
from hlgrid import inputs, workdays
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.ids import in_range
from hlgrid.lights import light_at
from supervision import policy
from supervision.models import (
    Case,
    CaseKind,
    ExcuseReason,
    Notice,
    NoticeKind,
    Order,
    OrderEvent,
    OrderStatus,
    Outcome,
    Subject,
)

MAX_DAYS = 30
TEXT_MAX = 4000
BULK_MAX = 500


def _text(field: str, value, *, limit: int = TEXT_MAX) -> str:
    text = inputs.required(field, value)
    if len(text) > limit:
        raise InvalidInput.field(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _days(working_days) -> int:
    if (
        isinstance(working_days, bool)
        or not isinstance(working_days, int)
        or not 1 <= working_days <= MAX_DAYS
    ):
        raise InvalidInput.field("working_days", _("Give between 1 and 30 working days."))
    return working_days


def _notify(order: Order, recipients, kind: str, key: str, now: datetime.datetime) -> None:
    rows = [
        Notice(
            recipient_id=user_id,
            order=order,
            kind=kind,
            dedupe_key=f"{order.pk}:{kind}:{key}:{user_id}",
            created_at=now,
        )
        for user_id in sorted({u for u in recipients if u})
    ]
    Notice.objects.bulk_create(rows, ignore_conflicts=True)


def _handlers(order: Order) -> list[int]:
    if order.handler_id:
        return [order.handler_id]
    return access.department_users(order.department_id)


# --- orders -------------------------------------------------------------------------------------


def _subject_of(*, petition, whistle, resolution, node, department, handler):
    """(subject, node, default title, handler, department) of what the order is about."""
    given = [x for x in (petition, whistle, resolution) if x is not None]
    if len(given) > 1:
        raise InvalidInput.field("subject", _("A supervision order is about one thing."))
    if petition is not None:
        if petition.assignee_id is None and petition.department_id is None and handler is None:
            raise InvalidInput.field("handler", _("This petition has nobody handling it yet."))
        return (
            Subject.PETITION,
            petition.grid,
            _("Petition %(code)s") % {"code": petition.tracking_code},
            handler or petition.assignee,
            None if (handler or petition.assignee_id) else petition.department,
        )
    if whistle is not None:
        CheckIn = apps.get_model("petitions", "CheckIn")
        summoned = set(CheckIn.objects.filter(whistle=whistle).values_list("department_id", flat=True))
        if department is None or department.pk not in summoned:
            raise InvalidInput.field(
                "department", _("Choose one of the departments summoned by the whistle.")
            )
        return Subject.WHISTLE, whistle.street, whistle.title, None, department
    if resolution is not None:
        return Subject.RESOLUTION, resolution.node, resolution.text[:100], resolution.owner, None
    if node is None:
        raise InvalidInput.field("subject", _("Say what the supervision order is about."))
    if handler is None and department is None:
        head = access.head_of(node.pk)
        if head is None:
            raise InvalidInput.field("handler", _("Nobody heads this grid: choose a handler."))
        handler = head.user
    return Subject.PROBLEM, node, "", handler, department


def order_issue(
    *,
    actor,
    instruction: str,
    working_days: int,
    petition=None,
    whistle=None,
    resolution=None,
    node: GridNode | None = None,
    title: str = "",
    handler=None,
    department=None,
    now: datetime.datetime | None = None,
) -> Order:
    """A head or official over the subject's node orders its handler to act and reply in writing."""
    policy.require_actor(actor)
    subject, where, default_title, handler, department = _subject_of(
        petition=petition,
        whistle=whistle,
        resolution=resolution,
        node=node,
        department=department,
        handler=handler,
    )
    policy.require_leading(actor, where)
    instruction = _text("instruction", instruction)
    title = (title or "").strip() or default_title
    if not title:
        raise InvalidInput.field("title", _("This field is required."))
    if len(title) > 120:
        raise InvalidInput.field("title", _("At most %(n)d characters.") % {"n": 120})
    days = _days(working_days)
    if handler is not None and not access.covers(handler, where) and not access.is_system(handler):
        raise InvalidInput.field("handler", _("The handler holds a post over the node."))
    now = now or timezone.now()
    due_at = workdays.add_working_days(now, days, city=cities.city_id_of(where))
    warn_at = workdays.warn_before(now, due_at)
    with transaction.atomic():
        order = Order.objects.create(
            node=where,
            subject=subject,
            petition=petition,
            whistle=whistle,
            resolution=resolution,
            title=title,
            instruction=instruction,
            handler=handler,
            department=department,
            issued_by=access.recorded(actor),
            issued_at=now,
            due_at=due_at,
            warn_at=warn_at,
            light=light_at(due_at=due_at, warn_at=warn_at, now=now),
            light_changed_at=now,
        )
        OrderEvent.objects.create(
            order=order, action="issue", actor=access.recorded(actor), note=instruction, at=now
        )
        _notify(order, _handlers(order), NoticeKind.ISSUED, "0", now)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("node").get(pk=order.pk)


def order_reply(*, actor, order: Order, reply: str, now: datetime.datetime | None = None) -> Order:
    """The handler answers in writing (required); the clock stops, the issuer is told."""
    policy.require_handler(actor, order)
    reply = _text("reply", reply)
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if order.status != OrderStatus.OPEN:
            raise TransitionNotAllowed(_("This supervision order is not awaiting a reply."))
        order.answer()
        order.reply = reply
        order.replied_at = now
        order.replied_by = access.recorded(actor)
        order.replied_late = now > order.due_at
        order.light = light_at(due_at=order.due_at, warn_at=order.warn_at, now=now)
        order.save(update_fields=["status", "reply", "replied_at", "replied_by", "replied_late", "light"])
        OrderEvent.objects.create(
            order=order, action="reply", actor=access.recorded(actor), note=reply, at=now
        )
        _notify(order, [order.issued_by_id], NoticeKind.REPLIED, str(order.returns), now)
    return order


def order_send_back(
    *, actor, order: Order, note: str, working_days: int | None = None, now: datetime.datetime | None = None
) -> Order:
    """The issuer refuses the reply (saying why); the order awaits a new one, by a new deadline if given."""
    policy.require_issuer(actor, order)
    note = _text("note", note)
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if order.status != OrderStatus.REPLIED:
            raise TransitionNotAllowed(_("Only a replied supervision order can be sent back."))
        order.send_back()
        order.returns += 1
        if working_days is not None:
            order.due_at = workdays.add_working_days(
                now, _days(working_days), city=cities.city_id_of(order.node)
            )
            order.warn_at = workdays.warn_before(now, order.due_at)
        order.light = light_at(due_at=order.due_at, warn_at=order.warn_at, now=now)
        order.light_changed_at = now
        order.save(update_fields=["status", "returns", "due_at", "warn_at", "light", "light_changed_at"])
        OrderEvent.objects.create(
            order=order, action="send_back", actor=access.recorded(actor), note=note, at=now
        )
        _notify(order, _handlers(order), NoticeKind.SENT_BACK, str(order.returns), now)
    return order


def order_close(*, actor, order: Order, note: str = "", now: datetime.datetime | None = None) -> Order:
    """The issuer accepts the reply and closes the order."""
    policy.require_issuer(actor, order)
    note = (note or "").strip()[:TEXT_MAX]
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        if order.status != OrderStatus.REPLIED:
            raise TransitionNotAllowed(_("Only a replied supervision order can be closed."))
        order.close()
        order.closed_at = now
        order.save(update_fields=["status", "closed_at"])
        OrderEvent.objects.create(
            order=order, action="close", actor=access.recorded(actor), note=note, at=now
        )
    return order


def notices_read(*, actor, now: datetime.datetime | None = None) -> int:
    policy.require_actor(actor)
    return Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# --- accountability cases -----------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def cases_open(*, actor, now: datetime.datetime | None = None) -> dict:
    """Open a case for every Overdue row and every late check-in that has none: two
    INSERT ... SELECT statements however many rows, idempotent (the unique source keys)."""
    policy.require_actor(actor)
    if not (access.is_system(actor) or getattr(actor, "is_superuser", False)):
        raise NotFound()
    now = now or timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    Overdue = apps.get_model("petitions", "Overdue")
    CheckIn = apps.get_model("petitions", "CheckIn")
    Whistle = apps.get_model("petitions", "Whistle")
    C, OV, CI, W = (_q(m._meta.db_table) for m in (Case, Overdue, CheckIn, Whistle))
    columns = ", ".join(
        _q(c)
        for c in (
            "kind",
            "overdue_id",
            "checkin_id",
            "node_id",
            "petition_id",
            "user_id",
            "department_id",
            "due_at",
            "opened_at",
            "outcome",
            "reason",
            "note",
        )
    )
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {C} ({columns}) "
            f"SELECT %s, o.id, NULL, o.{_q('grid_id')}, o.{_q('petition_id')}, o.{_q('user_id')}, "
            f"o.{_q('department_id')}, o.{_q('due_at')}, %s, %s, '', '' FROM {OV} o "
            f"WHERE NOT EXISTS (SELECT 1 FROM {C} c WHERE c.{_q('overdue_id')} = o.id) "
            f"ON CONFLICT DO NOTHING",
            [CaseKind.OVERDUE, stamp, Outcome.PENDING],
        )
        counts["cases_overdue"] = max(cursor.rowcount, 0)
        cursor.execute(
            f"INSERT INTO {C} ({columns}) "
            f"SELECT %s, NULL, k.id, w.{_q('street_id')}, w.{_q('petition_id')}, NULL, "
            f"k.{_q('department_id')}, k.{_q('due_at')}, %s, %s, '', '' "
            f"FROM {CI} k JOIN {W} w ON w.id = k.{_q('whistle_id')} "
            f"WHERE k.{_q('due_at')} <= %s AND (k.{_q('checked_in_at')} IS NULL "
            f"OR k.{_q('checked_in_at')} > k.{_q('due_at')}) "
            f"AND NOT EXISTS (SELECT 1 FROM {C} c WHERE c.{_q('checkin_id')} = k.id) "
            f"ON CONFLICT DO NOTHING",
            [CaseKind.CHECKIN, stamp, Outcome.PENDING, stamp],
        )
        counts["cases_checkin"] = max(cursor.rowcount, 0)
    return counts


def _review_values(outcome: str, reason: str, note: str) -> tuple[str, str, str]:
    if outcome not in (Outcome.EXCUSED, Outcome.WARNED, Outcome.PENALISED):
        raise InvalidInput.field("outcome", _("Choose excused, warned or penalised."))
    reason = (reason or "").strip()
    if outcome == Outcome.EXCUSED:
        if reason not in ExcuseReason.values:
            raise InvalidInput.field("reason", _("An excuse needs its reason."))
    elif reason:
        raise InvalidInput.field("reason", _("Only an excused case has a reason."))
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput.field("note", _("At most %(n)d characters.") % {"n": 2000})
    return outcome, reason, note


TRANSITIONS = {Outcome.EXCUSED: "excuse", Outcome.WARNED: "warn", Outcome.PENALISED: "penalise"}


def cases_review(
    *,
    actor,
    ids: list[int],
    outcome: str,
    reason: str = "",
    note: str = "",
    now: datetime.datetime | None = None,
) -> list[Case]:
    """A head reviews one or several pending cases of its subtree alike; all or nothing.

    An id outside the actor's scope answers 404; a case already reviewed, 409; an actor who
    sees the case but is not a head over its node, 403."""
    policy.require_actor(actor)
    outcome, reason, note = _review_values(outcome, reason, note)
    if not ids or len(ids) > BULK_MAX:
        raise InvalidInput.field("ids", _("Choose between 1 and %(n)d cases.") % {"n": BULK_MAX})
    from supervision.selectors import cases_visible

    try:
        wanted = sorted({int(i) for i in ids})
    except (TypeError, ValueError):
        raise InvalidInput.field("ids", _("Case ids are whole numbers.")) from None
    if not all(in_range(i) for i in wanted):
        raise NotFound()
    now = now or timezone.now()
    with transaction.atomic():
        cases = list(
            cases_visible(actor)
            .filter(pk__in=wanted)
            .select_for_update(of=("self",))
            .select_related("node")
            .order_by("pk")
        )
        if len(cases) != len(wanted):
            raise NotFound()
        for case in cases:
            policy.require_leading(actor, case.node, case.department_id)
            if case.outcome != Outcome.PENDING:
                raise TransitionNotAllowed(_("This case has been reviewed already."))
        for case in cases:
            getattr(case, TRANSITIONS[outcome])()
            case.reason = reason
            case.note = note
            case.reviewed_by = access.recorded(actor)
            case.reviewed_at = now
        Case.objects.bulk_update(cases, ["outcome", "reason", "note", "reviewed_by", "reviewed_at"])
    return cases


def case_review(
    *, actor, case: Case, outcome: str, reason: str = "", note: str = "", now: datetime.datetime | None = None
) -> Case:
    return cases_review(actor=actor, ids=[case.pk], outcome=outcome, reason=reason, note=note, now=now)[0]
