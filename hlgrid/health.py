"""The checks behind GET /healthz: database, cache, broker, and the last timer sweep."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from kombu import Connection

from hlgrid import cache as hlgrid_cache
from hlgrid import outages
from hlgrid.models import SweepState
from hlgrid.sweeps import SWEEP_NAME
from hlgrid.tasks import BROKER


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return {"ok": False, "error": str(exc)}


def check_cache() -> dict:
    # Unhealthy, but not fatal: while Redis is down the site runs on a per-process cache.
    return hlgrid_cache.probe(caches["default"])


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
        # The broker answers: enqueue need not wait out its pause after an outage.
        outages.report_recovery(BROKER)
        return {"ok": True, "transport": str(transport)}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": str(exc)}


def check_sweep(now=None) -> dict:
    now = now or timezone.now()
    state = SweepState.objects.filter(name=SWEEP_NAME).first()
    if state is None or state.last_finished_at is None:
        error = state.last_error if state and state.last_error else "no sweep has finished yet"
        return {"ok": False, "last_finished_at": None, "error": error}
    age = now - state.last_finished_at
    ok = age <= timedelta(seconds=settings.SWEEP_STALE_AFTER)
    result = {
        "ok": ok,
        "last_finished_at": state.last_finished_at.isoformat(),
        "age_seconds": int(age.total_seconds()),
        "duration_ms": state.last_duration_ms,
    }
    if not ok:
        result["error"] = f"last sweep finished {int(age.total_seconds())} s ago"
    return result


def health() -> tuple[bool, dict]:
    database = check_database()
    checks = {
        "database": database,
        "cache": check_cache(),
        "broker": check_broker(),
        "sweep": check_sweep() if database["ok"] else {"ok": False, "error": "database down"},
    }
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
