"""A small fake of the outside systems (an SMS provider, a WeChat Work robot) on a loopback
port: an http.server in a thread that records every request and answers what the test says."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeProvider:
    def __init__(self):
        self.requests: list[dict] = []
        # Answers to give, in order, before the default one: (status, JSON body).
        self.script: list[tuple[int, dict]] = []
        self.default: tuple[int, dict] = (200, {"code": 0, "id": "fake-1", "errcode": 0, "errmsg": "ok"})
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with provider._lock:
                    provider.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "json": json.loads(raw or b"null")}
                    )
                    status, body = provider.script.pop(0) if provider.script else provider.default
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep the test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/send") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def fail_next(self, times: int, status: int = 500) -> None:
        self.script.extend([(status, {"code": "BUSY", "errcode": -1, "errmsg": "busy"})] * times)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider():
    fake = FakeProvider()
    yield fake
    fake.close()


@pytest.fixture
def sms_http(settings, provider):
    """SMS through the HTTP adapter to the fake provider."""
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = provider.url("/sms/send")
    settings.SMS_HTTP_KEY = "test-key"
    settings.SMS_SIGN_NAME = "和龙网格"
    settings.SMS_HTTP_TIMEOUT = 2
    settings.WECOM_BACKEND = "http"
    return provider


def closed_port_url() -> str:
    """A loopback URL where nothing listens (the provider is down)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/sms/send"


@pytest.fixture
def eager_tasks(settings, django_capture_on_commit_callbacks):
    """Tasks enqueued after commit run at once, in the test's process (Celery's eager mode)."""
    from hlgrid.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        yield django_capture_on_commit_callbacks
    finally:
        app.conf.task_always_eager = False
