"""Pages and lists run a fixed number of queries whatever the number of rows."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents import services
from residents.models import VisitKind
from tests.residents import factories

pytestmark = pytest.mark.django_db


def grow(city, worker, start: int, count: int):
    """`count` more households in grid A-1, each with three residents, a key person and visits."""
    for i in range(start, start + count):
        home = factories.household(city.grid_a1, building=str(i // 4 + 1), unit=str(i % 4 + 1), door="101")
        people = [factories.resident(home, name=f"居民{i}-{j}") for j in range(2)]
        person, _ = factories.key_person(
            home, name=f"重点{i}", group_name=["重病患者", "困难家庭"][i % 2], since=datetime.date(2024, 1, 1)
        )
        if i % 3:
            services.visit_log(
                actor=worker, household=home, kind=VisitKind.KEY_PERSON, people_seen=[person, *people]
            )
    return home


def count(client, url, params=None):
    # The page computed, not kept (residents.views: a change's bump comes after a commit, which
    # a test inside a transaction never makes): what it costs when the data changed.
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "page",
    ["my_day", "household", "resident_search", "api_residents", "api_memberships", "api_visits", "coverage"],
)
def test_query_counts_stay_fixed_at_two_data_sizes(city, people, page):
    client = Client()
    client.force_login(people.worker)

    def url(home):
        return {
            "my_day": reverse("residents:my_day"),
            "household": reverse("residents:household", args=[home.pk]),
            "resident_search": reverse("residents:resident_search"),
            "api_residents": "/api/v1/residents/",
            "api_memberships": "/api/v1/key-memberships/",
            "api_visits": "/api/v1/visits/",
            "coverage": reverse("residents:coverage"),
        }[page]

    home = grow(city, people.worker, 0, 3)
    for _ in range(2):
        services.visit_log(actor=people.worker, household=home, people_seen=list(home.residents.all()))
    small = count(client, url(home))
    home = grow(city, people.worker, 3, 12)
    for _ in range(6):
        services.visit_log(actor=people.worker, household=home, people_seen=list(home.residents.all()))
    large = count(client, url(home))
    assert small == large, f"{page}: {small} queries with 3 households, {large} with 15"
