"""A small fake 12345 platform: an HTTP server on a loopback port, in a thread.

It records every callback it receives (headers and JSON body), checks the signature with the
partner's secret, and answers 503 to the first `fail_first` requests, 200 afterwards."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from exchange import signing


class FakeHotline:
    def __init__(self, *, fail_first: int = 0):
        self.fail_first = fail_first
        self.secret = ""
        self.requests: list[dict] = []  # every request: {"headers", "body", "status", "signed"}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    failing = fake.fail_first > 0
                    if failing:
                        fake.fail_first -= 1
                    status = 503 if failing else 200
                    fake.requests.append(
                        {
                            "headers": dict(self.headers),
                            "body": json.loads(raw or b"{}"),
                            "status": status,
                            "signed": bool(fake.secret)
                            and signing.matches(
                                fake.secret,
                                self.headers.get("X-Timestamp", ""),
                                raw,
                                self.headers.get("X-Signature", ""),
                            ),
                        }
                    )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": %s}' % (b"false" if failing else b"true"))

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def accepted(self, kind: str | None = None) -> list[dict]:
        """The requests answered 200 (of one message type)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r["status"] == 200 and (kind is None or r["body"].get("type") == kind)
            ]
