"""Loaded with `-p tests.pytest_env` before Django is configured: test-run defaults.

DEBUG=1 only selects the development defaults (secrets, static storage);
pytest-django still runs the tests themselves with DEBUG off.
"""

import os

os.environ.setdefault("DEBUG", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the same tests are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
