"""The calendar's pages and API: who may open and change them, and the preview-then-confirm flow."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from grids.models import CalendarDay, CalendarYear
from petitions.models import Petition
from tests.settings_config.test_calendar import handling

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_settings_hub_lists_the_calendar_for_officials_and_is_404_for_others(people, configurer, team):
    for user in (configurer, people.official):
        page = client_for(user).get(reverse("settings"))
        assert page.status_code == 200
        assert reverse("settings_calendar") in page.content.decode()
    for user in (people.worker, people.gridhead, team.dept, people.assessor):
        assert client_for(user).get(reverse("settings")).status_code == 404
        assert client_for(user).get(reverse("settings_calendar_year", args=[2026])).status_code == 404


def test_an_official_of_a_street_reads_the_calendar_but_may_not_change_it(people):
    client = client_for(people.official)
    page = client.get(reverse("settings_calendar_year", args=[2026]))
    assert page.status_code == 200
    assert "2026-10-01" in page.content.decode()
    assert 'data-testid="calendar-day-form"' not in page.content.decode()
    refused = client.post(
        reverse("settings_calendar_year", args=[2026]),
        {"action": "apply", "date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"},
    )
    assert refused.status_code == 403
    assert not CalendarDay.objects.exists()


def test_a_year_outside_the_calendar_is_404(configurer):
    assert client_for(configurer).get("/settings/calendar/1800/").status_code == 404


def test_the_preview_lists_the_moving_petitions_and_the_confirmation_moves_them(configurer, team, people):
    petition = handling(team, people, datetime(2026, 9, 1, 10, tzinfo=SH))
    client = client_for(configurer)
    url = reverse("settings_calendar_year", args=[2026])
    change = {"date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"}
    preview = client.post(url, {"action": "preview", **change})
    assert preview.status_code == 200
    assert petition.tracking_code in preview.content.decode()
    assert not CalendarDay.objects.filter(date=date(2026, 9, 3)).exists()
    done = client.post(url, {"action": "apply", **change})
    assert done.status_code == 302
    assert CalendarDay.objects.get(date=date(2026, 9, 3)).name == "州庆"
    assert Petition.objects.get(pk=petition.pk).due_at == datetime(2026, 9, 4, 10, tzinfo=SH)
    page = client.get(url)
    assert "州庆" in page.content.decode()


def test_a_bad_day_is_shown_on_its_field_and_changes_nothing(configurer):
    client = client_for(configurer)
    url = reverse("settings_calendar_year", args=[2026])
    page = client.post(url, {"action": "preview", "date": "2026-09-05", "kind": "HOLIDAY", "name": "周六"})
    assert page.status_code == 200
    assert 'data-testid="error-date"' in page.content.decode()
    page = client.post(url, {"action": "apply", "date": "not a date", "kind": "HOLIDAY", "name": ""})
    assert 'data-testid="error-date"' in page.content.decode()
    assert 'data-testid="error-name"' in page.content.decode()
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_loading_and_removing_through_the_page(configurer):
    client = client_for(configurer)
    url = reverse("settings_calendar_year", args=[2027])
    assert client.post(url, {"action": "load"}).status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert client.post(url, {"action": "apply_remove", "date": "2027-10-01"}).status_code == 302
    assert not CalendarDay.objects.filter(date=date(2027, 10, 1)).exists()


def test_the_api_lists_a_year_previews_creates_and_deletes_days(configurer, team, people, api_client):
    petition = handling(team, people, datetime(2026, 9, 1, 10, tzinfo=SH))
    api_client.force_authenticate(configurer)
    listed = api_client.get("/api/v1/calendar-days/", {"year": 2026})
    assert listed.status_code == 200
    assert {
        "id": None,
        "date": "2026-10-01",
        "kind": "HOLIDAY",
        "name": "国庆节",
        "statutory": True,
    } in listed.json()
    preview = api_client.post(
        "/api/v1/calendar-days/preview/",
        {"date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"},
        format="json",
    )
    assert preview.status_code == 200
    (effect,) = [e for e in preview.json() if e["name"] == "petitions"]
    assert effect["count"] == 1 and effect["sample"][0]["label"] == petition.tracking_code
    with time_machine.travel(datetime(2026, 9, 2, 9, tzinfo=SH), tick=False):
        created = api_client.post(
            "/api/v1/calendar-days/", {"date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"}, format="json"
        )
    assert created.status_code == 201, created.json()
    assert created.json()["moved"]["petitions"] == 1
    day_id = created.json()["day"]["id"]
    assert api_client.get(f"/api/v1/calendar-days/{day_id}/").json()["name"] == "州庆"
    removed = api_client.delete(f"/api/v1/calendar-days/{day_id}/")
    assert removed.status_code == 200 and removed.json()["moved"]["petitions"] == 1
    assert Petition.objects.get(pk=petition.pk).due_at == datetime(2026, 9, 3, 10, tzinfo=SH)


def test_the_api_refuses_bad_input_and_unknown_keys_and_changes_nothing(configurer, api_client):
    api_client.force_authenticate(configurer)
    for body in (
        {"date": "2026-09-05", "kind": "HOLIDAY", "name": "周六"},
        {"date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆", "force": True},
        {"date": "2026-13-03", "kind": "HOLIDAY", "name": "州庆"},
        {"date": "2026-09-03", "kind": "MAYBE", "name": "州庆"},
    ):
        assert api_client.post("/api/v1/calendar-days/", body, format="json").status_code == 400, body
    assert api_client.get("/api/v1/calendar-days/", {"year": "20x6"}).status_code == 400
    assert (
        api_client.post("/api/v1/calendar-days/load-year/", {"year": 1800}, format="json").status_code == 400
    )
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_the_api_answers_a_street_official_403_on_writes_and_others_404(people, team, configurer, api_client):
    body = {"date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"}
    api_client.force_authenticate(configurer)
    day_id = api_client.post("/api/v1/calendar-days/", body, format="json").json()["day"]["id"]
    api_client.force_authenticate(people.official)
    assert api_client.get("/api/v1/calendar-days/").status_code == 200
    assert (
        api_client.post("/api/v1/calendar-days/", {**body, "date": "2026-09-04"}, format="json").status_code
        == 403
    )
    assert api_client.delete(f"/api/v1/calendar-days/{day_id}/").status_code == 403
    for user in (people.worker, team.dept, people.assessor):
        api_client.force_authenticate(user)
        assert api_client.get("/api/v1/calendar-days/").status_code == 404
        assert api_client.get(f"/api/v1/calendar-days/{day_id}/").status_code == 404
        assert api_client.delete(f"/api/v1/calendar-days/{day_id}/").status_code == 404
        assert api_client.post("/api/v1/calendar-days/", body, format="json").status_code == 404
        assert (
            api_client.post("/api/v1/calendar-days/load-year/", {"year": 2027}, format="json").status_code
            == 404
        )
    assert CalendarDay.objects.filter(statutory=False).count() == 1


def test_another_citys_calendar_is_404_through_page_and_api_and_ones_own_is_the_default(
    city, configurer, api_client, other_city
):
    from grids.access import SYSTEM
    from grids.models import PostKind
    from grids.services import post_assign
    from tests.factories import UserFactory

    their_admin = UserFactory(username="y_admin")
    post_assign(actor=SYSTEM, user=their_admin, kind=PostKind.ADMIN, node=other_city)
    client = client_for(their_admin)
    url = reverse("settings_calendar_year", args=[2026])
    page = client.get(url)
    assert page.status_code == 200 and page.context["city"] == other_city
    assert f'name="city" value="{other_city.pk}"' in page.content.decode()
    assert client.get(url, {"city": city.city.pk}).status_code == 404
    change = {"city": city.city.pk, "date": "2026-09-03", "kind": "HOLIDAY", "name": "州庆"}
    assert client.post(url, {"action": "apply", **change}).status_code == 404
    api_client.force_authenticate(their_admin)
    assert api_client.get("/api/v1/calendar-days/", {"year": 2026, "city": city.city.pk}).status_code == 404
    assert api_client.post("/api/v1/calendar-days/", change, format="json").status_code == 404
    # the test city's own day is not found by the other city's people
    api_client.force_authenticate(configurer)
    mine = api_client.post("/api/v1/calendar-days/", change, format="json")
    assert mine.status_code == 201, mine.json()
    api_client.force_authenticate(their_admin)
    assert api_client.get(f"/api/v1/calendar-days/{mine.json()['day']['id']}/").status_code == 404
    assert api_client.delete(f"/api/v1/calendar-days/{mine.json()['day']['id']}/").status_code == 404
    assert not CalendarDay.objects.filter(city=other_city).exists()
