"""Topics (议题): raised by staff (on their own, from a visit, from a petition) or by a resident
at the front door for its household; screened by a head: accepted, merged, or answered."""

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import policy
from deliberation.models import Topic, TopicSource, TopicStatus
from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import inputs
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from residents import selectors as residents_selectors
from residents.models import Building, Household, Unit

# Topics are for the places people share: a grid (its buildings and units) or a community.
TOPIC_NODE_KINDS = (NodeKind.GRID, NodeKind.COMMUNITY)
STAFF_SOURCES = (TopicSource.HEAD, TopicSource.WORKER, TopicSource.VISIT, TopicSource.PETITION)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def tracking_code_new() -> str:
    return "YT" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def normalise_tracking_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]


def _texts(title: str, description: str) -> tuple[str, str]:
    title = inputs.required("title", title)
    description = inputs.required("description", description)
    if len(title) > 100:
        raise InvalidInput.field("title", _("A title has at most 100 characters."))
    if len(description) > 4000:
        raise InvalidInput.field("description", _("A description has at most 4000 characters."))
    return title, description


def _place(
    node: GridNode, building: Building | None, unit: Unit | None
) -> tuple[Building | None, Unit | None]:
    """A topic of a building or a unit belongs to that building's grid."""
    if node.kind not in TOPIC_NODE_KINDS:
        raise InvalidInput.field("node", _("A topic belongs to a grid or a community."))
    if unit is not None:
        if building is not None and unit.building_id != building.pk:
            raise InvalidInput.field("unit", _("This unit is not in that building."))
        building = unit.building
    if building is not None and building.grid_id != node.pk:
        raise InvalidInput.field("building", _("This building is not in the topic's grid."))
    return building, unit


def _create(**fields) -> Topic:
    """Insert with a fresh random tracking code; only a clash on the code is retried."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Topic.objects.create(tracking_code=tracking_code_new(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("no free tracking code")  # pragma: no cover - 32^8 codes


def topic_raise(
    *,
    actor,
    node: GridNode,
    title: str,
    description: str,
    source: str | None = None,
    building: Building | None = None,
    unit: Unit | None = None,
    household: Household | None = None,
    visit_id: int | None = None,
    petition_id: int | None = None,
    now: datetime.datetime | None = None,
) -> Topic:
    """Grid staff raise a topic at a node they cover; from a visit of theirs or a petition.

    A visit is looked up through residents' selectors (the actor's scope); the petition is
    named by id by the composing app (portal.deliberation_links), which has read it for the
    actor already. The source defaults to the actor's standing: HEAD for heads, else WORKER.
    """
    policy.require_staff(actor, node)
    title, description = _texts(title, description)
    building, unit = _place(node, building, unit)
    visit = None
    if visit_id is not None:
        try:
            visit = residents_selectors.visit_get(user=actor, pk=visit_id)
        except Http404:  # the residents' scope: one answer for absent and foreign
            raise InvalidInput.field("visit", _("Unknown visit.")) from None
        if not _under(visit.grid, node):
            raise InvalidInput.field("visit", _("This visit is not in the topic's node."))
        household = visit.household
        source = TopicSource.VISIT
    if household is not None and not _under(household.grid, node):
        raise InvalidInput.field("household", _("This household is not in the topic's node."))
    if petition_id is not None:
        source = TopicSource.PETITION
    if source is None:
        source = TopicSource.HEAD if policy.may_lead(actor, node) else TopicSource.WORKER
    if source not in STAFF_SOURCES:
        raise InvalidInput.field(
            "source", _("Staff raise topics as a head, a worker, from a visit or a petition.")
        )
    if source == TopicSource.VISIT and visit is None:
        raise InvalidInput.field("visit", _("Name the visit the topic comes from."))
    return _create(
        node=node,
        building=building,
        unit=unit,
        title=title,
        description=description,
        source=source,
        household=household,
        visit=visit,
        petition_id=petition_id,
        proposer=access.recorded(actor),
        created_at=now or timezone.now(),
    )


def _under(node: GridNode, ancestor: GridNode) -> bool:
    return node.tree_id == ancestor.tree_id and ancestor.lft <= node.lft and node.rght <= ancestor.rght


def household_identify(
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    grid_id: int | None = None,
    building: str,
    unit: str,
    door: str,
    phone: str,
) -> Household:
    """The household a resident names at the front door, the way the public petition intake
    places a report: the position routes to its grid (grids.locator), the address (building,
    unit, door, as 3栋2单元301 is said) names the door in that grid, and the phone must be one
    registered for a resident of that household (compared after decryption, never stored)."""
    from grids.locator import locate

    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise InvalidInput.field("location", _("This is not a valid position."))
        located = locate(latitude, longitude)
        if located is None:
            raise InvalidInput.field("location", _("This location is outside the service area."))
        grid_id = located.id
    elif grid_id is None or not GridNode.objects.filter(pk=grid_id, kind=NodeKind.GRID).exists():
        raise InvalidInput.field("location", _("Share your location or choose your grid."))
    return household_match(
        candidates=Household.objects.filter(grid_id=grid_id),
        building=building,
        unit=unit,
        door=door,
        phone=phone,
    )


def household_match(*, candidates, building: str, unit: str, door: str, phone: str) -> Household:
    """The household among `candidates` behind this address whose residents include this phone.

    One answer for "no such door" and "not your phone": nothing tells which households exist.
    A handful of rows at most (one door per unit; a community may repeat building numbers)."""
    phone = inputs.phone(inputs.required("phone", phone))
    matches = candidates.filter(
        unit__building__number=(building or "").strip(),
        unit__number=(unit or "").strip(),
        door=(door or "").strip(),
    ).select_related("grid", "unit__building")[:10]
    for household in matches:
        if phone in [r.phone for r in household.residents.all()]:
            return household
    raise InvalidInput.field("door", _("No household of this grid has this address and phone."))


def topic_submit_public(
    *,
    title: str,
    description: str,
    building: str,
    unit: str,
    door: str,
    phone: str,
    latitude: float | None = None,
    longitude: float | None = None,
    grid_id: int | None = None,
    about: str = "grid",
    now: datetime.datetime | None = None,
) -> Topic:
    """A resident raises a topic for its household's unit, building or grid (no account);
    the answer is a tracking code to follow the screening and the result."""
    title, description = _texts(title, description)
    if about not in ("unit", "building", "grid"):
        raise InvalidInput.field("about", _("Choose the unit, the building or the grid."))
    household = household_identify(
        latitude=latitude,
        longitude=longitude,
        grid_id=grid_id,
        building=building,
        unit=unit,
        door=door,
        phone=phone,
    )
    place_unit = household.unit if about == "unit" else None
    place_building = household.unit.building if about in ("unit", "building") else None
    return _create(
        node=household.grid,
        building=place_building,
        unit=place_unit,
        title=title,
        description=description,
        source=TopicSource.RESIDENT,
        household=household,
        created_at=now or timezone.now(),
    )


class Screening:
    ACCEPT = "accept"
    MERGE = "merge"
    ANSWER = "answer"
    ALL = (ACCEPT, MERGE, ANSWER)


def topic_screen(
    *,
    actor,
    topic: Topic,
    decision: str,
    reason: str = "",
    merge_into: Topic | None = None,
    now: datetime.datetime | None = None,
) -> Topic:
    """A head screens a topic: accepts it for deliberation, merges it into another open topic
    of the node (with the reason), or answers it directly (a reason is required)."""
    policy.require_leading(actor, topic.node)
    if decision not in Screening.ALL:
        raise InvalidInput.field("decision", _("Accept, merge or answer."))
    reason = (reason or "").strip()
    if decision in (Screening.MERGE, Screening.ANSWER) and not reason:
        raise InvalidInput.field("reason", _("Give the proposer a reason."))
    if len(reason) > 2000:
        raise InvalidInput.field("reason", _("A reason has at most 2000 characters."))
    now = now or timezone.now()
    with transaction.atomic():
        ids = sorted({topic.pk, merge_into.pk} if merge_into is not None else {topic.pk})
        locked = {t.pk: t for t in Topic.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        topic = locked[topic.pk]
        if decision == Screening.MERGE:
            if merge_into is None:
                raise InvalidInput.field("merge_into", _("Name the topic to merge into."))
            target = locked[merge_into.pk]
            if target.pk == topic.pk:
                raise InvalidInput.field("merge_into", _("A topic cannot be merged into itself."))
            if target.node_id != topic.node_id:
                raise InvalidInput.field("merge_into", _("Merge only into a topic of the same node."))
            if target.status not in (TopicStatus.SUBMITTED, TopicStatus.ACCEPTED):
                raise InvalidInput.field("merge_into", _("Merge only into an open topic."))
            if topic.status not in (TopicStatus.SUBMITTED, TopicStatus.ACCEPTED) or topic.votes.exists():
                raise TransitionNotAllowed(_("This topic has been screened or voted on already."))
            topic.merge()
            topic.merged_into = target
        elif decision == Screening.ACCEPT:
            if topic.status != TopicStatus.SUBMITTED:
                raise TransitionNotAllowed(_("This topic has been screened already."))
            topic.accept()
        else:
            if topic.status != TopicStatus.SUBMITTED:
                raise TransitionNotAllowed(_("This topic has been screened already."))
            topic.answer_directly()
        topic.answer = reason
        topic.screened_by = access.recorded(actor)
        topic.screened_at = now
        topic.save(update_fields=["status", "merged_into", "answer", "screened_by", "screened_at"])
    return topic


def topic_get_for_merge(*, actor, topic: Topic, pk) -> Topic:
    """The merge target a request names, seen through the actor's scope (400 if not)."""
    target = access.scope_queryset(actor, Topic.objects.all(), node_path="node").filter(pk=pk).first()
    if target is None:
        raise InvalidInput.field("merge_into", _("Unknown topic."))
    return target
