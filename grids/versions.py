"""Version numbers of the grid tree's nodes: what changed under a node, for whoever keeps
derived data (the dashboards' figures, the worker's kept pages).

Every node has a version, and so has every city (a tree); both live in the shared cache and
only ever grow. A change in a grid (a petition's transition, a visit, a new key person...:
hlgrid.changes, after the commit) bumps the versions of the grid and of all its ancestors —
the only nodes whose subtree holds it — so a key that embeds a node's version stops matching
the moment anything under that node changes, and every other node, and every other city,
keeps its entries. A city-wide change (its key groups, the first sweep after a restart) bumps
the city's version.

`scope_token(user)` turns this into the version of everything a user may see by territory:
its active posts (node and kind) with the versions of their nodes and cities. A page kept
under its token (`kept`) is recomputed after any change below any of the user's posts, after
any post of the user is granted, moved or ended, and never served to a user who lost the
post it was computed for.

Reading a key before computing what it names is what makes this safe against a concurrent
write: a write that commits after the versions were read bumps them after its commit, so a
value computed from the older data is stored under a key nobody reads any more.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from grids.models import GridNode, Post
from hlgrid.cache import bump_many

# A kept page lives at most this long (seconds) whatever happens: the bound on what the
# versions cannot see (an account's new display name; a page kept in Redis before an outage
# during which the bumps went to the per-process fallback, hlgrid.cache).
KEPT_TIMEOUT = 120


def node_key(node_id: int) -> str:
    return f"v:node:{node_id}"


def city_key(tree_id: int) -> str:
    return f"v:city:{tree_id}"


def bump(keys: Iterable[str]) -> None:
    # Not there yet (or evicted): any new value changes the keys; one round trip for all.
    bump_many(cache, keys, start=int(timezone.now().timestamp() * 1000))


def versions(keys: list[str]) -> dict[str, int]:
    """The current versions of these keys (0 for one never bumped), in one cache round trip."""
    found = cache.get_many(keys)
    return {key: found.get(key, 0) for key in keys}


def _ancestors_of(grid_ids: list[int]):
    """The nodes at or above any of the grids (one query)."""
    below = GridNode.objects.filter(
        pk__in=grid_ids, tree_id=OuterRef("tree_id"), lft__gte=OuterRef("lft"), rght__lte=OuterRef("rght")
    )
    return GridNode.objects.filter(Exists(below)).values_list("pk", flat=True)


def grids_changed(grid_ids: Iterable[int]) -> int:
    """Something changed in these grids: bump them and every node above; returns the nodes."""
    ids = sorted({pk for pk in grid_ids if pk is not None})
    if not ids:
        return 0
    nodes = list(_ancestors_of(ids))
    bump(node_key(pk) for pk in nodes)
    return len(nodes)


def grid_changed(grid_id: int, path: tuple[int, ...] | None = None) -> None:
    """The hlgrid.changes listener (grids.apps): a grid, or any node, and its ancestors
    (`path`, the node's and its ancestors' ids when the writer knew them, saves the query)."""
    if path:
        bump(node_key(pk) for pk in path)
    else:
        grids_changed([grid_id])


def city_changed(tree_id: int) -> None:
    bump([city_key(tree_id)])


def all_changed() -> None:
    """Every city (each city's version bumped): after a bulk load that went round the services."""
    bump(city_key(t) for t in GridNode.objects.filter(parent=None).values_list("tree_id", flat=True))


@functools.cache
def _posts_sql() -> str:
    """A user's active posts with their nodes' trees, by hand: the ORM spends longer compiling
    this join than the database answering it, on every kept page."""
    post, node = Post._meta, GridNode._meta

    def col(meta, field: str) -> str:
        return connection.ops.quote_name(meta.get_field(field).column)

    return (
        f"SELECT p.{col(post, 'kind')}, p.{col(post, 'node')}, n.{col(node, 'tree_id')} "
        f"FROM {connection.ops.quote_name(post.db_table)} p "
        f"JOIN {connection.ops.quote_name(node.db_table)} n ON n.{col(node, 'id')} = p.{col(post, 'node')} "
        f"WHERE p.{col(post, 'user')} = %s AND p.{col(post, 'is_active')} = %s "
        f"ORDER BY p.{col(post, 'node')}, p.{col(post, 'kind')}"
    )


def scope_token(user) -> str:
    """The version of what `user` sees by territory: its active posts and their nodes' and
    cities' versions (a superuser: every city's). One query and one cache round trip."""
    if user.is_superuser:
        roots = GridNode.objects.filter(parent=None).values_list("pk", "tree_id")
        posts = [("*", node_id, tree_id) for node_id, tree_id in roots]
    else:
        with connection.cursor() as cursor:
            cursor.execute(_posts_sql(), [user.pk, True])
            posts = cursor.fetchall()
    keys = sorted({node_key(node) for _, node, _ in posts} | {city_key(tree) for _, _, tree in posts})
    found = versions(keys) if keys else {}
    parts = [f"{kind}@{node}" for kind, node, _ in posts] + [f"{key}={found[key]}" for key in keys]
    return hashlib.md5(";".join(parts).encode(), usedforsecurity=False).hexdigest()


def kept(name: str, user, parts: Iterable, compute: Callable[[], object]):
    """`compute()`, kept for `user` under `name`, `parts` (what else the value depends on: a
    date, a pk) and the language, until anything in the user's territory changes (`scope_token`).

    Only the values of pages that show nothing but the user's territory may be kept so: the
    key says nothing of other data."""
    if not getattr(cache, "shared", True):
        # The cache is a per-process fallback (Redis is down): another process would not see
        # this one's bumps, so nothing is kept until it is shared again.
        return compute()
    key = ":".join(
        ["kept", name, str(user.pk), *map(str, parts), translation.get_language() or "", scope_token(user)]
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, KEPT_TIMEOUT)
    return value
