"""The batched sweep: the same lights, overdue rows and notices in any batch size; claimed rows."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from hlgrid.lights import light_at
from hlgrid.sweeps import run_sweep, sweeper_lock
from petitions.models import Light, Notification, Overdue, Petition, Status, Step
from petitions.sweep import sweep

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _crafted(grid, worker):
    """Every transition: green→yellow/red, red→yellow/green (an extension), unchanged, no clock, closed."""
    h = timedelta(hours=1)
    shapes = [
        (Light.GREEN, NOW - h, NOW + h, Status.HANDLING),  # → yellow
        (Light.GREEN, NOW - 2 * h, NOW - h, Status.HANDLING),  # → red
        (Light.RED, NOW - h, NOW + h, Status.HANDLING),  # → yellow (deadline moved)
        (Light.RED, NOW + h, NOW + 2 * h, Status.HANDLING),  # → green (extension)
        (Light.YELLOW, NOW + h, NOW + 2 * h, Status.VERIFIED),  # → green
        (Light.YELLOW, NOW - h, NOW + h, Status.HANDLING),  # unchanged
        (Light.GREEN, None, None, Status.HANDLING),  # no clock: unchanged
        (Light.GREEN, NOW - 2 * h, NOW - h, Status.CLOSED),  # closed: untouched
    ]
    rows = []
    for i in range(40):
        stored, warn, due, status = shapes[i % len(shapes)]
        rows.append(
            Petition(
                tracking_code=f"HL-B-{i:05d}",
                status=status,
                source="HOTLINE",
                description="批量",
                grid=grid,
                assignee=worker if i % 3 else None,
                step=Step.HANDLE,
                step_started_at=NOW - timedelta(days=2),
                warn_at=warn,
                due_at=due,
                light=stored,
            )
        )
    Petition.objects.bulk_create(rows)


def _state():
    return (
        sorted(Petition.objects.values_list("tracking_code", "light")),
        sorted(Overdue.objects.values_list("petition__tracking_code", "step", "user_id", "due_at")),
        sorted(
            Notification.objects.values_list("recipient_id", "kind", "petition__tracking_code", "dedupe_key")
        ),
    )


@pytest.mark.django_db
def test_batches_of_any_size_give_the_same_lights_overdue_rows_and_notices_as_one_batch(city, people, team):
    _crafted(city.grid_a1, people.worker)
    initial = dict(Petition.objects.values_list("pk", "light"))
    with time_machine.travel(NOW, tick=False):
        whole = sweep(now=NOW, batch_size=10_000)
    one_batch = _state()
    assert whole["batches"] == 1
    for petition in Petition.objects.filter(status__in=[Status.HANDLING, Status.VERIFIED]):
        assert petition.light == light_at(
            due_at=petition.due_at, warn_at=petition.warn_at, stored=initial[petition.pk], now=NOW
        )
    assert Petition.objects.filter(status=Status.CLOSED, light=Light.GREEN).count() == 5

    Overdue.objects.all().delete()
    Notification.objects.all().delete()
    for pk, light in initial.items():
        Petition.objects.filter(pk=pk).update(light=light, light_changed_at=None)
    with time_machine.travel(NOW, tick=False):
        batched = sweep(now=NOW, batch_size=3)
    assert _state() == one_batch
    assert {k: batched[k] for k in ("green", "yellow", "red", "overdue", "notified")} == {
        k: whole[k] for k in ("green", "yellow", "red", "overdue", "notified")
    }
    assert batched["batches"] == -(-(whole["green"] + whole["yellow"] + whole["red"]) // 3)
    assert whole["red"] == 5 and whole["yellow"] == 10 and whole["green"] == 10
    assert sweep(now=NOW, batch_size=3)["batches"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_change_or_notify_one_petition_twice(city, people, team):
    _crafted(city.grid_a1, people.worker)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(sweep(now=NOW, batch_size=2))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r["red"] for r in results) == 5
    assert sum(r["yellow"] for r in results) == 10
    assert sum(r["green"] for r in results) == 10
    assert sum(r["overdue"] for r in results) == Overdue.objects.count() == 5
    assert sum(r["notified"] for r in results) == Notification.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_skips_a_sweeper_whose_lock_another_session_holds(city, people, team):
    _crafted(city.grid_a1, people.worker)
    held, release, done = threading.Event(), threading.Event(), threading.Event()

    def holder():
        try:
            with sweeper_lock("petitions") as got:
                assert got
                held.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        results = run_sweep(now=NOW)
        assert results["petitions"] == {"skipped": 1}
        assert Petition.objects.filter(light=Light.RED).count() == 10
    finally:
        release.set()
        thread.join()
    assert run_sweep(now=NOW)["petitions"]["red"] == 5
