"""Reads of announcements: the staff's scoped lists, and what residents of a grid read."""

from django.db.models import QuerySet
from django.utils import timezone

from announcements.models import Announcement
from grids import access
from grids.models import GridNode, PostKind
from grids.subtree import in_subtree

PUBLIC_LIMIT = 10
# Staff read the announcements of their territory (department staff and assessors work elsewhere).
STAFF_KINDS = access.FIELD_KINDS | {PostKind.ADMIN}


def announcement_list(*, user, node: GridNode | None = None, include_withdrawn: bool = True) -> QuerySet:
    """The announcements posted at nodes the user's posts cover (optionally within `node`'s subtree)."""
    queryset = access.scope_queryset(
        user,
        Announcement.objects.select_related("node", "published_by"),
        node_path="node",
        post_kinds=STAFF_KINDS,
    )
    if node is not None:
        queryset = queryset.filter(in_subtree(node, "node"))
    if not include_withdrawn:
        queryset = queryset.filter(withdrawn_at__isnull=True)
    return queryset


def announcement_get(*, user, pk: int) -> Announcement:
    """One announcement in the user's scope (Http404 outside it)."""
    return access.get_scoped_or_404(
        user,
        Announcement.objects.select_related("node", "published_by"),
        pk=pk,
        node_path="node",
        post_kinds=STAFF_KINDS,
    )


def announcements_for_grid(*, grid: GridNode, now=None, limit: int = PUBLIC_LIMIT) -> list[Announcement]:
    """What a resident of `grid` reads: live announcements posted at the grid or above it (one query)."""
    return list(
        Announcement.objects.live(now=now or timezone.now())
        .filter(node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght)
        .select_related("node")
        .order_by("-published_at", "-pk")[:limit]
    )


def public_announcement(*, pk: int) -> Announcement | None:
    """A live announcement, for its public photo (None when it is not live)."""
    return Announcement.objects.live().filter(pk=pk).first()


def announcements_of_kinds(*, kinds, now=None, limit: int = PUBLIC_LIMIT) -> list[Announcement]:
    """Live announcements posted at nodes of these kinds (the city's and streets' own), one query."""
    return list(
        Announcement.objects.live(now=now or timezone.now())
        .filter(node__kind__in=list(kinds))
        .select_related("node")
        .order_by("-published_at", "-pk")[:limit]
    )
