"""The periodic sweep that Celery beat runs every minute (`manage.py sweep_lights` runs it once).

Apps register their sweepers (e.g. petitions' light timers) in AppConfig.ready().
Each sweeper takes the sweep's `now` and returns a small dict of counts. The
run is recorded in SweepState so /healthz can tell whether sweeps are happening.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

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


def run_sweep(*, now: datetime | None = None) -> dict:
    """Run every registered sweeper once; one failing sweeper does not stop the others."""
    now = now or timezone.now()
    started = time.monotonic()
    results: dict = {}
    errors: list[str] = []
    SweepState.objects.update_or_create(name=SWEEP_NAME, defaults={"last_started_at": now})
    for name, sweeper in _sweepers.items():
        try:
            results[name] = sweeper(now=now)
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
