"""The periodic sweep that Celery beat runs every minute (`manage.py sweep_lights` runs it once).

Apps register their sweepers (e.g. petitions' light timers) in AppConfig.ready().
Each sweeper takes the sweep's `now` and returns a small dict of counts. The
sweeper runs under its own lease (`sweeper_lock`), so two sweeps never run one sweeper at once. The
run is recorded in SweepState so /healthz can tell whether sweeps are happening.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hlgrid.models import SweepState

logger = logging.getLogger(__name__)

SWEEP_NAME = "lights"
Sweeper = Callable[..., dict]
_sweepers: dict[str, Sweeper] = {}


def register_sweeper(name: str, sweeper: Sweeper) -> None:
    _sweepers[name] = sweeper


def registered_sweepers() -> dict[str, Sweeper]:
    return dict(_sweepers)


# How long a sweep may hold a sweeper before another sweep may take it over (a sweep that
# crashed without releasing it); well above the longest sweep measured (bench/bench_sweep.py).
LEASE = timedelta(seconds=getattr(settings, "SWEEP_LEASE_SECONDS", 900))


@contextmanager
def sweeper_lock(name: str) -> Iterator[bool]:
    """Hold this sweeper's lease; yields False when another sweep holds it.

    A lease in a row (SweepState "lock:<name>"), not a PostgreSQL advisory lock: the sweepers
    commit in batches, so a lock would have to outlive a transaction, and a session lock does
    not survive PgBouncer's transaction pooling (its unlock may reach another server
    connection). Taking it is one UPDATE that PostgreSQL re-checks after a concurrent one
    commits, so two sweeps never both get it; a crashed sweep's lease runs out after LEASE.
    """
    key = f"lock:{name}"[:32]
    now = timezone.now()
    SweepState.objects.get_or_create(name=key)
    got = bool(
        SweepState.objects.filter(name=key)
        .filter(Q(held_until__isnull=True) | Q(held_until__lt=now))
        .update(held_until=now + LEASE)
    )
    try:
        yield got
    finally:
        if got:
            SweepState.objects.filter(name=key).update(held_until=None)


def run_sweep(*, now: datetime | None = None) -> dict:
    """Run every registered sweeper once; one failing sweeper does not stop the others."""
    now = now or timezone.now()
    started = time.monotonic()
    results: dict = {}
    errors: list[str] = []
    SweepState.objects.update_or_create(name=SWEEP_NAME, defaults={"last_started_at": now})
    for name, sweeper in _sweepers.items():
        try:
            with sweeper_lock(name) as got:
                # Another beat's sweep is still on this sweeper: it does the work.
                results[name] = sweeper(now=now) if got else {"skipped": 1}
        except Exception as exc:
            logger.exception("sweeper %s failed", name)
            errors.append(f"{name}: {exc}")
    duration_ms = int((time.monotonic() - started) * 1000)
    SweepState.objects.filter(name=SWEEP_NAME).update(
        last_finished_at=timezone.now() if not errors else None,
        last_duration_ms=duration_ms,
        last_result=results,
        last_error="\n".join(errors),
    )
    if errors:
        raise RuntimeError("; ".join(errors))
    return results
