"""Each city's active leaf categories, kept in process memory for the intake.

A report's category is suggested from the keywords of its city's categories, and the answer
names it (parent › name); reading the catalogue for every report costs more than the rest of
the intake. Each process keeps one copy per city, tagged with the city's stamp
(hlgrid.TreeLock "categories:<city id>"), and compares it with the stamp read in the query
that also gives the grid locator's (hlgrid.trees.tree_stamps): a stale copy is never used.

The stamp is bumped by the database itself (triggers on petitions_category, migration 0014)
for every insert, update and delete, whoever writes: the services, the admin, a bulk update,
the demo's load. So one city's change reloads that city only; the others' copies stay.

The copies are shared by every request of the process: read them, never change them.
"""

import threading
from dataclasses import dataclass

from petitions.models import Category

STAMP = "categories:"
_lock = threading.Lock()
_cached: dict[int, tuple[int, "Catalogue"]] = {}


def stamp_name(city_id: int) -> str:
    return f"{STAMP}{city_id}"


def best_match(leaves, text: str) -> Category | None:
    """The leaf whose keywords occur most often in `text` (ties: the first, i.e. lowest code):
    the one rule of category suggestion (petitions.services.intake.category_suggest too)."""
    text = (text or "").lower()
    if not text:
        return None
    best, best_hits = None, 0
    for category in leaves:
        hits = sum(text.count(k.lower()) for k in category.keyword_list)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


@dataclass(frozen=True)
class Catalogue:
    leaves: tuple[Category, ...]  # active leaves by code, each with its parent loaded

    def suggest(self, text: str) -> Category | None:
        return best_match(self.leaves, text)


def _load(city_id: int) -> Catalogue:
    leaves = (
        Category.objects.filter(is_active=True, children__isnull=True, city_id=city_id)
        .select_related("parent")
        .order_by("code")
    )
    return Catalogue(leaves=tuple(leaves))


def of_city(city_id: int, *, stamps: dict[str, int]) -> Catalogue:
    """The city's catalogue, reloaded when its stamp in `stamps` differs from the copy's."""
    version = stamps.get(stamp_name(city_id), 0)
    with _lock:
        found = _cached.get(city_id)
    if found is not None and found[0] == version:
        return found[1]
    # Loaded after the stamp was read: a change committed in between is in the copy already
    # and only makes the next intake load it once more.
    fresh = _load(city_id)
    with _lock:
        _cached[city_id] = (version, fresh)
    return fresh


def forget(city_id: int | None = None) -> None:
    """Drop this process's copies (a test's rolled-back database repeats stamp numbers)."""
    with _lock:
        if city_id is None:
            _cached.clear()
        else:
            _cached.pop(city_id, None)
