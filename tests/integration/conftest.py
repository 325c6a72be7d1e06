"""The integration tests also run through PgBouncer in transaction pooling (`make
test-pgbouncer`, which `.ci/run` calls with a PgBouncer it starts from Debian's package)."""

import os

import psycopg2
import pytest
from django.conf import settings
from django.db import connections


def _pooled() -> bool:
    return getattr(settings, "DATABASE_POOL", "") == "transaction"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Behind PgBouncer the test database is still held by idle server connections of the
    pool when pytest-django drops it at the end: release them first through PgBouncer's
    console (KILL closes them, RESUME lets new clients in again).

    It also makes sure the run really goes through a PgBouncer in transaction pooling, so a
    pooled run cannot pass by talking to PostgreSQL directly."""
    if not _pooled():
        yield
        return
    name = connections["default"].settings_dict["NAME"]
    with django_db_blocker.unblock():
        connections["default"].ensure_connection()
        config = dict(_console("SHOW CONFIG", columns=2))
        assert config.get("pool_mode") == "transaction", f"not behind PgBouncer in transaction mode: {config}"
        databases = {row[0] for row in _console("SHOW DATABASES", columns=1)}
        assert name in databases, "the tests do not use PgBouncer"
    yield
    with django_db_blocker.unblock():
        connections.close_all()
    _console(f'KILL "{name}"', f'RESUME "{name}"')


def _console(*statements: str, columns: int = 0) -> list[tuple]:
    """Run statements on PgBouncer's admin console; the rows of the last one."""
    db = connections["default"].settings_dict
    admin = os.environ.get("PGBOUNCER_ADMIN", "postgres")
    console = psycopg2.connect(host=db["HOST"], port=db["PORT"], dbname="pgbouncer", user=admin)
    console.autocommit = True
    try:
        with console.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            return [row[:columns] for row in cursor.fetchall()] if columns else []
    finally:
        console.close()
