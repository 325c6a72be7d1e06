"""A real Celery worker for the integration tests: a process on the test database and the
test run's Redis, started and stopped by one context manager, and a wait that shows the
worker's log when what it should have done did not happen."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def celery_worker(**environment: str) -> Iterator[subprocess.Popen]:
    """A `celery worker --pool=solo` on the default queue; `environment` adds settings (a
    shorter retry base, an SMS provider's address) for this worker only."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        **environment,
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
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(
    worker: subprocess.Popen, condition: Callable[[], object], what: str, seconds: float = 60
) -> None:
    """Poll `condition` until it holds; fail with the worker's log if it does not in time
    (or at once if the worker died)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.3)
    worker.terminate()
    pytest.fail(f"{what} within {seconds} s:\n" + worker.communicate(timeout=20)[0][-4000:])
