"""Which real services this run has; tests that need one are marked and skipped without it.

In CI (HLGRID_REQUIRE_SERVICES=1) a missing service fails those tests instead.
"""

import functools
import os
import shutil
import socket
from urllib.parse import urlparse

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 1):
            return True
    except OSError:
        return False


@functools.cache
def postgres() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if not _reachable(url, 5432):
        return f"PostgreSQL at {url} is not reachable"
    return None


@functools.cache
def redis() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "needs Redis: set REDIS_URL=redis://..."
    if not _reachable(url, 6379):
        return f"Redis at {url} is not reachable"
    return None


@functools.cache
def redis_server_binary() -> str | None:
    return None if shutil.which("redis-server") else "needs the redis-server program"


@functools.cache
def browser() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright Python package"
    return None


REQUIREMENTS = {
    "postgres": [postgres],
    "redis": [redis],
    "celery": [postgres, redis],
    "e2e": [browser],
}


def missing_for(marker_names) -> str | None:
    for name in marker_names:
        for check in REQUIREMENTS.get(name, []):
            reason = check()
            if reason:
                return reason
    return None
