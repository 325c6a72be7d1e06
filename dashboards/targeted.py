"""The targeted service list (靶向服务): a grid's recurring problems, ranked, with a suggested action.

An action is registered by name (`register_action`): a label and a creator
`creator(actor, place, now) -> int` that goes through its app's service with the actor and
pre-filled text, returning the id of what it created. `action_create` records the link in
TargetedAction, once per problem and kind: a double click returns the first object.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards import hotspots
from dashboards.models import TargetedAction
from deliberation.services import topics as topic_services
from grids.models import Department, GridNode
from grids.subtree import in_subtree
from hlgrid.errors import InvalidInput
from party.models import Alliance
from party.services import alliances as alliance_services
from supervision import services as order_services

SUPERVISION_DAYS = 3  # a 督办 from the list: a reply within three working days


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    creator: Callable[..., int]


ACTIONS: dict[str, Action] = {}


def register_action(name: str, label, creator: Callable[..., int]) -> None:
    ACTIONS[name] = Action(name, label, creator)


def _texts(place: hotspots.Place) -> tuple[str, str]:
    title = _("Recurring: %(category)s near %(place)s") % {"category": place.category, "place": place.key}
    description = _(
        "%(count)d petitions of %(category)s at %(place)s in grid %(grid)s, %(returns)d of them "
        "after an earlier one was closed; the latest received %(last)s."
    ) % {
        "count": place.count,
        "category": place.category,
        "place": place.key,
        "grid": place.grid_name,
        "returns": place.returns,
        "last": place.last_received.date().isoformat(),
    }
    return title[:100], description


def _topic(actor, place: hotspots.Place, now: datetime.datetime) -> int:
    title, description = _texts(place)
    grid = GridNode.objects.get(pk=place.grid_id)
    return topic_services.topic_raise(
        actor=actor, node=grid, title=title, description=description, now=now
    ).pk


def _project(actor, place: hotspots.Place, now: datetime.datetime) -> int:
    grid = GridNode.objects.get(pk=place.grid_id)
    alliance = (
        Alliance.objects.filter(
            node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght
        )
        .order_by("-node__level", "pk")
        .first()
    )
    if alliance is None:
        raise InvalidInput.field("kind", _("No co-building alliance covers this grid."))
    title, description = _texts(place)
    return alliance_services.project_create(
        actor=actor, alliance=alliance, name=title, budget="0", grids=[grid], description=description
    ).pk


def _supervision(actor, place: hotspots.Place, now: datetime.datetime) -> int:
    """A 督办 on the problem: to its department when it has one, else to the grid's head."""
    title, description = _texts(place)
    grid = GridNode.objects.get(pk=place.grid_id)
    department = Department.objects.filter(pk=place.department_id).first() if place.department_id else None
    return order_services.order_issue(
        actor=actor,
        node=grid,
        title=title,
        instruction=description,
        working_days=SUPERVISION_DAYS,
        department=department,
        now=now,
    ).pk


register_action("topic", gettext_lazy("Deliberation topic"), _topic)
register_action("project", gettext_lazy("Joint project"), _project)
register_action("supervision", gettext_lazy("Supervision order"), _supervision)


@dataclass(frozen=True)
class Problem:
    place: hotspots.Place
    actions: dict  # kind -> object id already created


def problems(*, node: GridNode, now: datetime.datetime, limit: int = 50) -> list[Problem]:
    """The recurring problems under `node`, ranked by count and returns (two queries)."""
    places = hotspots.recurring_places(node=node, now=now, limit=500)
    places = sorted(places, key=lambda p: (-p.score, -p.count, p.grid_id, p.key))[:limit]
    taken: dict[tuple, dict] = {}
    for row in TargetedAction.objects.filter(in_subtree(node, "grid")).values(
        "grid_id", "place", "category_id", "kind", "object_id"
    ):
        taken.setdefault((row["grid_id"], row["place"], row["category_id"]), {})[row["kind"]] = row[
            "object_id"
        ]
    return [Problem(p, taken.get((p.grid_id, p.key, p.category_id), {})) for p in places]


def find(*, node: GridNode, now: datetime.datetime, grid_id: int, place: str, category_id) -> hotspots.Place:
    for candidate in hotspots.recurring_places(node=node, now=now, limit=500):
        if (candidate.grid_id, candidate.key, candidate.category_id) == (grid_id, place, category_id):
            return candidate
    raise InvalidInput.field("place", _("This problem is no longer on the list."))


def action_create(
    *, actor, node: GridNode, kind: str, grid_id: int, place: str, category_id, now: datetime.datetime
) -> TargetedAction:
    """Create the action `kind` for a problem of `node`'s list, once; a repeat returns the first."""
    if kind not in ACTIONS:
        raise InvalidInput.field("kind", _("Unknown action."))
    found = find(node=node, now=now, grid_id=grid_id, place=place, category_id=category_id)
    key = {"grid_id": found.grid_id, "place": found.key, "category_id": found.category_id, "kind": kind}
    existing = TargetedAction.objects.filter(**key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            object_id = ACTIONS[kind].creator(actor, found, now)
            return TargetedAction.objects.create(
                **key, object_id=object_id, created_by=actor if getattr(actor, "pk", None) else None
            )
    except IntegrityError:  # a concurrent click won: its object stands, ours was rolled back
        return TargetedAction.objects.get(**key)
