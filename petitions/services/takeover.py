"""接管: a level an overdue petition climbed to (petitions.ladder) takes it over and
reassigns it, to staff of that level's subtree who work over the petition's grid or to a
department. Only a head or official of a level the petition has reached may: a community's
once it stands at the community rung or above, a street's from the street rung, the city's
at city supervision.

The new handler gets the handling limit afresh (shortened by the urgency judged), and the
ladder's clock of the rung it stands on starts again when it next turns red.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.access import LEADING_KINDS, NODE_RANK, Standing
from grids.models import Department, NodeKind
from hlgrid.errors import InvalidInput
from petitions.models import Level, NotificationKind, Petition, Rung, Status
from petitions.services.common import authorize, event, fire, handle_deadline, load, save, set_timer
from petitions.services.notifications import notify

# The rank of the node of each rung above the grid (community 2, street 1, city 0).
RUNG_RANK = {
    Rung.COMMUNITY: NODE_RANK[NodeKind.COMMUNITY],
    Rung.STREET: NODE_RANK[NodeKind.STREET],
    Rung.CITY: NODE_RANK[NodeKind.CITY],
}
# Who may be given it: staff at the grid, its community or its street (the city supervises).
HANDLER_NODE_KINDS = {
    NodeKind.GRID: Level.GRID,
    NodeKind.COMMUNITY: Level.COMMUNITY,
    NodeKind.STREET: Level.STREET,
}

# The statuses it may be taken over from (the model's `take_over` transition).
TAKE_OVER_STATUSES = (Status.VERIFIED, Status.ESCALATED, Status.HANDLING)


def may_take_over(standing: Standing, petition: Petition) -> bool:
    """A head or official at a level the petition has climbed to (not above it, not the grid)."""
    if petition.rung not in RUNG_RANK:
        return False
    if standing.superuser:
        return True
    reached = RUNG_RANK[petition.rung]
    community = NODE_RANK[NodeKind.COMMUNITY]
    return any(
        kind in LEADING_KINDS and reached <= NODE_RANK[node_kind] <= community
        for kind, node_kind in standing.posts
    )


def _handler_kinds(petition: Petition) -> list[str]:
    """The node kinds whose staff may be given it: from the grid up to the level reached."""
    reached = max(RUNG_RANK[petition.rung], NODE_RANK[NodeKind.STREET])
    return [kind for kind in HANDLER_NODE_KINDS if NODE_RANK[kind] >= reached]


def take_over_candidates(*, petition: Petition) -> list:
    """The staff a taking level may hand it to: field posts over the petition's grid at the
    grid, the community or the street, no higher than the level reached. Two queries."""
    from hlgrid.models import User

    if petition.rung not in RUNG_RANK:
        return []
    posts = access.posts_above(petition.grid, kinds=access.FIELD_KINDS).filter(
        node__kind__in=_handler_kinds(petition)
    )
    return list(User.objects.filter(pk__in=posts.values("user_id")).order_by("username"))


def _assignee_level(petition: Petition, assignee) -> str:
    kinds = list(
        access.posts_above(petition.grid, kinds=access.FIELD_KINDS)
        .filter(user_id=assignee.pk, node__kind__in=_handler_kinds(petition))
        .values_list("node__kind", flat=True)
    )
    if not kinds:
        raise InvalidInput.field(
            "assignee", _("Give it to staff of this level who work over the petition's grid.")
        )
    # The nearest post to the grid says at which level it is handled.
    return HANDLER_NODE_KINDS[max(kinds, key=lambda kind: NODE_RANK[kind])]


def petition_take_over(
    *,
    actor,
    petition: Petition,
    assignee=None,
    department: Department | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Petition:
    """接管: the level reached takes the petition over and gives it to `assignee` or `department`."""
    note = (note or "").strip()[:500]
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        # Scope (404), state (409) and right (403) before the input: an outsider learns nothing.
        authorize(actor, petition, lambda s: may_take_over(s, petition), transition="take_over")
        if (assignee is None) == (department is None):
            raise InvalidInput.field("assignee", _("Choose either a person or a department to hand it to."))
        if department is not None and not department.is_active:
            raise InvalidInput.field("department", _("Choose an active department."))
        level = Level.DEPARTMENT if department is not None else _assignee_level(petition, assignee)
        before = fire(petition, "take_over")
        rung = petition.rung
        petition.level = level
        petition.assignee = assignee
        petition.department = department
        petition.taken_over_by = access.recorded(actor)
        petition.taken_over_at = now
        # The ladder's clock of this rung starts again when it next turns red.
        petition.rung_changed_at = None
        if petition.classified_at is None:
            petition.classified_at = now
        due = handle_deadline(petition, now)
        petition.handle_due_at = due
        fields = set_timer(petition, start=now, due=due, now=now)
        save(
            petition,
            [
                *fields,
                "level",
                "assignee",
                "department",
                "taken_over_by",
                "taken_over_at",
                "rung_changed_at",
                "classified_at",
                "handle_due_at",
            ],
        )
        who = assignee.display_name if assignee is not None else department.name
        text = f"{Rung(rung).label} → {who}"
        event(
            petition,
            actor=actor,
            action="take_over",
            before=before,
            note=f"{text}: {note}" if note else text,
            at=now,
        )
        notify(
            recipients=[assignee.pk] if assignee is not None else access.department_users(department.pk),
            kind=NotificationKind.ASSIGNED,
            petition=petition,
            text=petition.description[:120],
            dedupe=f"taken-over:{petition.pk}:{now.timestamp():.0f}",
            now=now,
        )
    return petition
