"""The Helong demo city, built once per test process and shared by the tests that read it.

Loading the demo takes tens of seconds; two dozen tests read it. The `helong` fixture is
module-scoped and each test still runs in its own transaction (pytest-django's `db`),
rolled back at its end, so a test may write on top of the city without the next test
seeing it; the module's end takes the city away again, so no other test ever sees it.

- On SQLite (the laptop default: an in-memory database per test process) the loaded city
  is kept as an in-memory snapshot through SQLite's backup API: the first module that asks
  loads it, every later module restores the snapshot in a fraction of a second, and the
  empty database is restored after each module. Under pytest-xdist the processes of one run
  share it: the first to need the city loads it and writes it to a file of the run (under a
  lock), and the others restore that file instead of loading the city again; the modules
  that read the demo run after the others (conftest), so nobody waits for the load idle.
- On PostgreSQL the city is loaded inside an outer transaction for the module and rolled
  back after it (as Django's TestCase.setUpTestData does): one load per module.

Tests that need committed data seen by another thread or process (the live server of the
browser tests, a Celery worker) take it committed on a transactional database
(`load_committed`). On SQLite that is the snapshot above. On PostgreSQL the first such test of
the run loads the city and copies every table out with `COPY ... TO STDOUT` into a file of the
run; every later one (in any process) truncates the tables and copies them back in, which takes
seconds instead of a minute. Foreign keys are DEFERRABLE INITIALLY DEFERRED in Django's
PostgreSQL schema, so the tables load in any order inside one transaction and are checked at
its commit.
"""

import fcntl
import io
import os
import pickle
import sqlite3
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import override_settings

from grids import locator
from hlgrid import workdays

_snapshots: dict = {}  # "empty" and "demo" databases, and the command's "output"
_shared: dict = {"dir": None}  # the run's directory shared by its xdist processes (conftest)


def _forget_catalogue() -> None:
    """Each city's categories cached by the intake (petitions.catalogue): its stamps repeat too."""
    from petitions import catalogue

    catalogue.forget()


def share_between_processes(directory: Path | None) -> None:
    """Called once per process by conftest: where this run's processes share the snapshot."""
    _shared["dir"] = directory if os.environ.get("PYTEST_XDIST_WORKER") else None


def _load() -> str:
    out = io.StringIO()
    # The same fast hasher as every test (conftest's _fast_passwords), which is not in force
    # yet at module scope: a demo password hashed otherwise would not verify inside a test.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("load_helong_demo", verbosity=0, stdout=out)
    return out.getvalue()


def _raw():
    connection.ensure_connection()
    return connection.connection


def _copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    # The grid tree's version stamp may now repeat one the locator cached for other polygons.
    locator.forget()
    workdays.forget()  # and the working calendar, whose version may repeat too
    _forget_catalogue()
    ContentType.objects.clear_cache()


def _snapshot() -> sqlite3.Connection:
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    _copy(_raw(), copy)
    return copy


def _sqlite_in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def _load_or_read_shared() -> str:
    """Load the city into the empty database, or restore the one another process of this run
    loaded: the file is written whole under the lock, so a reader never sees half of it."""
    directory = _shared["dir"]
    if directory is None:
        return _load()
    database, output = directory / "helong.sqlite3", directory / "helong.txt"
    with open(directory / "helong.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if output.exists():
            shared = sqlite3.connect(database)
            try:
                _copy(shared, _raw())
            finally:
                shared.close()
            return output.read_text(encoding="utf-8")
        text = _load()
        shared = sqlite3.connect(database)
        try:
            _raw().backup(shared)
        finally:
            shared.close()
        output.write_text(text, encoding="utf-8")  # last: its presence says the file is whole
        return text


def _restore_or_load() -> str:
    """Put the demo city into the empty SQLite test database: from this process's snapshot,
    or loaded (or read from the run's shared file) and snapshotted the first time."""
    if "demo" not in _snapshots:
        empty = _snapshot()
        try:
            output = _load_or_read_shared()
        except BaseException:
            _copy(empty, _raw())
            raise
        _snapshots.update(empty=empty, demo=_snapshot(), output=output)
    else:
        _copy(_snapshots["demo"], _raw())
    return _snapshots["output"]


def _pg_tables() -> list[str]:
    # Every model's table, the many-to-many ones included, that exists in this database.
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _pg_copy_out() -> dict[str, bytes]:
    tables: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in _pg_tables():
            buffer = io.BytesIO()
            cursor.copy_expert(f'COPY "{table}" TO STDOUT', buffer)
            if buffer.tell():
                tables[table] = buffer.getvalue()
    return tables


def _pg_copy_in(tables: dict[str, bytes]) -> None:
    from django.apps import apps

    with transaction.atomic(), connection.cursor() as cursor:
        # After a transactional test the tables are empty already (pytest-django flushed
        # them); truncating a hundred empty tables costs seconds, so only those with rows.
        names = _pg_tables()
        cursor.execute(
            " UNION ALL ".join(f"SELECT '{t}' FROM (SELECT 1 FROM \"{t}\" LIMIT 1) AS x" for t in names)
        )
        filled = [row[0] for row in cursor.fetchall()]
        if filled:
            cursor.execute("TRUNCATE {} RESTART IDENTITY CASCADE".format(", ".join(f'"{t}"' for t in filled)))
        # The rows come from one consistent database: checking every foreign key again (the
        # deferred triggers, at commit) would cost more than the copy itself. A superuser (the
        # tests' role) may skip them for this transaction; any other role keeps the checks.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table, data in tables.items():
            cursor.copy_expert(f'COPY "{table}" FROM STDIN', io.BytesIO(data))
        # The next id of every table follows the copied rows, as after a real load.
        for statement in connection.ops.sequence_reset_sql(
            no_style(), apps.get_models(include_auto_created=True)
        ):
            cursor.execute(statement)
    locator.forget()
    workdays.forget()
    _forget_catalogue()
    ContentType.objects.clear_cache()


def _pg_load_committed() -> str:
    """Load the city once per run and copy it out; copy it back in for every later test."""
    if "pg" not in _snapshots:
        directory = _shared["dir"]
        if directory is None:
            output = _load()
            _snapshots["pg"] = (_pg_copy_out(), output)
            return output
        path = directory / f"helong-{connection.vendor}.pickle"
        with open(directory / "helong-pg.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if path.exists():
                _snapshots["pg"] = pickle.loads(path.read_bytes())
            else:
                output = _load()
                _snapshots["pg"] = (_pg_copy_out(), output)
                temporary = path.with_suffix(".tmp")
                temporary.write_bytes(pickle.dumps(_snapshots["pg"]))
                temporary.rename(path)  # whole or absent: a reader never sees half of it
                return output
    tables, output = _snapshots["pg"]
    _pg_copy_in(tables)
    return output


def load_committed() -> str:
    """The demo city committed to the test database, for transactional tests (the browser
    tests' live server); pytest-django empties the database after such a test."""
    if _sqlite_in_memory():
        return _restore_or_load()
    if connection.vendor == "postgresql":
        return _pg_load_committed()
    return _load()


def _check_constraints_now() -> None:
    """Check the demo's deferred foreign keys once, in the module's own transaction.

    Django's TestCase checks deferred constraints at the end of every test, inside the test's
    savepoint; PostgreSQL forgets a check made in a savepoint that is rolled back, so without
    this every test would check the whole demo city's rows again (seconds per test).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture(scope="module")
def helong(django_db_setup, django_db_blocker):
    """The demo city for this module's tests (read it; writes are rolled back per test).

    Yields the command's output (the printed demo accounts).
    """
    with django_db_blocker.unblock():
        if _sqlite_in_memory():
            output = _restore_or_load()
            try:
                yield output
            finally:
                _copy(_snapshots["empty"], _raw())
        else:
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                output = _load()
                _check_constraints_now()
                yield output
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                locator.forget()
                workdays.forget()
                _forget_catalogue()


@pytest.fixture(scope="module")
def helong_and_tumen(helong, django_db_blocker):
    """The demo city and the second demo city beside it (portal.second_city), for this module's
    tests: what one city's people may see and do in the other. Undone with the demo city."""
    from portal import second_city

    with django_db_blocker.unblock():
        made = second_city.load()
        locator.forget()
    yield made
