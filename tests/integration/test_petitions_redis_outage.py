"""With Redis down a resident's report is still taken; when Redis returns, a real Celery worker's
sweep catches up. The test runs its own redis-server on a free port, never the shared one."""

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
from rest_framework.test import APIClient

from petitions.models import Light, Overdue, Petition
from tests.services import redis_server_binary

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


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

    def stop(self):
        if self.process is not None:
            self.process.terminate()
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
def worker(redis_server):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
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


@pytest.fixture
def broker_here(settings, redis_server):
    """This process's Celery app talks to the test's Redis, and e-mail is on (so intake enqueues)."""
    from hlgrid.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old = app.conf.broker_url
    app.conf.broker_url = redis_server.url
    app.pool.force_close_all()
    app._pool = None
    yield app
    app.conf.broker_url = old
    app.pool.force_close_all()
    app._pool = None


def test_a_report_is_stored_while_redis_is_down_and_the_sweep_catches_up_when_it_returns(
    city, people, redis_server, worker, broker_here
):
    from grids import locator

    locator._cached.update(version=None, locator=None)
    redis_server.stop()

    started = time.monotonic()
    response = APIClient().post(
        "/api/v1/public/petitions/",
        {"description": "小区门口垃圾桶满了没人清运", "latitude": 42.505, "longitude": 129.01},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert time.monotonic() - started < 15
    petition = Petition.objects.get(tracking_code=response.json()["tracking_code"])
    # The verify step's time runs out while nobody sweeps.
    past = timezone.now() - timedelta(minutes=5)
    Petition.objects.filter(pk=petition.pk).update(due_at=past, warn_at=past - timedelta(hours=1))

    redis_server.start()
    from hlgrid.tasks import sweep_lights

    with broker_here.connection_for_write(redis_server.url) as conn:
        sweep_lights.apply_async(connection=conn)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        petition.refresh_from_db()
        if petition.light == Light.RED:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail("the worker's sweep did not catch up within 90 s:\n" + worker.communicate(timeout=20)[0])
    assert Overdue.objects.filter(petition=petition).count() == 1
