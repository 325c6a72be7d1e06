"""The roster of a node: the five heads (五长) of the node and everything below it.

街长 at a street, 路/巷长 at a community, 网格长 at a grid (HEAD posts, grids.Post), and the
楼栋长 and 单元长 of the buildings (residents.Building.head / Unit.head). Each node is listed
with its head or as vacant, each building with its 楼栋长 and the number of its units without
a 单元长; the gaps are summed at the top. Four queries whatever the size of the subtree.

Who may see it: whoever may see the residents of the node (RESIDENT_POST_KINDS); the heads'
names are shown as every residents' page shows them, phones masked.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from grids.access import get_scoped_or_404
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.ordering import numbered
from residents.models import Building
from residents.selectors import RESIDENT_POST_KINDS

# The nodes that have a head of their own (the city's chief is not one of the five).
HEADED_KINDS = (NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID)


@dataclass
class RosterNode:
    node: GridNode
    depth: int
    head: Post | None
    buildings: list[Building] = field(default_factory=list)

    @property
    def has_head_post(self) -> bool:
        return self.node.kind in HEADED_KINDS

    @property
    def vacant(self) -> bool:
        return self.has_head_post and self.head is None


@dataclass
class Roster:
    node: GridNode
    rows: list[RosterNode]
    vacant_nodes: list[tuple[str, str, int]]  # (kind, its label, how many without a head)
    buildings: int
    buildings_without_head: int
    units: int
    units_without_head: int

    @property
    def vacant_total(self) -> int:
        return sum(count for _kind, _label, count in self.vacant_nodes)

    @property
    def gaps(self) -> int:
        return self.vacant_total + self.buildings_without_head + self.units_without_head


def roster(*, user, pk) -> Roster:
    node = get_scoped_or_404(
        user, GridNode.objects.all(), node_path="", post_kinds=RESIDENT_POST_KINDS, pk=pk
    )
    subtree = GridNode.objects.filter(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)
    nodes = list(subtree.order_by("lft"))
    heads = {
        post.node_id: post
        for post in Post.objects.filter(
            kind=PostKind.HEAD,
            is_active=True,
            node__tree_id=node.tree_id,
            node__lft__gte=node.lft,
            node__rght__lte=node.rght,
        ).select_related("user")
    }
    by_grid: dict[int, list[Building]] = defaultdict(list)
    buildings = (
        Building.objects.filter(
            grid__tree_id=node.tree_id, grid__lft__gte=node.lft, grid__rght__lte=node.rght
        )
        .select_related("head")
        .annotate(
            unit_count=Count("units"),
            units_without_head=Count("units", filter=Q(units__head__isnull=True)),
        )
        .order_by("grid_id", *numbered("number"), "pk")
    )
    totals = {"buildings": 0, "buildings_without_head": 0, "units": 0, "units_without_head": 0}
    for building in buildings:
        by_grid[building.grid_id].append(building)
        totals["buildings"] += 1
        totals["buildings_without_head"] += building.head_id is None
        totals["units"] += building.unit_count
        totals["units_without_head"] += building.units_without_head
    rows, vacant = [], dict.fromkeys(HEADED_KINDS, 0)
    for item in nodes:
        row = RosterNode(
            node=item,
            depth=item.level - node.level,
            head=heads.get(item.pk),
            buildings=by_grid.get(item.pk, []),
        )
        if row.vacant:
            vacant[item.kind] += 1
        rows.append(row)
    return Roster(
        node=node,
        rows=rows,
        vacant_nodes=[(kind, NodeKind(kind).label, count) for kind, count in vacant.items() if count],
        **totals,
    )
