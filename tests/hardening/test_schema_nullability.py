"""Issue 17, item 8: the OpenAPI schema says what the answers hold. A field that can be null
(a petition merged into nothing, a whistle about no petition, an event by the system, a
building or unit without a head, a notification about no petition) is declared nullable, so
a client generated from the schema accepts the real answers.

Each answer is validated against the schema the project serves (`/api/schema/`) with
jsonschema (tests/openapi.py)."""

import pytest
from rest_framework.test import APIClient

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.models import User
from petitions import services as petition_services
from petitions.models import Notification
from tests.factories import DepartmentFactory, UserFactory
from tests.openapi import Schema
from tests.petitions import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(people, api_client):
    api_client.force_authenticate(people.official)
    return Schema(api_client)


@pytest.fixture
def merged(city):
    """Two reports of one problem; the second is merged into the first."""
    first = pf.report(description="路灯坏了")
    second = pf.report(description="路灯又坏了")
    petition_services.petition_merge(actor=SYSTEM, petition=second, into=first)
    return first, second


def test_a_petition_merged_into_nothing_and_one_merged_match_the_schema(schema, merged, people, api_client):
    first, second = merged
    api_client.force_authenticate(people.official)
    listing = api_client.get("/api/v1/petitions/")
    assert {p["merged_into"] for p in listing.json()["results"]} == {None, first.tracking_code}
    schema.check("/api/v1/petitions/", "get", listing)
    for petition in merged:
        schema.check("/api/v1/petitions/{id}/", "get", api_client.get(f"/api/v1/petitions/{petition.pk}/"))


def test_an_event_by_the_system_has_a_null_actor_in_the_schema(schema, merged, people, api_client):
    first, _second = merged
    api_client.force_authenticate(people.official)
    response = api_client.get(f"/api/v1/petitions/{first.pk}/events/")
    assert None in {event["actor"] for event in response.json()}  # the resident's report: nobody
    schema.check("/api/v1/petitions/{id}/events/", "get", response)


def test_a_whistle_about_no_petition_and_its_notifications_match_the_schema(schema, city, people, api_client):
    department = DepartmentFactory()
    staff = UserFactory(username="p_dept_staff")
    post_assign(actor=SYSTEM, user=staff, kind=PostKind.DEPARTMENT, node=city.city, department=department)
    whistle = petition_services.whistle_blow(
        actor=people.official, title="汛期排查", departments=[department], street=city.street_a
    )
    api_client.force_authenticate(people.official)
    listing = api_client.get("/api/v1/whistles/")
    assert [w["petition"] for w in listing.json()["results"]] == [None]
    schema.check("/api/v1/whistles/", "get", listing)
    schema.check("/api/v1/whistles/{id}/", "get", api_client.get(f"/api/v1/whistles/{whistle.pk}/"))

    assert Notification.objects.filter(recipient=staff, petition__isnull=True).exists()
    api_client.force_authenticate(staff)
    notifications = api_client.get("/api/v1/notifications/")
    assert None in {n["tracking_code"] for n in notifications.json()["results"]}
    schema.check("/api/v1/notifications/", "get", notifications)


def test_a_building_and_a_unit_without_a_head_match_the_schema(schema, city, people, api_client):
    household = rf.household(city.grid_a1, building="7", unit="2")
    unit = household.unit
    api_client.force_authenticate(people.worker)
    for path, pk in [("/api/v1/buildings/", unit.building_id), ("/api/v1/units/", unit.pk)]:
        listing = api_client.get(path)
        assert [row["head_name"] for row in listing.json()["results"]] == [None]
        schema.check(path, "get", listing)
        schema.check(f"{path}{{id}}/", "get", api_client.get(f"{path}{pk}/"))


def test_the_listed_fields_are_declared_nullable(schema):
    def nullable(component, field):
        prop = schema.document["components"]["schemas"][component]["properties"][field]
        return prop.get("nullable") is True

    assert nullable("Petition", "merged_into")
    assert nullable("Whistle", "petition")
    assert nullable("Event", "actor")
    assert nullable("Building", "head_name") and nullable("Unit", "head_name")
    assert nullable("Notification", "tracking_code")


# --- a sweep over the demo city -------------------------------------------------------------------


def _items(response):
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        return []
    body = response.json()
    items = body.get("results") if isinstance(body, dict) else body
    return [item for item in items or [] if isinstance(item, dict)]


def test_every_list_and_detail_answer_on_the_demo_city_matches_the_schema(helong):
    """Every GET endpoint without a query parameter, and the details (and their sub-resources)
    of the first rows each list gives, answered for an administrator over the demo's real
    data: whatever can be null there is declared nullable."""
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    schema = Schema(client)
    paths = {path: ops for path, ops in schema.document["paths"].items() if "get" in ops}
    rows, problems, checked = {}, [], 0

    def check(template, url):
        nonlocal checked
        response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
            return response
        try:
            schema.check(template, "get", response)
            checked += 1
        except AssertionError as exc:
            problems.append(str(exc))
        return response

    for path in sorted(p for p in paths if "{" not in p):
        response = check(path, path)
        if response.status_code == 200:
            rows[path] = _items(response)[:3]
    for path in sorted(p for p in paths if p.count("{") == 1):
        prefix, _, rest = path.partition("{")
        key, _, suffix = rest.partition("}")
        for row in rows.get(prefix, []):
            value = row.get(key, row.get("id"))
            if value is not None:
                check(path, f"{prefix}{value}{suffix}")
    assert checked > 50
    assert not problems, "\n".join(problems)
