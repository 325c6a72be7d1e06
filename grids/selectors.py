"""Read queries over the grid tree, always scoped to the asking user."""

from django.db.models import Prefetch, QuerySet

from grids import access
from grids.access import get_scoped_or_404, scope_queryset
from grids.models import Department, GridNode, NodeKind, Post, PostKind
from grids.subtree import count_in_subtree


def _with_people(queryset: QuerySet) -> QuerySet:
    """Heads and workers in two prefetch queries, whatever the number of nodes."""
    active = Post.objects.filter(is_active=True).select_related("user").order_by("user__username")
    return queryset.prefetch_related(
        Prefetch("posts", queryset=active.filter(kind=PostKind.HEAD), to_attr="head_posts"),
        Prefetch("posts", queryset=active.filter(kind=PostKind.WORKER), to_attr="worker_posts"),
    )


def gridnode_list(*, user, kind: str | None = None, parent_id: int | None = None) -> QuerySet:
    queryset = scope_queryset(user, GridNode.objects.all(), node_path="")
    if kind:
        queryset = queryset.filter(kind=kind)
    if parent_id:
        queryset = queryset.filter(parent_id=parent_id)
    return _with_people(queryset.select_related("parent")).order_by("tree_id", "lft")


def gridnode_get(*, user, pk) -> GridNode:
    return get_scoped_or_404(
        user, _with_people(GridNode.objects.select_related("parent")), node_path="", pk=pk
    )


def gridnode_children(*, user, node: GridNode) -> QuerySet:
    """The node's children with their people and how many grids each covers."""
    children = scope_queryset(user, node.get_children(), node_path="")
    return _with_people(with_subtree_counts(children)).order_by("code")


def with_subtree_counts(queryset: QuerySet) -> QuerySet:
    """Annotate grid_count and worker_count over each node's subtree, in SQL."""
    return queryset.annotate(
        grid_count=count_in_subtree(GridNode.objects.filter(kind=NodeKind.GRID)),
        worker_count=count_in_subtree(Post.objects.filter(kind=PostKind.WORKER, is_active=True), "node"),
    )


def visible_ancestors(*, user, node: GridNode) -> list[tuple[GridNode, bool]]:
    """The node's ancestors for a breadcrumb, each with whether the user may open it (2 queries)."""
    ancestors = list(node.get_ancestors())
    visible = set(
        scope_queryset(
            user, GridNode.objects.filter(pk__in=[a.pk for a in ancestors]), node_path=""
        ).values_list("pk", flat=True)
    )
    return [(a, a.pk in visible) for a in ancestors]


def scope_roots(*, user) -> list[GridNode]:
    """The top-most nodes the user may see (its posts' nodes without those nested in others)."""
    if user.is_superuser:
        return list(GridNode.objects.filter(parent__isnull=True).order_by("tree_id"))
    nodes = {
        post.node_id: post.node
        for post in Post.objects.filter(user=user, is_active=True).select_related("node")
    }
    roots = [
        node
        for node in nodes.values()
        if not any(
            other.pk != node.pk
            and other.tree_id == node.tree_id
            and other.lft <= node.lft
            and node.rght <= other.rght
            for other in nodes.values()
        )
    ]
    return sorted(roots, key=lambda n: (n.tree_id, n.lft))


def user_posts(*, user) -> QuerySet:
    return (
        Post.objects.filter(user=user, is_active=True)
        .select_related("node", "department")
        .order_by("node__tree_id", "node__lft", "kind")
    )


def department_list(*, user) -> QuerySet:
    """The active departments of the user's cities."""
    return access.scope_to_cities(user, Department.objects.filter(is_active=True)).order_by("code")
