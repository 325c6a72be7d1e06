"""A real Celery worker, a real Redis broker and PostgreSQL: the sweep runs out of process."""

import time

import pytest

from hlgrid.models import SweepState
from hlgrid.sweeps import SWEEP_NAME
from tests.integration.workers import celery_worker

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """A Celery worker process on the test database and its own Redis queue."""
    with celery_worker() as process:
        yield process


def test_a_worker_runs_the_sweep_task_sent_through_redis(worker):
    from hlgrid.tasks import sweep_lights

    sweep_lights.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = SweepState.objects.filter(name=SWEEP_NAME).first()
        if state and state.last_finished_at:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail("the worker did not run the sweep within 60 s:\n" + worker.communicate(timeout=20)[0])
    assert SweepState.objects.get(name=SWEEP_NAME).last_error == ""
