"""The five steps after intake: submit a draft, verify (or reject, or merge a duplicate),
classify (or hand up: 网格预警), handle and resolve (or a department returns it), call back.

Each transition: the petition under a row lock inside one transaction, the actor's scope
(404) and post (403) through grids.access, the django-fsm source state (409), the new
timer, save with update_fields, a PetitionEvent (which tells the dashboards).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grids import access, cities
from grids.models import Department, PostKind
from hlgrid import inputs
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions.models import (
    FINAL_STATUSES,
    AttachmentKind,
    Category,
    Level,
    LimitUnit,
    NotificationKind,
    Petition,
    PetitionEvent,
    Satisfaction,
    Status,
    Urgency,
)
from petitions.services import judgement
from petitions.services.common import (
    DEFAULT_CALLBACK_DAYS,
    DEFAULT_VERIFY_HOURS,
    LEVEL_RANK,
    authorize,
    classify_timer,
    event,
    fire,
    handle_deadline,
    handle_limit,
    is_handler,
    load,
    require_actor,
    save,
    set_timer,
    stop_timer,
)
from petitions.services.intake import normalise_tracking_code
from petitions.services.notifications import notify
from petitions.services.photos import store_photos


# --- 1. a draft from a visit is submitted ---------------------------------------------------
def petition_submit(
    *,
    actor,
    petition: Petition,
    category: Category | None,
    description: str = "",
    photos=(),
    now: datetime | None = None,
) -> Petition:
    """A worker submits a draft (from a visit): it is received and its verify clock starts."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff, transition="submit")
        before = fire(petition, "submit")
        if description.strip():
            petition.description = description.strip()[:2000]
        if category is not None:
            cities.require_same_city(
                petition.grid, category, field="category", message=_("Choose a category.")
            )
            petition.category = category
            petition.level = category.level
            petition.department = category.department
        petition.received_at = now
        verify_hours = petition.category.verify_hours if petition.category else DEFAULT_VERIFY_HOURS
        fields = set_timer(petition, start=now, due=now + timedelta(hours=verify_hours), now=now)
        store_photos(petition, photos, kind=AttachmentKind.INTAKE, actor=actor)
        save(petition, [*fields, "description", "category", "level", "department", "received_at"])
        event(petition, actor=actor, action="intake", before=before, at=now)
    return petition


# --- 2. verify (核实研判) ---------------------------------------------------------------------
def petition_verify(
    *,
    actor,
    petition: Petition,
    note: str = "",
    urgency: str = Urgency.NORMAL,
    risks: Iterable[str] = (),
    key_person: int | None = None,
    now: datetime | None = None,
) -> Petition:
    """Verified, with the verifier's judgement (研判): the urgency (its category's rules shorten
    the handling deadline), the risks, and the key person of the register it involves (a
    linked key person is a vulnerable person involved). 特急 tells the community's and the
    street's heads at once."""
    urgency, chosen = judgement.clean_judgement(urgency=urgency, risks=risks)
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff, transition="verify")
        key_person_id = judgement.key_person_in_scope(actor=actor, key_person=key_person)
        before = fire(petition, "verify")
        petition.verified_at = now
        fields = classify_timer(petition, now)
        judged = judgement.apply_judgement(
            petition, urgency=urgency, risks=chosen, key_person_id=key_person_id
        )
        save(petition, [*fields, *judged, "verified_at"])
        event(petition, actor=actor, action="verify", before=before, note=note, at=now)
        judgement.notify_critical(petition, now=now)
    return petition


def petition_reject(*, actor, petition: Petition, reason: str, now: datetime | None = None) -> Petition:
    reason = inputs.required("reason", reason, _("Give the reason for rejecting."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff, transition="reject")
        before = fire(petition, "reject")
        petition.reject_reason = reason
        petition.verified_at = now
        petition.closed_at = now
        fields = stop_timer(petition, now=now)
        save(petition, [*fields, "reject_reason", "verified_at", "closed_at"])
        event(petition, actor=actor, action="reject", before=before, note=reason, at=now)
    return petition


def petition_merge(
    *, actor, petition: Petition | int, into: Petition | int, note: str = "", now: datetime | None = None
) -> Petition:
    """Merge a duplicate into an open petition: its reporters follow the parent from now on."""
    now = now or timezone.now()
    into_pk = into.pk if isinstance(into, Petition) else int(into)
    pk = petition.pk if isinstance(petition, Petition) else int(petition)
    if into_pk == pk:
        raise InvalidInput.field("into", _("A petition cannot be merged into itself."))
    with transaction.atomic():
        # Lock both rows in primary-key order so two opposite merges cannot deadlock.
        locked = {
            p.pk: p
            for p in Petition.objects.select_for_update(of=("self",))
            .select_related("grid")
            .filter(pk__in=sorted({pk, into_pk}))
            .order_by("pk")
        }
        if pk not in locked:
            raise NotFound()
        petition = locked[pk]
        authorize(actor, petition, lambda s: s.field_staff, transition="merge")
        parent = locked.get(into_pk)
        if (
            parent is None
            or not access.standing(actor, parent.grid, department_id=parent.department_id).visible
        ):
            raise InvalidInput.field("into", _("No such petition in your area."))
        if parent.status in FINAL_STATUSES or parent.status == Status.DRAFT:
            raise InvalidInput.field("into", _("A petition can only be merged into an open one."))
        before = fire(petition, "merge")
        petition.merged_into = parent
        petition.verified_at = now
        fields = stop_timer(petition, now=now)
        save(petition, [*fields, "merged_into", "verified_at"])
        event(petition, actor=actor, action="merge", before=before, note=note or parent.tracking_code, at=now)
        # The parent's page and grid change too (it may lie in another grid).
        event(
            parent, actor=actor, action="merged_in", before=parent.status, note=petition.tracking_code, at=now
        )
    return petition


# --- 3. classify (分类处理) and hand up (网格预警) -----------------------------------------------
@dataclass(frozen=True)
class ClassifyChoice:
    """What the classify form proposes before anyone changes it."""

    level: str
    department_id: int | None
    assignee_id: int | None


def classify_defaults(*, actor, petition: Petition, category: Category | None = None) -> ClassifyChoice:
    """The classify form's defaults: nothing is handed away unless the category says so.

    The level is the one the category names (a petition handed up stays at the level it was
    handed up to); the department only when that level is the department's (the category's
    department); at the grid level, the worker it is already assigned to, else the
    classifying worker when that is one of the grid's workers.
    """
    category = category or petition.category
    if petition.status == Status.ESCALATED:
        level = petition.level
    else:
        level = category.level if category is not None else Level.GRID
    department_id = category.department_id if level == Level.DEPARTMENT and category is not None else None
    assignee_id = None
    if level == Level.GRID:
        workers = set(access.users_at(petition.grid_id, kinds=[PostKind.WORKER]))
        if petition.assignee_id in workers:
            assignee_id = petition.assignee_id
        elif getattr(actor, "pk", None) in workers:
            assignee_id = actor.pk
    return ClassifyChoice(level=level, department_id=department_id, assignee_id=assignee_id)


def limit_text(category: Category | None) -> str:
    limit, unit = handle_limit(category)
    if unit == LimitUnit.HOURS:
        return ngettext("%(n)d hour", "%(n)d hours", limit) % {"n": limit}
    return ngettext("%(n)d working day", "%(n)d working days", limit) % {"n": limit}


def classify_outcome(*, level: str, limit: str = "", who: str = "") -> str:
    """What submitting the classify form does, in a sentence (the form's help text).

    `who` is the chosen worker (grid level) or department (department level), `limit` the
    category's handling limit as text. The page's script fills the same sentences in the
    browser as the choice changes (petitions.views.classify_outcomes gives it every level).
    """
    if level == Level.GRID:
        if not who:
            return _("It stays in this grid: choose the grid worker who handles it.")
        return _("It stays in this grid: %(who)s handles it within %(limit)s.") % {"who": who, "limit": limit}
    if level == Level.COMMUNITY:
        return _(
            "It goes to the community's heads, who handle it within %(limit)s; only a head of the "
            "community may classify it there (otherwise hand it up)."
        ) % {"limit": limit}
    if level == Level.STREET:
        return _(
            "It goes to the street's heads, who handle it within %(limit)s; only a head of the "
            "street may classify it there (otherwise hand it up)."
        ) % {"limit": limit}
    if not who:
        return _("It leaves the grid for a department: choose the department.")
    return _(
        "It leaves the grid: the staff of %(who)s handle it within %(limit)s, and it leaves your queue."
    ) % {"who": who, "limit": limit}


def petition_classify(
    *,
    actor,
    petition: Petition,
    category: Category,
    level: str | None = None,
    assignee=None,
    department: Department | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Petition:
    """Set category, level and who handles it; the handling clock starts from the category's limit."""
    if category is None:
        raise InvalidInput.field("category", _("Choose a category."))
    if not category.is_active:
        raise InvalidInput.field("category", _("This category is no longer used."))
    level = level or category.level
    if level not in Level.values:
        raise InvalidInput.field("level", _("Unknown handling level."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        if petition.status == Status.ESCALATED:
            rank = LEVEL_RANK[petition.level]
            standing = authorize(actor, petition, lambda s: s.head_at_rank(rank), transition="classify")
        else:
            standing = authorize(actor, petition, lambda s: s.field_staff, transition="classify")
        if (
            level in (Level.COMMUNITY, Level.STREET)
            and LEVEL_RANK[level] < LEVEL_RANK[petition.level]
            and not standing.head_at_rank(LEVEL_RANK[level])
        ):
            raise Forbidden(_("Only a head of that level may classify at that level; hand it up instead."))
        cities.require_same_city(petition.grid, category, field="category", message=_("Choose a category."))
        if level == Level.DEPARTMENT:
            department = department or category.department
            if department is None:
                raise InvalidInput.field("department", _("Choose the department that handles it."))
            cities.require_same_city(
                petition.grid,
                department,
                field="department",
                message=_("Choose the department that handles it."),
            )
            assignee = None
        elif level == Level.GRID:
            department = None
            if assignee is None:
                raise InvalidInput.field("assignee", _("Choose the grid worker who handles it."))
            if assignee.pk not in access.users_at(petition.grid_id, kinds=[PostKind.WORKER]):
                raise InvalidInput.field("assignee", _("The handler must be a worker of this grid."))
        else:
            department = None
            if assignee is not None and not access.standing(assignee, petition.grid).field_staff:
                raise InvalidInput.field("assignee", _("The handler must hold a post over this grid."))
        before = fire(petition, "classify")
        petition.category = category
        petition.level = level
        petition.department = department
        petition.assignee = assignee
        petition.classified_at = now
        due = handle_deadline(petition, now)
        petition.handle_due_at = due
        fields = set_timer(petition, start=now, due=due, now=now)
        save(
            petition,
            [*fields, "category", "level", "department", "assignee", "classified_at", "handle_due_at"],
        )
        event(petition, actor=actor, action="classify", before=before, note=note, at=now)
        recipients = (
            [assignee.pk] if assignee else access.department_users(department.pk if department else None)
        )
        notify(
            recipients=recipients,
            kind=NotificationKind.ASSIGNED,
            petition=petition,
            text=petition.description[:120],
            dedupe=f"assigned:{petition.pk}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


def petition_escalate(
    *, actor, petition: Petition, level: str, reason: str, now: datetime | None = None
) -> Petition:
    """网格预警: hand a petition up to the community or the street, with a reason."""
    reason = inputs.required("reason", reason, _("Give the reason for handing it up."))
    if level not in (Level.COMMUNITY, Level.STREET):
        raise InvalidInput.field("level", _("A petition is handed up to the community or the street."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff or is_handler(s, petition), transition="escalate")
        if LEVEL_RANK[level] >= LEVEL_RANK.get(petition.level, 3) and petition.level != Level.DEPARTMENT:
            raise InvalidInput.field("level", _("It is already handled at this level or above."))
        before = fire(petition, "escalate")
        petition.level = level
        petition.assignee = None
        petition.department = None
        fields = classify_timer(petition, now)
        save(petition, [*fields, "level", "assignee", "department"])
        event(petition, actor=actor, action="escalate", before=before, note=reason, at=now)
        node = petition.grid.parent if level == Level.COMMUNITY else petition.grid.parent.parent
        notify(
            recipients=access.users_at(node.pk, kinds=[PostKind.HEAD, PostKind.OFFICIAL]),
            kind=NotificationKind.ESCALATED,
            petition=petition,
            text=reason[:200],
            dedupe=f"escalated:{petition.pk}:{level}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


# --- 4. handle (限时办理) --------------------------------------------------------------------
def petition_note(*, actor, petition: Petition, note: str, now: datetime | None = None) -> PetitionEvent:
    note = inputs.required("note", note, _("Write the progress note."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff or is_handler(s, petition))
        if petition.status in FINAL_STATUSES:
            raise TransitionNotAllowed(_("This petition is finished."))
        return event(petition, actor=actor, action="note", before=petition.status, note=note, at=now)


def petition_resolve(
    *, actor, petition: Petition, note: str, photos=(), now: datetime | None = None
) -> Petition:
    note = inputs.required("note", note, _("Describe how it was resolved."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.head or is_handler(s, petition), transition="resolve")
        before = fire(petition, "resolve")
        petition.resolution = note
        petition.resolved_at = now
        petition.resolved_on_time = petition.handle_due_at is None or now <= petition.handle_due_at
        callback_days = petition.category.callback_days if petition.category else DEFAULT_CALLBACK_DAYS
        fields = set_timer(petition, start=now, due=now + timedelta(days=callback_days), now=now)
        store_photos(petition, photos, kind=AttachmentKind.RESOLUTION, actor=actor)
        save(petition, [*fields, "resolution", "resolved_at", "resolved_on_time"])
        event(petition, actor=actor, action="resolve", before=before, note=note, at=now)
    return petition


def petition_return(*, actor, petition: Petition, reason: str, now: datetime | None = None) -> Petition:
    """A department gives back a petition that is not its responsibility; it goes to the classifier."""
    reason = inputs.required("reason", reason, _("Give the reason for returning it."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(
            actor,
            petition,
            lambda s: s.department or (s.superuser and petition.department_id),
            transition="give_back",
        )
        if petition.level != Level.DEPARTMENT:
            raise TransitionNotAllowed(_("Only a petition assigned to a department can be returned."))
        before = fire(petition, "give_back")
        department = petition.department
        petition.level = Level.GRID
        petition.department = None
        fields = classify_timer(petition, now)
        save(petition, [*fields, "level", "department"])
        event(
            petition,
            actor=actor,
            action="return",
            before=before,
            note=f"{department.name if department else ''}: {reason}",
            department=department,
            at=now,
        )
        notify(
            recipients=access.users_at(petition.grid_id, kinds=[PostKind.WORKER]),
            kind=NotificationKind.REOPENED,
            petition=petition,
            text=reason[:200],
            dedupe=f"returned:{petition.pk}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


# --- 5. callback (跟踪回访) -----------------------------------------------------------------
def _callback(petition: Petition, *, actor, satisfaction: str, solved: bool, note: str, now) -> Petition:
    """The answer is recorded; `actor` None is the resident rating by tracking code."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput.field("satisfaction", _("Choose satisfied, partly satisfied or unsatisfied."))
    if not isinstance(solved, bool):
        raise InvalidInput.field("solved", _("Say whether the problem was solved."))
    petition.satisfaction = satisfaction
    petition.solved = solved
    if satisfaction == Satisfaction.UNSATISFIED or not solved:
        before = fire(petition, "reopen")
        petition.rework_count = F("rework_count") + 1
        due = handle_deadline(petition, now)
        petition.handle_due_at = due
        petition.resolved_at = None
        petition.resolved_on_time = None
        fields = set_timer(petition, start=now, due=due, now=now)
        save(
            petition,
            [
                *fields,
                "satisfaction",
                "solved",
                "rework_count",
                "handle_due_at",
                "resolved_at",
                "resolved_on_time",
            ],
        )
        petition.refresh_from_db(fields=["rework_count"])
        event(petition, actor=actor, action="reopen", before=before, note=note, at=now)
        recipients = (
            [petition.assignee_id]
            if petition.assignee_id
            else access.department_users(petition.department_id)
        )
        notify(
            recipients=recipients,
            kind=NotificationKind.REOPENED,
            petition=petition,
            text=note[:200],
            dedupe=f"reopened:{petition.pk}:{petition.rework_count}",
            now=now,
        )
        return petition
    before = fire(petition, "close")
    petition.closed_at = now
    fields = stop_timer(petition, now=now)
    save(petition, [*fields, "satisfaction", "solved", "closed_at"])
    event(petition, actor=actor, action="close", before=before, note=note, at=now)
    # The reporters of merged duplicates got the same answer.
    Petition.objects.filter(merged_into=petition, closed_at__isnull=True).update(
        closed_at=now, satisfaction=satisfaction, solved=solved
    )
    return petition


def petition_callback(
    *, actor, petition: Petition, satisfaction: str, solved: bool, note: str = "", now: datetime | None = None
) -> Petition:
    """A worker records the resident's answer on the resident's behalf."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff, transition="close")
        return _callback(petition, actor=actor, satisfaction=satisfaction, solved=solved, note=note, now=now)


def public_callback(
    *, tracking_code: str, satisfaction: str, solved: bool, note: str = "", now: datetime | None = None
) -> Petition:
    """The resident rates the result by tracking code (a merged duplicate rates its parent).

    No actor: residents have no account; knowing the tracking code is the permission. A
    joiner's code (我也遇到了) records the joiner's own rating beside the reporter's.
    """
    now = now or timezone.now()
    with transaction.atomic():
        found = (
            Petition.objects.filter(tracking_code=normalise_tracking_code(tracking_code))
            .values("pk", "merged_into_id")
            .first()
        )
        if found is None:
            from petitions.services.joins import petition_join_rate

            join = petition_join_rate(
                tracking_code=tracking_code, satisfaction=satisfaction, solved=solved, now=now
            )
            return load(join.petition.merged_into_id or join.petition_id, lock=False)
        petition = load(found["merged_into_id"] or found["pk"])
        return _callback(
            petition, actor=None, satisfaction=satisfaction, solved=solved, note=(note or "")[:500], now=now
        )


# --- personal data ------------------------------------------------------------------------------
def petition_reveal_contact(*, actor, petition: Petition, request=None) -> dict:
    """The reporter's name and phone in clear, for in-scope staff; every reveal is logged."""
    require_actor(actor)
    with transaction.atomic():
        petition = load(petition, lock=False)
        authorize(actor, petition, lambda s: s.field_staff or s.department)
        from residents.services import access_log_record

        access_log_record(
            actor=actor, subject=petition, field="reporter_name,reporter_phone", request=request
        )
        return {"name": petition.reporter_name, "phone": petition.reporter_phone}
