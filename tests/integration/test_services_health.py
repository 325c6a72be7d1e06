import pytest
from django.db import connection

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db]


def test_healthz_reports_postgres_and_redis(client):
    from hlgrid.sweeps import run_sweep

    run_sweep()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["database"]["vendor"] == connection.vendor == "postgresql"
    assert "redis" in checks["broker"]["transport"].lower()
