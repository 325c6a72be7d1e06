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
from collections.abc import Callable

from django.core.cache import cache
from django.utils import translation

from grids import versions
from grids.models import GridNode

TIMEOUT = 60
LOCK_TIMEOUT = 30
WAIT = 15.0
POLL = 0.05
LAST_SWEEP = "dash:last-sweep"
_MISSING = object()


def entry_key(name: str, node: GridNode, window_key: str) -> str:
    """The key of one figure of one node: its path (city, node), versions and language."""
    city, own = versions.city_key(node.tree_id), versions.node_key(node.pk)
    found = versions.versions([city, own])
    return ":".join(
        [
            "dash",
            name,
            f"{node.tree_id}/{node.pk}",
            window_key,
            str(found[city]),
            str(found[own]),
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


# The versions are the grid tree's (grids.versions, bumped after every change in a grid).
invalidate_grids = versions.grids_changed
invalidate_grid = versions.grid_changed
invalidate_city = versions.city_changed
invalidate_all = versions.all_changed


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
