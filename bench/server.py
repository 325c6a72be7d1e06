"""gunicorn for the benchmarks, as production runs it: 2 sync workers on loopback, DEBUG off,
the static files collected with their hashed names and .br/.gz (what `make run` serves), on
the bench's PostgreSQL database (an in-memory SQLite test database cannot be opened by another
process, so the server figures need DATABASE_URL).

Every figure taken against it is printed beside the trivial authenticated view
(`GET /api/v1/me/`) timed in the same run, so that a figure reads the same on a fast and a slow
machine.
"""

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = "/api/v1/me/"


def available() -> str:
    """Empty when a server can run here, else why not (printed as the figure's value)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "skipped (needs DATABASE_URL on PostgreSQL)"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: str, extra: dict) -> dict:
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": settings.SECRET_KEY,  # the bench's sessions are signed with it
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,  # the demo was encrypted with it
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "HLGRID_VAR_DIR": tmp,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the demo's photos, written in this process
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    env.update(extra)
    return env


def collect_static() -> None:
    """The static files as production serves them (idempotent; `make run` does the same)."""
    env = {**os.environ, "STATIC_MANIFEST": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def session_cookie(username: str) -> str:
    """A signed-in session of the demo user, stored in the bench database the server reads."""
    from django.conf import settings
    from django.test import Client

    from hlgrid.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def gunicorn(*, workers: int = 2, env: dict | None = None) -> Iterator[int]:
    """A running server on a free loopback port (yielded), answering once both workers are up."""
    collect_static()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "hlgrid.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=_env(tmp, env or {}),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/healthz")
                    conn.getresponse().read()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("gunicorn did not start") from None
                    time.sleep(0.3)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


class Client:
    """One keep-alive connection, timing each request (seconds), asserting its status."""

    def __init__(self, port: int, cookie: str = ""):
        self.port, self.cookie = port, cookie
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookie:
            sent["Cookie"] = f"sessionid={self.cookie}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body, sent)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        return time.perf_counter() - started, response.status, data

    def get(self, path: str, expect: int = 200) -> float:
        seconds, status, data = self.request("GET", path)
        if status != expect:
            raise AssertionError(f"GET {path}: {status} {data[:200]!r}")
        return seconds

    def best(self, path: str, repeat: int) -> float:
        """Best of `repeat` GETs, after one for each worker (their first answer warms caches)."""
        self.get(path)
        self.get(path)
        return min(self.get(path) for _ in range(repeat))


class CountingProxy:
    """A loopback TCP relay in front of the server counting the bytes it sends back: what a
    browser (its pages and its service worker alike) received, compressed, headers included."""

    def __init__(self, upstream: int):
        self.upstream, self.received, self._lock = upstream, 0, threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> int:
        with self._lock:
            received, self.received = self.received, 0
        return received

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if counted:
                    with self._lock:
                        self.received += len(chunk)
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._listener.close()
