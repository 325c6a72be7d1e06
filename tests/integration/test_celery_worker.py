"""A real Celery worker, a real Redis broker and PostgreSQL: the sweep runs out of process."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hlgrid.models import SweepState
from hlgrid.sweeps import SWEEP_NAME

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker():
    """A Celery worker process on the test database and its own Redis queue."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hlgrid",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


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
