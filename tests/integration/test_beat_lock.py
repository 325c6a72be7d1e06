"""One beat for the whole deployment: a second `celery beat` started by mistake, or kept as a
standby on another machine, waits on RedBeat's lock in Redis and sends nothing; it takes over
when the first one stops. Two real beat processes against the test run's Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.integration.workers import ROOT

pytestmark = pytest.mark.redis

SENT = "Sending due task sweep-lights"


def _beat(log: Path, prefix: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "1",
        "REDIS_URL": settings.REDIS_URL,
        # A sweep every second makes "who sends" visible at once; a short lock makes the
        # standby's take-over quick enough to watch.
        "SWEEP_INTERVAL": "1",
        "BEAT_LOCK_TIMEOUT": "6",
        "BEAT_KEY_PREFIX": prefix,
    }
    handle = log.open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hlgrid", "beat", "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _sent(log: Path) -> int:
    return log.read_text(errors="replace").count(SENT)


def _wait(condition, what: str, logs: list[Path], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"{what} within {seconds} s:\n" + "\n----\n".join(p.read_text()[-3000:] for p in logs))


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def queue():
    """The broker's default queue of this run's Redis db, emptied afterwards: the beats send
    real sweep tasks that no worker of this test should pick up later."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    client.delete("celery")


def test_a_second_beat_sends_nothing_while_the_first_runs_and_takes_over_when_it_stops(tmp_path, queue):
    prefix = f"hlgrid:beat-test:{uuid.uuid4().hex}:"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _beat(first_log, prefix)
    second = None
    try:
        _wait(lambda: _sent(first_log) >= 2, "the first beat sent the sweep", [first_log])
        second = _beat(second_log, prefix)
        _wait(lambda: "beat: Starting" in second_log.read_text(), "the second beat started", [second_log])
        before = _sent(first_log)
        time.sleep(5)
        assert _sent(first_log) >= before + 3, "the first beat goes on sending"
        assert "Acquired lock" not in second_log.read_text(), second_log.read_text()
        assert _sent(second_log) == 0, second_log.read_text()
        assert second.poll() is None, "the second beat waits; it does not exit"

        _stop(first)  # a clean stop releases the lock
        logs = [first_log, second_log]
        _wait(lambda: _sent(second_log) >= 2, "the second beat took the lock and sent the sweep", logs)
        assert queue.llen("celery") > 0, "the tasks reached the broker"
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        queue.delete(*queue.keys(f"{prefix}*") or ["-"])
