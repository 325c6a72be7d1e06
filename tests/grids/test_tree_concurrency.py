import threading

import pytest
from django.db import connection

from grids import services
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_tree_writes_leave_a_consistent_tree(city):
    """django-mptt takes no locks: without the tree lock these inserts corrupt lft/rght."""
    errors = []
    barrier = threading.Barrier(6)

    def add(i):
        try:
            barrier.wait()
            services.gridnode_create(
                actor=SYSTEM, parent=city.street_b, kind=NodeKind.COMMUNITY, code=f"C{i}", name=f"并发{i}"
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []

    nodes = list(GridNode.objects.filter(tree_id=city.city.tree_id).values("pk", "lft", "rght", "parent_id"))
    bounds = sorted(b for n in nodes for b in (n["lft"], n["rght"]))
    assert bounds == list(range(1, 2 * len(nodes) + 1)), "lft/rght must be a permutation of 1..2n"
    by_pk = {n["pk"]: n for n in nodes}
    for node in nodes:
        if node["parent_id"]:
            parent = by_pk[node["parent_id"]]
            assert parent["lft"] < node["lft"] < node["rght"] < parent["rght"]
    city.street_b.refresh_from_db()
    assert city.street_b.get_children().count() == 7
