"""What every petition use case shares: the row lock, the one permission check, the state
machine's 409, the event that tells the dashboards, and the timer of the current step."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed
from django_fsm import can_proceed

from grids import access, cities
from grids.access import NODE_RANK, Standing
from grids.models import NodeKind, PostKind
from hlgrid.changes import node_changed
from hlgrid.errors import Forbidden, NotFound, TransitionNotAllowed
from hlgrid.lights import Light, light_at
from petitions import timers
from petitions.models import STEP_OF_STATUS, Category, Level, LimitUnit, Petition, PetitionEvent, Status
from petitions.services import listeners

CLASSIFY_HOURS = getattr(settings, "PETITION_CLASSIFY_HOURS", 24)
DEFAULT_VERIFY_HOURS = 24
DEFAULT_HANDLE = (5, LimitUnit.WORKDAYS)
DEFAULT_CALLBACK_DAYS = 3
DUPLICATE_RADIUS_M = 50
# A handling level sits at the rank of the node that handles it (a department: the city's).
LEVEL_RANK = {
    Level.GRID: NODE_RANK[NodeKind.GRID],
    Level.COMMUNITY: NODE_RANK[NodeKind.COMMUNITY],
    Level.STREET: NODE_RANK[NodeKind.STREET],
    Level.DEPARTMENT: NODE_RANK[NodeKind.CITY],
}


def require_actor(actor) -> None:
    """Refuse a call that names nobody: a person, or `grids.access.SYSTEM` for scripts and tasks."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()


def not_now(status: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("This petition is %(status)s: this action is not allowed now.") % {"status": Status(status).label}
    )


def load(petition: Petition | int, *, lock: bool = True) -> Petition:
    pk = petition.pk if isinstance(petition, Petition) else petition
    queryset = Petition.objects.select_related("grid", "category")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Petition.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def authorize(
    actor, petition: Petition, allowed: Callable[[Standing], bool], *, transition: str = ""
) -> Standing:
    """Scope (404), then the state (409), then the post (403): the order every caller sees."""
    standing = access.standing(actor, petition.grid, department_id=petition.department_id)
    if not standing.visible:
        raise NotFound()
    if transition and not can_proceed(getattr(petition, transition)):
        raise not_now(petition.status)
    if not allowed(standing):
        raise Forbidden(_("Your post does not allow this action on this petition."))
    return standing


def is_handler(standing: Standing, petition: Petition) -> bool:
    """The worker it is assigned to, or the staff of the department handling it."""
    if petition.assignee_id and petition.assignee_id == standing.user_id:
        return True
    return petition.level == Level.DEPARTMENT and PostKind.DEPARTMENT in standing.kinds


def may_grant(standing: Standing, petition: Petition) -> bool:
    """The head above the handler grants: a head or official over the grid who is not the handler."""
    return standing.head and (standing.superuser or petition.assignee_id != standing.user_id)


def fire(petition: Petition, transition: str) -> str:
    """Run the django-fsm transition; a wrong source state becomes our 409."""
    before = petition.status
    try:
        getattr(petition, transition)()
    except FSMTransitionNotAllowed:
        raise not_now(before) from None
    return before


def event(
    petition: Petition,
    *,
    actor,
    action: str,
    before: str,
    note: str = "",
    at: datetime,
    department=None,
    path: tuple[int, ...] | None = None,
) -> PetitionEvent:
    """`path`: the grid's and its ancestors' ids, when the caller knows them (hlgrid.changes)."""
    # Every change of a petition writes an event: the one place that tells the dashboards.
    node_changed(petition.grid_id, path=path)
    row = PetitionEvent.objects.create(
        petition=petition,
        actor=access.recorded(actor),
        action=action,
        from_status=before,
        to_status=petition.status,
        note=note,
        department=department,
        at=at,
    )
    listeners.announce(petition, row)
    return row


def set_timer(petition: Petition, *, start: datetime, due: datetime, now: datetime) -> list[str]:
    petition.step = STEP_OF_STATUS.get(petition.status, "")
    petition.step_started_at = start
    petition.due_at = due
    petition.warn_at = timers.warn_before(start, due)
    petition.light = light_at(due_at=due, warn_at=petition.warn_at, stored=Light.GREEN, now=now)
    petition.light_changed_at = now
    return ["step", "step_started_at", "due_at", "warn_at", "light", "light_changed_at"]


def stop_timer(petition: Petition, *, keep_step: bool = False, now: datetime) -> list[str]:
    if not keep_step:
        petition.step = ""
    petition.due_at = None
    petition.warn_at = None
    petition.light_changed_at = now
    return ["step", "due_at", "warn_at", "light_changed_at"]


def classify_timer(petition: Petition, now: datetime) -> list[str]:
    """The classify step's clock (after verify, a hand-up or a department's return)."""
    return set_timer(petition, start=now, due=now + timedelta(hours=CLASSIFY_HOURS), now=now)


def save(petition: Petition, fields: list[str]) -> None:
    petition.save(update_fields=sorted({*fields, "status", "updated_at"}))


def handle_limit(category: Category | None) -> tuple[int, str]:
    if category is None:
        return DEFAULT_HANDLE
    return category.handle_limit, category.handle_unit


def city_of(petition: Petition) -> int:
    """The id of the petition's city, whose calendar times it: its category's (of the same city,
    grids.cities.require_same_city), else its grid's."""
    if petition.category_id is not None:
        return petition.category.city_id
    return cities.city_id_of(petition.grid)


def handle_deadline(petition: Petition, now: datetime) -> datetime:
    """The handling deadline from `now`: the category's limit, shortened by the urgency judged."""
    limit, unit = handle_limit(petition.category)
    return timers.handle_due(
        now, limit, unit, city=city_of(petition), category=petition.category, urgency=petition.urgency
    )
