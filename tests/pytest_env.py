"""Loaded with `-p tests.pytest_env` before Django is configured: test-run defaults.

DEBUG=1 only selects the development defaults (secrets, static storage);
pytest-django still runs the tests themselves with DEBUG off.
"""

import os

os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the same tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Under pytest-xdist each worker process gets its own Redis database (pytest-django already
# gives each its own test database), so two workers' queues and keys never meet.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    if _db.isdigit() and _base.startswith("redis"):
        os.environ["REDIS_URL"] = f"{_base}/{int(_db) + 1 + int(_worker[2:])}"
