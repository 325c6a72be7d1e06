"""The dashboards' cache: keyed and invalidated per node path, and computed once by
concurrent viewers of a cold entry."""

import threading
import time

import pytest

from dashboards import cache as dashboard_cache
from grids import services as grid_services
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind
from petitions.models import Petition, Status
from tests.dashboards.data import NOW, petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_city(city):
    return grid_services.gridnode_create(
        actor=SYSTEM, parent=None, kind=NodeKind.CITY, code="O", name="别市", boundary=None
    )


def cache_all(nodes) -> dict:
    """Cache a counter per node and return a function telling which were recomputed."""
    computed = []
    for node in nodes:
        dashboard_cache.cached("probe", node, "now", lambda node=node: node.pk)

    def recomputed():
        computed.clear()
        for node in nodes:
            dashboard_cache.cached("probe", node, "now", lambda node=node: computed.append(node) or node.pk)
        return set(computed)

    return recomputed


def test_a_change_in_a_grid_clears_only_its_ancestors_and_only_in_its_city(city, other_city):
    nodes = [
        city.city,
        city.street_a,
        city.community_a,
        city.grid_a1,
        city.grid_a2,
        city.street_b,
        other_city,
    ]
    # A new root may renumber the trees (django-mptt orders the roots): read the nodes afresh.
    nodes = [GridNode.objects.get(pk=node.pk) for node in nodes]
    city_node, street_a, community_a, grid_a1, _, _, other_city = nodes
    recomputed = cache_all(nodes)
    assert recomputed() == set()
    dashboard_cache.invalidate_grid(grid_a1.pk)
    assert recomputed() == {city_node, street_a, community_a, grid_a1}
    dashboard_cache.invalidate_city(other_city.tree_id)
    assert recomputed() == {other_city}


def test_the_sweep_clears_only_above_the_grids_whose_lights_changed(city, other_city):
    petition(city.grid_b1, Status.RECEIVED, due_at=NOW, warn_at=NOW)
    dashboard_cache.sweep_invalidate(now=NOW)  # the first sweep: every city
    recomputed = cache_all([city.city, city.street_a, city.street_b, city.grid_b1, other_city])
    assert dashboard_cache.sweep_invalidate(now=NOW) == {"invalidated": False}
    assert recomputed() == set()
    Petition.objects.filter(grid=city.grid_b1).update(light_changed_at=NOW)
    assert dashboard_cache.sweep_invalidate(now=NOW) == {"invalidated": True}
    assert recomputed() == {city.city, city.street_b, city.grid_b1}


def test_concurrent_viewers_of_a_cold_entry_compute_it_once(city):
    calls, results = [], []
    lock = threading.Lock()

    def compute():
        with lock:
            calls.append(1)
        time.sleep(0.3)
        return {"red": 7}

    def viewer():
        results.append(dashboard_cache.cached("headline", city.city, "w", compute))

    threads = [threading.Thread(target=viewer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert results == [{"red": 7}] * 8


def test_a_viewer_computes_itself_when_the_holder_gave_up(city):
    key = dashboard_cache.entry_key("headline", city.city, "w")
    from django.core.cache import cache

    cache.add(f"{key}:lock", "someone", 1)
    started = time.monotonic()
    cache.delete(f"{key}:lock")  # the holder died without storing a value
    assert dashboard_cache.cached("headline", city.city, "w", lambda: 3) == 3
    assert time.monotonic() - started < 1
