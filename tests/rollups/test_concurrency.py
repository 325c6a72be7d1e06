"""Concurrent increments of one rollup row, on PostgreSQL, from threads with their own connections.

In a module of its own: pytest-django runs transactional tests after the others, so in a module
that also reads the demo city this test would run while the module's demo transaction is still
open, and the threads' upserts would wait on its uncommitted grid rows forever.
"""

import datetime
import threading

import pytest
from django.db import connection, connections

from rollups import services
from rollups.models import GridDay


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_of_one_row_lose_nothing(city):
    if connection.vendor != "postgresql":
        pytest.skip("row-level concurrency needs PostgreSQL")
    day = datetime.date(2026, 3, 1)
    errors = []

    def add():
        try:
            for _ in range(20):
                services.fact_add(grid_id=city.grid_a1.pk, day=day, visits=1)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an increment waited on a lock for two minutes"
    assert not errors
    assert GridDay.objects.get(grid=city.grid_a1, day=day, category_id=0).visits == 80
