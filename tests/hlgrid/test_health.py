import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hlgrid.models import SweepState
from hlgrid.sweeps import SWEEP_NAME, register_sweeper, registered_sweepers, run_sweep

pytestmark = pytest.mark.django_db


def test_healthz_is_503_before_any_sweep(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["sweep"]["ok"] is False


def test_healthz_is_200_after_a_sweep(client):
    call_command("sweep_lights", stdout=io.StringIO())
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


def test_a_stale_sweep_is_unhealthy(client, settings):
    run_sweep()
    SweepState.objects.filter(name=SWEEP_NAME).update(last_finished_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "ago" in response.json()["checks"]["sweep"]["error"]


def test_a_broker_that_cannot_be_reached_is_unhealthy(client, settings):
    run_sweep()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_a_failing_sweeper_is_recorded_and_does_not_stop_the_others(monkeypatch):
    calls = []
    saved = registered_sweepers()

    def broken(*, now):
        raise ValueError("boom")

    def counting(*, now):
        calls.append(now)
        return {"n": 1}

    register_sweeper("broken", broken)
    register_sweeper("counting", counting)
    try:
        with pytest.raises(RuntimeError):
            run_sweep()
    finally:
        from hlgrid import sweeps

        sweeps._sweepers.clear()
        sweeps._sweepers.update(saved)
    assert len(calls) == 1
    state = SweepState.objects.get(name=SWEEP_NAME)
    assert "boom" in state.last_error and state.last_finished_at is None
