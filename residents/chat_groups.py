"""Micro-grid WeChat groups (专属微信群): the groups of a grid, its buildings and units, each
reached through its WeChat Work group robot, and the announcements sent to them.

Who: the workers, heads and officials whose posts cover the grid (RESIDENT_POST_KINDS), as for
the grid's buildings and units; outsiders get 404. Messages go through hlgrid.notifier (channel
WECOM), recorded in the caller's transaction and sent after commit.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from grids.subtree import in_subtree
from hlgrid import inputs
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.notifier.channels import channel
from hlgrid.notifier.models import Channel, Delivery, Purpose
from hlgrid.notifier.services import delivery_queue
from hlgrid.ordering import numbered
from residents.models import Building, ChatGroup, Unit
from residents.selectors import RESIDENT_POST_KINDS

NAME_MAX = 64
TEXT_MAX = 500


# --- reads ----------------------------------------------------------------------------------


def chat_group_list(*, user, grid: GridNode) -> QuerySet:
    """The groups of one grid the user may see (grid first, then by building and unit)."""
    access.must_cover(user, grid, kinds=RESIDENT_POST_KINDS)
    return (
        ChatGroup.objects.filter(grid=grid)
        .select_related("building", "unit", "unit__building")
        .order_by("-is_active", *numbered("building__number"), *numbered("unit__number"), "name", "pk")
    )


def chat_group_get(*, user, pk) -> ChatGroup:
    return access.get_scoped_or_404(
        user,
        ChatGroup.objects.select_related("grid", "building", "unit"),
        node_path="grid",
        post_kinds=RESIDENT_POST_KINDS,
        pk=pk,
    )


# --- writes ---------------------------------------------------------------------------------


def _place(
    grid: GridNode, building: Building | None, unit: Unit | None
) -> tuple[Building | None, Unit | None]:
    if unit is not None:
        if building is not None and unit.building_id != building.pk:
            raise InvalidInput.field("unit", _("The unit is not in that building."))
        building = unit.building
    if building is not None and building.grid_id != grid.pk:
        raise InvalidInput.field("building", _("The building is not in this grid."))
    return building, unit


def _webhook(url: str) -> str:
    return channel(Channel.WECOM).normalise(url)


def chat_group_create(
    *,
    actor,
    grid: GridNode,
    name: str,
    webhook_url: str,
    building: Building | None = None,
    unit: Unit | None = None,
) -> ChatGroup:
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("A micro-grid group belongs to a grid."))
    access.must_cover(actor, grid, kinds=RESIDENT_POST_KINDS)
    name = inputs.required("name", name)[:NAME_MAX]
    url = _webhook(webhook_url)
    building, unit = _place(grid, building, unit)
    return ChatGroup.objects.create(
        grid=grid,
        building=building,
        unit=unit,
        name=name,
        webhook_url=url,
        webhook_hint=channel(Channel.WECOM).hint(url)[:64],
        created_by=access.recorded(actor),
    )


def chat_group_update(
    *,
    actor,
    group: ChatGroup,
    name: str,
    webhook_url: str = "",
    building: Building | None = None,
    unit: Unit | None = None,
    is_active: bool = True,
) -> ChatGroup:
    """Change a group; an empty `webhook_url` keeps the robot it has."""
    with transaction.atomic():
        group = ChatGroup.objects.select_for_update().select_related("grid").filter(pk=group.pk).first()
        if group is None:
            raise NotFound()
        access.must_cover(actor, group.grid, kinds=RESIDENT_POST_KINDS)
        group.name = inputs.required("name", name)[:NAME_MAX]
        if (webhook_url or "").strip():
            group.webhook_url = _webhook(webhook_url)
            group.webhook_hint = channel(Channel.WECOM).hint(group.webhook_url)[:64]
        group.building, group.unit = _place(group.grid, building, unit)
        group.is_active = bool(is_active)
        group.save()
    return group


def chat_group_test(*, actor, group: ChatGroup, now: datetime | None = None) -> Delivery:
    """A test message to the group, to check its robot (one per press of the button)."""
    access.must_cover(actor, group.grid, kinds=RESIDENT_POST_KINDS)
    now = now or timezone.now()
    text = _("Test message from the Helong grid platform to %(group)s.") % {"group": group.name}
    with transaction.atomic():
        return delivery_queue(
            channel=Channel.WECOM,
            address=group.webhook_url,
            text=text,
            purpose=Purpose.TEST,
            dedupe=f"chat-group:{group.pk}:test:{now.timestamp():.3f}",
            node_id=group.grid_id,
            label=group.name,
            now=now,
        )


def chat_groups_announce(
    *, actor, node_ids: Iterable[int], text: str, dedupe: str, now: datetime | None = None
) -> int:
    """Queue `text` to every active group of the grids in the subtrees of `node_ids` (a street,
    a community, grids), their buildings' and units' groups included; once per group for one
    `dedupe` (an announcement's id). How many were queued."""
    text = inputs.required("text", text)[:TEXT_MAX]
    dedupe = inputs.required("dedupe", dedupe)
    try:
        nodes = access.get_all_scoped_or_404(actor, GridNode.objects.all(), list(node_ids), node_path="")
    except Http404:
        raise NotFound() from None
    if not nodes:
        return 0
    subtrees = Q()
    for node in nodes:
        subtrees |= in_subtree(node, "grid")
    groups = ChatGroup.objects.filter(subtrees, is_active=True).order_by("pk")
    count = 0
    with transaction.atomic():
        for group in groups:
            delivery_queue(
                channel=Channel.WECOM,
                address=group.webhook_url,
                text=text,
                purpose=Purpose.ANNOUNCEMENT,
                dedupe=f"{dedupe}:group:{group.pk}"[:160],
                node_id=group.grid_id,
                label=group.name,
                now=now,
            )
            count += 1
    return count
