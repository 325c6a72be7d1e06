"""Redis, the cache and the broker at once, dies under a running site and a real Celery worker:
every resident's report is still taken (201) and stored, /healthz says what is down, and when
Redis returns the worker's sweep catches the lights (and the mail) up. The test runs its own
redis-server on a free port, never the shared one, and points both this process's cache and
broker and the worker at it."""

import logging
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from kombu import pools
from redis import Redis
from rest_framework.test import APIClient

from petitions.models import Light, Overdue, Petition
from tests.services import redis_server_binary

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.celery,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _up(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 0.3):
            return True
    except OSError:
        return False


class RedisServer:
    def __init__(self):
        self.process = None
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _up(self.port):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)

    def stop(self, *, kill=False):
        """Shut the server down; `kill` as a crash would (SIGKILL), not as an operator would."""
        if self.process is not None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(10)
            self.process = None
        deadline = time.monotonic() + 10
        while _up(self.port):
            assert time.monotonic() < deadline, "redis-server did not stop"
            time.sleep(0.1)


@pytest.fixture
def redis_server():
    if redis_server_binary():
        pytest.fail(redis_server_binary())
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(redis_server, tmp_path):
    """A worker on the test database and the test's Redis, sending mail to its own memory."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    with open(tmp_path / "worker.log", "w+") as log:  # a file, not a pipe a chatty worker could fill
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
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        process.log_text = lambda: (log.seek(0), log.read())[1]
        yield process
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def site_on_test_redis(settings, redis_server):
    """This process's cache and broker are the test's Redis, as production's are REDIS_URL; e-mail
    is on, so intake enqueues a task."""
    from hlgrid.celery import app

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "hlgrid.cache.ResilientRedisCache",
            "LOCATION": redis_server.url,
            "TIMEOUT": 300,
        },
    }
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = app.conf.broker_url
    _point_broker(app, redis_server.url)
    yield app
    _point_broker(app, old)


def _point_broker(app, url: str) -> None:
    """Send this process's tasks to `url`: kombu keeps connection and producer pools per URL in
    process-wide registries, and the app holds on to one of each; all are dropped."""
    app.conf.broker_url = url
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def report(n: int):
    return APIClient().post(
        "/api/v1/public/petitions/",
        {"description": f"小区门口垃圾桶满了没人清运 {n}", "latitude": 42.505, "longitude": 129.01},
        format="json",
    )


def wait_for(condition, worker, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        if worker.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds} s; the worker said:\n{worker.log_text()}")
        time.sleep(0.5)


def test_with_redis_killed_every_report_is_answered_201_and_kept_and_the_worker_catches_up_after(
    city, people, redis_server, worker, site_on_test_redis, caplog
):
    from grids import locator
    from hlgrid.tasks import sweep_lights
    from petitions.models import Notification

    locator._cached.update(version=None, locator=None)
    people.worker.email = "worker@example.org"
    people.worker.save(update_fields=["email"])
    redis = Redis.from_url(redis_server.url)

    # Before: the rate limiter's counts live in the test's Redis, and the site is healthy but for
    # the sweep that has not run yet.
    assert report(0).status_code == 201
    assert redis.keys("*throttle_public*")
    before = APIClient().get("/healthz").json()["checks"]
    assert before["cache"]["ok"] and before["broker"]["ok"]

    redis_server.stop(kill=True)
    codes, slowest, outage_codes = [], 0.0, []
    with caplog.at_level(logging.WARNING, logger="hlgrid.outages"):
        for n in range(1, 9):
            started = time.monotonic()
            response = report(n)
            slowest = max(slowest, time.monotonic() - started)
            codes.append(response.status_code)
            outage_codes.append(response.json().get("tracking_code"))
        health = APIClient().get("/healthz")
    assert codes == [201] * 8, codes
    assert slowest < 15  # the first report waits on the dead broker once; the others skip it
    stored = Petition.objects.filter(tracking_code__in=outage_codes)
    assert stored.count() == 8
    # /healthz names what is down, and that the site runs on without it.
    assert health.status_code == 503
    checks = health.json()["checks"]
    assert checks["cache"]["ok"] is False and "memory" in checks["cache"]["fallback"]
    assert checks["broker"]["ok"] is False and checks["database"]["ok"] is True
    # One warning per service for eight requests, with nothing a resident typed.
    warned = [r.getMessage() for r in caplog.records if r.name == "hlgrid.outages"]
    assert len(warned) == 2 and {w.split(" unavailable")[0] for w in warned} == {"cache (Redis)", "broker"}
    assert "垃圾桶" not in caplog.text
    # The verify step of one outage report runs out while nobody sweeps.
    late = stored.get(tracking_code=outage_codes[0])
    past = timezone.now() - timedelta(minutes=5)
    Petition.objects.filter(pk=late.pk).update(due_at=past, warn_at=past - timedelta(hours=1))

    redis_server.start()
    recovered = APIClient().get("/healthz").json()["checks"]
    assert recovered["cache"]["ok"] and recovered["broker"]["ok"]
    # Beat would send the next sweep within a minute; the test sends it through the site's own,
    # reconnected, broker connection.
    sweep_lights.delay()

    def caught_up():
        late.refresh_from_db()
        return late.light == Light.RED

    wait_for(caught_up, worker, seconds=90, what="the worker's sweep did not turn the late report RED")
    assert Overdue.objects.filter(petition=late).count() == 1
    # The worker was told of no report during the outage; the sweep catches the mail up too.
    outage_mail = Notification.objects.filter(petition__in=stored, recipient=people.worker)
    assert outage_mail.count() == 8
    wait_for(
        lambda: not outage_mail.filter(emailed_at__isnull=True).exists(),
        worker,
        seconds=60,
        what="the notifications of the outage were not e-mailed",
    )
    # Back on Redis: a new report counts there again, and the site is healthy once more.
    assert not redis.keys("*throttle_public*")  # a killed Redis without persistence comes back empty
    assert report(9).status_code == 201
    assert redis.keys("*throttle_public*")
    after = APIClient().get("/healthz")
    assert after.status_code == 200, after.json()
