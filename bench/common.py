"""Shared set-up for benchmarks: Django on a throw-away database, timing and printing.

Benchmarks print figures; they assert nothing (speed targets are read, not tested).
With DATABASE_URL set they run on that server (a separate test_ database is created
and dropped); otherwise on SQLite.
"""

import os
import time
from collections.abc import Callable
from contextlib import contextmanager

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hlgrid.settings")
os.environ.setdefault("DEBUG", "1")


def setup_django() -> None:
    import django

    django.setup()


@contextmanager
def bench_database():
    """A fresh, migrated database for the run; dropped afterwards."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def timed(fn: Callable, *, repeat: int = 1) -> tuple[float, object]:
    """Best wall time in seconds over `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def count_queries(fn: Callable) -> int:
    """Statements sent while `fn` runs, counted by an execute wrapper.

    Not CaptureQueriesContext: Django keeps only the last 9,000 queries in DEBUG (and none
    without it), so past that the difference of its log's lengths read 0.
    """
    from django.db import connection

    sent = 0

    def counter(execute, sql, params, many, context):
        nonlocal sent
        sent += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return sent


def report(section: str, label: str, value, unit: str = "") -> None:
    print(f"  {section:<10} {label:<58} {value:>14} {unit}".rstrip(), flush=True)


def load_demo(scale: int = 1) -> None:
    import io

    from django.core.management import call_command

    call_command("load_helong_demo", scale=scale, verbosity=0, stdout=io.StringIO())
