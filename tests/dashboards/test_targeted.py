"""Hotspots, years and the targeted service list: figures equal independent counts on a
crafted dataset, fixed query counts, scoping 404s, no personal data, one-click idempotent actions."""

import datetime
import itertools
import json

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import history, hotspots, selectors, targeted
from dashboards.models import TargetedAction
from deliberation.models import Topic
from grids.access import SYSTEM
from petitions.models import Petition, Satisfaction, Status
from rollups.services import rollup_rebuild
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 15, 10, 0))
_codes = itertools.count(1)
PHONE_HASH = "f" * 64


def petition(grid, category, *, days_ago, lat=42.505, lng=129.005, status=Status.RECEIVED, **fields):
    received = NOW - datetime.timedelta(days=days_ago)
    return Petition.objects.create(
        tracking_code=f"H{next(_codes):07d}",
        status=status,
        source="WEB",
        description="楼道积水",
        grid=grid,
        category=category,
        latitude=lat,
        longitude=lng,
        received_at=received,
        reporter_name="张三",
        reporter_phone_hint="138****0000",
        reporter_phone_hash=PHONE_HASH,
        **fields,
    )


def crafted(city, copies=1):
    water, light = CategoryFactory(code="W", name="积水"), CategoryFactory(code="L", name="路灯")
    for _ in range(copies):
        # four at one place and category in A-1: one closed, one returning 10 days after it
        first = petition(city.grid_a1, water, days_ago=100, status=Status.CLOSED)
        first.closed_at = NOW - datetime.timedelta(days=90)
        first.save(update_fields=["closed_at"])
        petition(city.grid_a1, water, days_ago=80)  # a return
        petition(city.grid_a1, water, days_ago=20, lat=42.5051)  # same cell (rounded)
        petition(city.grid_a1, water, days_ago=5)
        # two of another category: below the minimum
        petition(city.grid_a1, light, days_ago=5)
        petition(city.grid_a1, light, days_ago=6)
        # too old for the 12 months window
        petition(city.grid_a1, light, days_ago=500, status=Status.CLOSED, resolved_on_time=True,
                 satisfaction=Satisfaction.SATISFIED)  # fmt: skip
        # elsewhere: street B
        for d in (1, 2, 3):
            petition(city.grid_b1, water, days_ago=d, lat=42.515, lng=129.035)
    return water, light


def test_recurring_places_match_independent_counts(city):
    water, _light = crafted(city)
    places = hotspots.recurring_places(node=city.street_a, now=NOW)
    assert len(places) == 1
    place = places[0]
    assert (place.grid_id, place.category_id, place.key) == (city.grid_a1.pk, water.pk, "42.505,129.005")
    assert place.count == Petition.objects.filter(grid=city.grid_a1, category=water).count() == 4
    assert place.returns == 1
    city_places = hotspots.recurring_places(node=city.city, now=NOW)
    assert sorted(p.grid_id for p in city_places) == sorted([city.grid_a1.pk, city.grid_b1.pk])


def test_a_recurring_place_counts_its_petitions_where_a_key_person_lives_in_the_cell(city):
    from residents.models import Building
    from tests.residents.factories import household, key_person

    water, _light = crafted(city)
    home = household(city.grid_a1, building="7")
    Building.objects.filter(pk=home.unit.building_id).update(latitude=42.5052, longitude=129.0049)
    key_person(home)
    # a key person in street B, but in another cell than B's recurring place
    far = household(city.grid_b1, building="8")
    Building.objects.filter(pk=far.unit.building_id).update(latitude=42.512, longitude=129.031)
    key_person(far, name="王五", phone="13900000000")
    by_grid = {p.grid_id: p for p in hotspots.recurring_places(node=city.city, now=NOW)}
    assert by_grid[city.grid_a1.pk].key_people == by_grid[city.grid_a1.pk].count == 4
    assert by_grid[city.grid_b1.pk].key_people == 0


def test_heat_counts_every_located_petition_of_the_window(city):
    crafted(city)
    heat = hotspots.heat(node=city.city, now=NOW)
    since = NOW - datetime.timedelta(days=round(12 * 30.44))
    assert sum(c for _lng, _lat, c in heat) == Petition.objects.filter(received_at__gte=since).count()


def test_recurring_reporters_are_counts_only(city):
    crafted(city)
    answer = hotspots.recurring_reporters(node=city.street_a, now=NOW)
    assert answer["reporters"] == 1
    assert answer["petitions"] == 6
    text = json.dumps(answer, ensure_ascii=False)
    for personal in (PHONE_HASH, "张三", "138****0000"):
        assert personal not in text


def test_the_api_answers_carry_no_personal_data(city, people, api_client):
    crafted(city)
    api_client.force_authenticate(people.official)
    with time_machine.travel(NOW, tick=False):
        for suffix in ("hotspots/", "targeted/", "history/"):
            response = api_client.get(f"/api/v1/dashboard/{city.street_a.pk}/{suffix}")
            assert response.status_code == 200, suffix
            for personal in (PHONE_HASH, "张三", "138****0000"):
                assert personal not in response.content.decode(), suffix


def test_history_equals_independent_counts(city):
    crafted(city)
    rollup_rebuild(actor=SYSTEM)  # rows written straight to the tables: build the rollups
    quality = {row["year"]: row for row in history.quality(node=city.street_a)}
    assert (
        quality[2026]["received"]
        == Petition.objects.filter(grid__in=[city.grid_a1, city.grid_a2], received_at__year=2026).count()
    )
    assert quality[2025]["satisfaction_rate"] == 100.0
    assert sum(r["count"] for r in history.by_month(node=city.city)) == Petition.objects.count()
    assert sum(r["count"] for r in history.by_season(node=city.city)) == Petition.objects.count()


def test_one_click_creates_exactly_one_topic(city, people):
    water, _ = crafted(city)
    kwargs = {
        "node": city.street_a,
        "kind": "topic",
        "grid_id": city.grid_a1.pk,
        "place": "42.505,129.005",
        "category_id": water.pk,
        "now": NOW,
    }
    first = targeted.action_create(actor=people.gridhead, **kwargs)
    again = targeted.action_create(actor=people.gridhead, **kwargs)
    assert first.pk == again.pk
    assert Topic.objects.count() == 1
    topic = Topic.objects.get()
    assert topic.pk == first.object_id and topic.node == city.grid_a1 and "积水" in topic.title
    [problem] = targeted.problems(node=city.street_a, now=NOW)
    assert problem.actions == {"topic": topic.pk}


def test_a_user_outside_cannot_act_and_nothing_is_created(city, people):
    water, _ = crafted(city)
    from hlgrid.errors import DomainError

    with pytest.raises(DomainError):
        targeted.action_create(
            actor=people.outsider,
            node=city.street_a,
            kind="topic",
            grid_id=city.grid_a1.pk,
            place="42.505,129.005",
            category_id=water.pk,
            now=NOW,
        )
    assert not TargetedAction.objects.exists() and not Topic.objects.exists()


def test_outsider_gets_404(city, people, client, api_client):
    crafted(city)
    client.force_login(people.outsider)
    for page in ("history", "hotspots", "targeted"):
        assert client.get(f"/dashboards/{city.street_a.pk}/{page}/").status_code == 404
    api_client.force_authenticate(people.outsider)
    for page in ("history", "hotspots", "targeted"):
        assert api_client.get(f"/api/v1/dashboard/{city.street_a.pk}/{page}/").status_code == 404
    assert (
        api_client.post(f"/api/v1/dashboard/{city.street_a.pk}/targeted/", {}, format="json").status_code
        == 404
    )
    with pytest.raises(Http404):
        selectors.node_get(user=people.outsider, pk=city.street_a.pk)


def test_the_page_creates_and_marks_the_action(city, people, client):
    water, _ = crafted(city)
    client.force_login(people.official)
    with time_machine.travel(NOW, tick=False):
        url = f"/dashboards/{city.street_a.pk}/targeted/"
        data = {"kind": "topic", "grid": city.grid_a1.pk, "place": "42.505,129.005", "category": water.pk}
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 302  # double click
        assert Topic.objects.count() == 1
        assert b'data-testid="acted-topic"' in client.get(url).content


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["history", "hotspots", "targeted"])
def test_fixed_query_count_at_two_sizes(city, people, client, page):
    client.force_login(people.official)
    url = f"/dashboards/{city.street_a.pk}/{page}/"
    with time_machine.travel(NOW, tick=False):
        crafted(city, copies=1)
        _queries(client, url)
        small = _queries(client, url)
        crafted(city, copies=4)
        large = _queries(client, url)
    assert small == large


def test_the_responsible_department_is_the_catalogue_s_not_whoever_handled_one(city):
    from tests.factories import DepartmentFactory

    water, _light = crafted(city)
    housing, roads = DepartmentFactory(name="住建局"), DepartmentFactory(name="交通局")
    water.department = housing
    water.save(update_fields=["department"])
    # one of the place's petitions was handled (misrouted) by another department
    Petition.objects.filter(grid=city.grid_a1, category=water).update(department=roads)
    place = hotspots.recurring_places(node=city.street_a, now=NOW)[0]
    assert (place.department_id, place.department) == (housing.pk, "住建局")
    water.department = None
    water.save(update_fields=["department"])
    assert hotspots.recurring_places(node=city.street_a, now=NOW)[0].department == ""
