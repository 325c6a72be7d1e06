"""A short cache for dashboard figures, keyed and invalidated per node path, computed once.

Keys: every entry is keyed by its node's path in the grid tree — the city (the tree) and the
node — and embeds two version numbers, the city's and the node's; bumping a version makes
every cached figure behind it unreachable at once.

Invalidation: a change in a grid (a petition's transition, a visit, ...: hlgrid.changes, on
commit) bumps the versions of the grid and of its ancestors — the only nodes whose figures
count it — and so leaves every other node, and every other city, cached. The periodic sweep
does the same for exactly the grids whose lights changed since the last sweep (open
petitions; check-ins: the whistle's street and petition's grid); a city-wide change (the
first sweep after a restart) bumps one city's version. Entries also expire after TIMEOUT
seconds whatever happens.

Single flight: when several viewers ask for an entry that is not there, one of them (the
holder of a short lock, `cache.add`, atomic in Redis) computes it; the others wait for the
value (polling every POLL seconds, at most WAIT seconds), then compute it themselves only
if the holder died or gave up.
"""

import datetime
import time
import uuid
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from grids.models import GridNode
from hlgrid.cache import bump_many

TIMEOUT = 60
LOCK_TIMEOUT = 30
WAIT = 15.0
POLL = 0.05
LAST_SWEEP = "dash:last-sweep"
_MISSING = object()


def _node_key(node_id: int) -> str:
    return f"dash:v:{node_id}"


def _city_key(tree_id: int) -> str:
    return f"dash:v:city:{tree_id}"


def _bump(keys: Iterable[str]) -> None:
    # Not there yet (or expired): any new value changes the keys; one round trip for all.
    bump_many(cache, keys, start=int(timezone.now().timestamp() * 1000))


def entry_key(name: str, node: GridNode, window_key: str) -> str:
    """The key of one figure of one node: its path (city, node), versions and language."""
    versions = cache.get_many([_city_key(node.tree_id), _node_key(node.pk)])
    return ":".join(
        [
            "dash",
            name,
            f"{node.tree_id}/{node.pk}",
            window_key,
            str(versions.get(_city_key(node.tree_id), 0)),
            str(versions.get(_node_key(node.pk), 0)),
            translation.get_language() or "",
        ]
    )


def cached(name: str, node: GridNode, window_key: str, compute: Callable):
    key = entry_key(name, node, window_key)
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value
    lock, token = f"{key}:lock", uuid.uuid4().hex
    if cache.add(lock, token, LOCK_TIMEOUT):
        try:
            value = compute()
            cache.set(key, value, TIMEOUT)
            return value
        finally:
            if cache.get(lock) == token:
                cache.delete(lock)
    # Another viewer computes it: wait for its value rather than compute it again.
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        time.sleep(POLL)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value
        if cache.get(lock) is None:  # the holder finished without storing, or died
            break
    value = compute()
    cache.set(key, value, TIMEOUT)
    return value


def _ancestors_of(grid_ids: list[int]):
    """The nodes at or above any of the grids (one query)."""
    below = GridNode.objects.filter(
        pk__in=grid_ids, tree_id=OuterRef("tree_id"), lft__gte=OuterRef("lft"), rght__lte=OuterRef("rght")
    )
    return GridNode.objects.filter(Exists(below)).values_list("pk", flat=True)


def invalidate_grids(grid_ids: Iterable[int]) -> int:
    """Forget the figures of these grids and of every node above them; returns the nodes."""
    ids = sorted({pk for pk in grid_ids if pk is not None})
    if not ids:
        return 0
    nodes = list(_ancestors_of(ids))
    _bump(_node_key(pk) for pk in nodes)
    return len(nodes)


def invalidate_grid(grid_id: int, path: tuple[int, ...] | None = None) -> None:
    """Forget the figures of a grid and of every node above it (hlgrid.changes listener;
    `path`, the grid's and its ancestors' ids when the writer knew them, saves the query)."""
    if path:
        _bump(_node_key(pk) for pk in path)
    else:
        invalidate_grids([grid_id])


def invalidate_city(tree_id: int) -> None:
    _bump([_city_key(tree_id)])


def invalidate_all() -> None:
    """Every city's figures (each city's version bumped)."""
    _bump(_city_key(t) for t in GridNode.objects.filter(parent=None).values_list("tree_id", flat=True))


def sweep_invalidate(*, now: datetime.datetime) -> dict:
    """Sweeper: forget the figures above the grids whose lights changed since the last sweep."""
    from petitions.models import OPEN_STATUSES, CheckIn, Petition

    since = cache.get(LAST_SWEEP)
    cache.set(LAST_SWEEP, now, None)
    if since is None:
        invalidate_all()
        return {"invalidated": True}
    # Open petitions only (the partial indexes on the open rows), as only those carry lights.
    grids = set(
        Petition.objects.filter(status__in=OPEN_STATUSES, light_changed_at__gte=since)
        .order_by()
        .values_list("grid_id", flat=True)
        .distinct()
    )
    for street, grid in (
        CheckIn.objects.filter(checked_in_at__isnull=True, light_changed_at__gte=since)
        .order_by()
        .values_list("whistle__street_id", "whistle__petition__grid_id")
        .distinct()
    ):
        grids.update({street, grid})
    grids.discard(None)
    if grids:
        invalidate_grids(grids)
    return {"invalidated": bool(grids)}
