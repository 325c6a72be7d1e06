"""Reading bulletins, scoped by the one policy (grids.access) over the bulletin's node."""

from django.db.models import QuerySet

from bulletins.models import Bulletin, Kind
from grids import access
from grids.models import GridNode, NodeKind
from grids.selectors import scope_roots


def bulletin_list(*, user, node_id: int | None = None, kind: str | None = None) -> QuerySet:
    """The bulletins at nodes the user's posts cover, newest first (the snapshot left out)."""
    queryset = access.scope_queryset(
        user, Bulletin.objects.select_related("node").defer("figures", "node__boundary"), node_path="node"
    )
    if node_id:
        queryset = queryset.filter(node_id=node_id)
    if kind in Kind.values:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-first_day", "kind", "node__lft", "pk")


def bulletin_get(*, user, pk) -> Bulletin:
    """One bulletin with its snapshot, if the user's posts cover its node (404 otherwise)."""
    return access.get_scoped_or_404(
        user, Bulletin.objects.select_related("node").defer("node__boundary"), node_path="node", pk=pk
    )


def bulletin_nodes(*, user) -> list[GridNode]:
    """The city and the streets the user's posts cover: the nodes it may read bulletins of."""
    nodes = []
    for root in scope_roots(user=user):
        if root.kind == NodeKind.CITY:
            nodes.append(root)
            nodes += list(root.get_children().filter(kind=NodeKind.STREET).defer("boundary").order_by("code"))
        elif root.kind == NodeKind.STREET:
            nodes.append(root)
    return nodes
