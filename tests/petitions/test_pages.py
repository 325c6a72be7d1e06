"""The HTML pages: resident report and tracking, worker inbox (red first), petition page, boards."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from petitions import services
from petitions.models import Petition, Status
from petitions.sweep import sweep
from tests.petitions.factories import POINT_A1, jpeg, report

pytestmark = pytest.mark.django_db


def test_a_resident_reports_on_the_page_and_lands_on_the_tracking_page(client, city, team):
    form = client.get("/petitions/report/")
    assert form.status_code == 200
    assert 'data-testid="use-location"' in form.content.decode()
    assert 'data-testid="report-map"' in form.content.decode()  # or place the pin on the grid map
    assert 'id="report-grids"' in form.content.decode()
    response = client.post(
        "/petitions/report/",
        {
            "description": "楼下垃圾桶满了",
            "latitude": POINT_A1[0],
            "longitude": POINT_A1[1],
            "photos": [jpeg()],
            "idempotency_key": "k1",
        },
    )
    petition = Petition.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/petitions/track/{petition.tracking_code}/"
    )
    again = client.post(
        "/petitions/report/",
        {
            "description": "楼下垃圾桶满了",
            "latitude": POINT_A1[0],
            "longitude": POINT_A1[1],
            "idempotency_key": "k1",
        },
    )
    assert again.status_code == 200 or Petition.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert petition.tracking_code in page and 'data-testid="timeline"' in page


def test_a_report_without_a_location_shows_the_error_in_the_form(client, city, team):
    response = client.post("/petitions/report/", {"description": "楼下垃圾桶满了"})
    assert response.status_code == 200
    assert 'data-testid="location-error"' in response.content.decode()
    assert Petition.objects.count() == 0


def test_the_resident_rates_a_resolved_petition_on_the_tracking_page(client, city, people, team):
    petition = report(category=team.category)
    services.petition_verify(actor=people.worker, petition=petition)
    services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, assignee=people.worker
    )
    services.petition_resolve(actor=people.worker, petition=petition, note="已清运")
    page = client.get(f"/petitions/track/{petition.tracking_code}/").content.decode()
    assert 'data-testid="rating-form"' in page
    client.post(f"/petitions/track/{petition.tracking_code}/", {"satisfaction": "SATISFIED", "solved": "1"})
    assert Petition.objects.get(pk=petition.pk).status == Status.CLOSED


def test_the_worker_inbox_lists_red_first(client, city, people, team):
    now = timezone.now()
    green = report(category=team.category, now=now)
    red = report(category=team.category, now=now - timedelta(days=3))
    client.force_login(people.worker)
    page = client.get("/petitions/").content.decode()
    assert page.index(red.tracking_code) < page.index(green.tracking_code)
    assert 'data-light="RED"' in page


def test_the_inbox_costs_the_same_queries_with_more_petitions(client, city, people, team):
    client.force_login(people.worker)
    report(category=team.category)
    with CaptureQueriesContext(connection) as small:
        client.get("/petitions/")
    for _ in range(15):
        report(category=team.category)
    with CaptureQueriesContext(connection) as large:
        client.get("/petitions/")
    assert len(large) == len(small)


def test_the_petition_page_shows_only_the_allowed_actions_and_acts_through_htmx(client, city, people, team):
    petition = report(category=team.category)
    client.force_login(people.worker)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'data-testid="action-verify"' in page and 'data-testid="action-resolve"' not in page
    response = client.post(f"/petitions/{petition.pk}/act/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == f"/petitions/{petition.pk}/"
    assert Petition.objects.get(pk=petition.pk).status == Status.VERIFIED
    wrong = client.post(f"/petitions/{petition.pk}/act/resolve/", {"note": "x"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="action-error"' in wrong.content.decode()


def test_an_out_of_scope_petition_page_is_404(client, city, people, team):
    petition = report(category=team.category)
    client.force_login(people.outsider)
    assert client.get(f"/petitions/{petition.pk}/").status_code == 404
    assert client.post(f"/petitions/{petition.pk}/act/verify/").status_code == 404


def test_the_navbar_shows_the_unread_count_and_the_inbox_marks_read(client, city, people, team):
    report(category=team.category)  # notifies the grid's workers
    client.force_login(people.worker)
    page = client.get("/petitions/").content.decode()
    assert 'data-testid="unread-count">1<' in page
    client.post("/petitions/notifications/")
    assert 'data-testid="unread-count"' not in client.get("/petitions/").content.decode()


def test_the_lights_board_costs_the_same_queries_with_more_petitions(client, city, people, team):
    client.force_login(people.official)
    report(category=team.category)
    with CaptureQueriesContext(connection) as small:
        client.get("/petitions/board/")
    for _ in range(10):
        report(category=team.category, at=(42.515, 129.01))
    with CaptureQueriesContext(connection) as large:
        client.get("/petitions/board/")
    assert len(large) == len(small)


def test_the_lights_board_counts_the_subtree_by_light(client, city, people, team):
    report(category=team.category, now=timezone.now() - timedelta(days=3))
    report(category=team.category)
    sweep(now=timezone.now())
    client.force_login(people.official)
    page = client.get("/petitions/board/").content.decode()
    assert 'data-testid="total-red">1<' in page and 'data-testid="total-green">1<' in page


def test_the_whistle_board_shows_who_checked_in(client, city, people, team):
    whistle = services.whistle_blow(
        actor=people.official, street=city.street_a, title="联合整治", departments=[team.department]
    )
    client.force_login(team.dept)
    page = client.get(f"/petitions/whistles/{whistle.pk}/").content.decode()
    assert 'data-testid="do-checkin"' in page
    client.post(f"/petitions/checkins/{whistle.checkins.get().pk}/check-in/")
    client.force_login(people.official)
    board = client.get("/petitions/whistles/").content.decode()
    assert "联合整治" in board and "城管局" in board
