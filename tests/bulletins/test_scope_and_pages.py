import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from bulletins import services
from bulletins.models import Kind
from grids.access import SYSTEM
from tests.bulletins.conftest import MONDAY, WEEK_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulletins(world):
    city = world.city
    made = {
        node: services.bulletin_generate(
            actor=SYSTEM, node=getattr(city, node), kind=Kind.WEEK, day=WEEK_DAY, now=MONDAY
        )
        for node in ("street_a", "street_b", "city")
    }
    return made


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_official_of_a_street_lists_its_streets_bulletins_only(world, bulletins, client):
    ids = {b["id"] for b in _api(world.official).get("/api/v1/bulletins/").json()["results"]}
    assert ids == {bulletins["street_a"].pk}
    client.force_login(world.official)
    page = client.get(reverse("bulletins:archive")).content.decode()
    assert reverse("bulletins:detail", args=[bulletins["street_a"].pk]) in page
    assert reverse("bulletins:detail", args=[bulletins["street_b"].pk]) not in page
    assert reverse("bulletins:detail", args=[bulletins["city"].pk]) not in page


def test_a_bulletin_outside_the_callers_scope_is_404_on_every_page_and_endpoint(world, bulletins, client):
    other = bulletins["street_b"].pk
    client.force_login(world.official)
    for name in ("detail", "pdf", "xlsx"):
        assert client.get(reverse(f"bulletins:{name}", args=[other])).status_code == 404
    api = _api(world.official)
    for suffix in ("", "pdf/", "xlsx/"):
        assert api.get(f"/api/v1/bulletins/{other}/{suffix}").status_code == 404


def test_the_assessor_at_the_city_reads_every_bulletin(world, bulletins):
    ids = {b["id"] for b in _api(world.assessor).get("/api/v1/bulletins/").json()["results"]}
    assert ids == {b.pk for b in bulletins.values()}
    detail = _api(world.assessor).get(f"/api/v1/bulletins/{bulletins['city'].pk}/").json()
    assert detail["figures"] == bulletins["city"].figures


def test_an_official_generates_a_bulletin_from_the_archive_page_and_bad_input_changes_nothing(world, client):
    from bulletins.models import Bulletin

    client.force_login(world.official)
    bad = client.post(
        reverse("bulletins:generate"), {"node": world.city.street_a.pk, "kind": "WEEK", "day": "soon"}
    )
    assert bad.status_code == 400
    assert not Bulletin.objects.exists()
    outside = client.post(reverse("bulletins:generate"), {"node": world.city.street_b.pk, "kind": "WEEK"})
    assert outside.status_code == 404
    made = client.post(
        reverse("bulletins:generate"), {"node": world.city.street_a.pk, "kind": "MONTH", "day": "2026-02-10"}
    )
    bulletin = Bulletin.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("bulletins:detail", args=[bulletin.pk])
    assert (bulletin.node_id, bulletin.kind, bulletin.first_day.isoformat()) == (
        world.city.street_a.pk,
        "MONTH",
        "2026-02-01",
    )


def test_the_archive_and_a_bulletin_page_cost_the_same_queries_for_one_or_many_bulletins(world, client):
    import datetime

    client.force_login(world.assessor)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = services.bulletin_generate(
        actor=SYSTEM, node=world.city.city, kind=Kind.WEEK, day=WEEK_DAY, now=MONDAY
    )
    few = count(reverse("bulletins:archive")), count(reverse("bulletins:detail", args=[first.pk]))
    for weeks in range(1, 6):
        services.bulletin_generate(
            actor=SYSTEM,
            node=world.city.street_a,
            kind=Kind.WEEK,
            day=WEEK_DAY - datetime.timedelta(days=7 * weeks),
            now=MONDAY,
        )
    many = count(reverse("bulletins:archive")), count(reverse("bulletins:detail", args=[first.pk]))
    assert few == many
