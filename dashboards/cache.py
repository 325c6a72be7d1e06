"""A short cache for dashboard figures, invalidated for exactly the nodes that changed.

Each node has a version number in the cache; a key embeds the versions of the
node and a global one, so bumping a version makes every cached figure of that
node unreachable at once. A petition transition bumps its grid and the grid's
ancestors (on commit); the periodic sweep bumps the global version when it
changed any light. Entries also expire after TIMEOUT seconds whatever happens.
"""

import datetime
from collections.abc import Callable

from django.core.cache import cache
from django.utils import timezone, translation

from grids.models import GridNode

TIMEOUT = 60
GLOBAL = "dash:v:all"
LAST_SWEEP = "dash:last-sweep"


def _node_key(node_id: int) -> str:
    return f"dash:v:{node_id}"


def _bump(keys: list[str]) -> None:
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:  # not there yet (or expired): any new value changes the keys
            cache.set(key, int(timezone.now().timestamp() * 1000), None)


def cached(name: str, node: GridNode, window_key: str, compute: Callable):
    versions = cache.get_many([GLOBAL, _node_key(node.pk)])
    key = ":".join(
        [
            "dash",
            name,
            str(node.pk),
            window_key,
            str(versions.get(GLOBAL, 0)),
            str(versions.get(_node_key(node.pk), 0)),
            translation.get_language() or "",
        ]
    )
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def invalidate_grid(grid_id: int) -> None:
    """Forget the figures of a grid and of every node above it."""
    grid = GridNode.objects.filter(pk=grid_id).only("tree_id", "lft", "rght").first()
    if grid is None:
        return
    ancestors = GridNode.objects.filter(tree_id=grid.tree_id, lft__lte=grid.lft, rght__gte=grid.rght)
    _bump([_node_key(pk) for pk in ancestors.values_list("pk", flat=True)])


def invalidate_all() -> None:
    _bump([GLOBAL])


def sweep_invalidate(*, now: datetime.datetime) -> dict:
    """Sweeper: a light that changed since the last sweep makes every dashboard stale."""
    from petitions.models import CheckIn, Petition

    since = cache.get(LAST_SWEEP)
    cache.set(LAST_SWEEP, now, None)
    if since is None:
        invalidate_all()
        return {"invalidated": True}
    changed = (
        Petition.objects.filter(light_changed_at__gte=since).exists()
        or CheckIn.objects.filter(light_changed_at__gte=since).exists()
    )
    if changed:
        invalidate_all()
    return {"invalidated": changed}
