"""With Redis unreachable the site still answers: the production cache backend
(hlgrid.cache.ResilientRedisCache) falls back to a per-process memory cache, logs the outage
once per interval, and /healthz names it. Here the cache points at a port nobody listens
on; tests/integration/test_petitions_redis_outage.py kills a real Redis under a real worker."""

import logging
import socket

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from hlgrid import outages
from hlgrid.sweeps import run_sweep
from hlgrid.tasks import BROKER, enqueue

pytestmark = pytest.mark.django_db
PUBLIC = "/api/v1/public/petitions/"
DESCRIPTION = "小区门口垃圾桶满了没人清运"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_redis(settings):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "hlgrid.cache.ResilientRedisCache", "LOCATION": url},
    }
    # The address really is dead: Django's own Redis cache would raise here.
    with pytest.raises(RedisConnectionError):
        RedisCache(url, {}).get("anything")
    return url


def report(api_client, n=0):
    return api_client.post(
        PUBLIC, {"description": f"{DESCRIPTION}{n}", "latitude": 42.505, "longitude": 129.01}, format="json"
    )


def test_with_redis_unreachable_a_residents_report_is_answered_201_and_stored(api_client, city, dead_redis):
    from petitions.models import Petition

    response = report(api_client)
    assert response.status_code == 201, response.content
    assert Petition.objects.filter(tracking_code=response.json()["tracking_code"]).exists()


def test_with_redis_unreachable_the_public_rate_limit_still_holds_within_the_process(
    api_client, city, dead_redis, monkeypatch
):
    from petitions.api import PublicThrottle

    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"public": "3/minute"})
    assert [report(api_client, i).status_code for i in range(4)] == [201, 201, 201, 429]


def test_with_redis_unreachable_a_dashboard_page_answers_and_is_computed(client, city, people, dead_redis):
    client.force_login(people.official)
    for _ in range(2):  # the second read comes from the per-process fallback
        response = client.get(f"/dashboards/{city.street_a.pk}/")
        assert response.status_code == 200
    assert city.street_a.name in response.content.decode()


def test_with_redis_unreachable_the_login_page_answers_and_a_login_succeeds(client, dead_redis):
    from tests.factories import UserFactory

    UserFactory(username="zhang", password="correct-horse")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "zhang", "password": "correct-horse"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_with_redis_unreachable_healthz_answers_503_naming_the_cache_and_its_fallback(client, dead_redis):
    run_sweep()
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["sweep"]["ok"]
    assert checks["cache"]["ok"] is False
    assert checks["cache"]["backend"] == "ResilientRedisCache"
    assert "Connection" in checks["cache"]["error"] and "memory" in checks["cache"]["fallback"]


def test_healthz_reports_a_working_cache_as_healthy(client):
    run_sweep()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == {"ok": True, "backend": "LocMemCache"}


def test_an_outage_is_logged_once_however_many_requests_meet_it_and_without_what_residents_typed(
    api_client, city, dead_redis, caplog
):
    with caplog.at_level(logging.WARNING, logger="hlgrid.outages"):
        codes = [report(api_client, i).status_code for i in range(5)]
    assert codes == [201] * 5
    warnings = [r.getMessage() for r in caplog.records if r.name == "hlgrid.outages"]
    assert len(warnings) == 1, warnings
    assert "cache (Redis) unavailable" in warnings[0] and "memory" in warnings[0]
    assert DESCRIPTION not in caplog.text and "throttle" not in caplog.text


def test_after_a_failure_redis_is_left_alone_until_the_retry_time_then_asked_again(dead_redis, monkeypatch):
    attempts = []
    original = RedisCache.get

    def counting(self, *args, **kwargs):
        attempts.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "get", counting)
    cache.set("k", "v")  # fails over to the fallback, which keeps the value
    assert [cache.get("k") for _ in range(3)] == ["v"] * 3
    assert attempts == []  # within RETRY_AFTER: Redis is not asked
    outages._down["cache (Redis)"]["retry_at"] = 0  # the pause is over
    assert cache.get("k") == "v"
    assert attempts == [1]


def test_when_the_broker_is_unreachable_a_request_waits_on_it_once_per_pause_and_logs_once(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from celery import current_app

    sent = []

    def unreachable(*args, **kwargs):
        sent.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(current_app, "send_task", unreachable)
    with caplog.at_level(logging.WARNING, logger="hlgrid.outages"):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                enqueue("tests.not_registered", 42)
    assert len(sent) == 1  # the next two requests did not wait on a dead broker
    assert [r.getMessage() for r in caplog.records if r.name == "hlgrid.outages"] == [
        caplog.records[0].getMessage()
    ]
    assert "broker unavailable" in caplog.records[0].getMessage()
    assert "42" not in caplog.records[0].getMessage()
    outages._down[BROKER]["retry_at"] = 0  # the pause is over: asked again
    with django_capture_on_commit_callbacks(execute=True):
        enqueue("tests.not_registered", 42)
    assert len(sent) == 2
