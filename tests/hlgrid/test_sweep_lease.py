"""A sweeper runs under a lease in a row, not a session lock (which PgBouncer's transaction
pooling would lose): held, it makes a second sweep skip; released or run out, it is free."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hlgrid.models import SweepState
from hlgrid.sweeps import LEASE, sweeper_lock

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_held_lease_is_refused_and_a_released_one_is_granted_again():
    with sweeper_lock("demo") as first:
        assert first
        with sweeper_lock("demo") as second:
            assert not second
    with sweeper_lock("demo") as again:
        assert again
    assert SweepState.objects.get(name="lock:demo").held_until is None


def test_a_lease_left_by_a_crashed_sweep_runs_out_after_its_time():
    SweepState.objects.create(name="lock:demo", held_until=T0 + LEASE)  # a sweep died holding it
    with time_machine.travel(T0 + LEASE - timedelta(seconds=1), tick=False), sweeper_lock("demo") as got:
        assert not got
    with time_machine.travel(T0 + LEASE + timedelta(seconds=1), tick=False), sweeper_lock("demo") as got:
        assert got
