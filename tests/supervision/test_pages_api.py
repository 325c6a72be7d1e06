"""The pages and the API: scoped (an outsider gets 404 everywhere), thin over the services,
and a fixed number of queries whatever the number of orders or cases."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from supervision import services
from supervision.models import Case, Order, OrderStatus, Outcome
from tests.supervision.conftest import MONDAY, handled_petition, overdue_row

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def issue(people, petition):
    return services.order_issue(
        actor=people.official, petition=petition, instruction="请回复", working_days=2
    )


def test_an_outsider_gets_404_from_the_page_and_the_api(people, petition, api_client):
    order = issue(people, petition)
    overdue_row(petition, user=people.worker, due_at=MONDAY - datetime.timedelta(days=1))
    services.cases_open(actor=SYSTEM)
    case = Case.objects.get()
    outsider = login(people.outsider)
    assert outsider.get(reverse("supervision:order", args=[order.pk])).status_code == 404
    assert (
        outsider.post(reverse("supervision:order", args=[order.pk]), {"action": "close"}).status_code == 404
    )
    assert outsider.get(reverse("supervision:issue") + f"?petition={petition.pk}").status_code == 404
    client = api(api_client, people.outsider)
    assert client.get(f"/api/v1/supervision/orders/{order.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/supervision/orders/{order.pk}/reply/", {"reply": "x"}, format="json"
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/supervision/cases/{case.pk}/").status_code == 404
    answer = client.post(f"/api/v1/supervision/cases/{case.pk}/review/", {"outcome": "WARNED"}, format="json")
    assert answer.status_code == 404
    answer = client.post(
        "/api/v1/supervision/cases/review/", {"ids": [case.pk], "outcome": "WARNED"}, format="json"
    )
    assert answer.status_code == 404
    assert client.get("/api/v1/supervision/orders/").json()["results"] == []
    assert client.get("/api/v1/supervision/cases/").json()["results"] == []
    case.refresh_from_db()
    assert case.outcome == Outcome.PENDING


def test_the_whole_round_through_the_api(people, petition, api_client):
    client = api(api_client, people.official)
    answer = client.post(
        "/api/v1/supervision/orders/",
        {"petition": petition.pk, "instruction": "限期回复", "working_days": 2},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    assert answer.json()["handler"] == people.worker.pk and answer.json()["light"] == "GREEN"
    worker = api(type(api_client)(), people.worker)
    assert (
        worker.post(f"/api/v1/supervision/orders/{pk}/reply/", {"reply": ""}, format="json").status_code
        == 400
    )
    assert (
        worker.post(f"/api/v1/supervision/orders/{pk}/reply/", {"reply": "已办"}, format="json").status_code
        == 200
    )
    assert worker.post(f"/api/v1/supervision/orders/{pk}/close/", {}, format="json").status_code == 403
    assert (
        client.post(f"/api/v1/supervision/orders/{pk}/close/", {}, format="json").json()["status"] == "CLOSED"
    )
    assert client.post(f"/api/v1/supervision/orders/{pk}/close/", {}, format="json").status_code == 409
    assert (
        client.post(
            "/api/v1/supervision/orders/", {"instruction": "x", "working_days": 2}, format="json"
        ).status_code
        == 400
    )


def test_the_page_round_issue_reply_close(people, petition):
    official = login(people.official)
    page = official.get(reverse("petitions:detail", args=[petition.pk]))
    assert b'data-testid="supervision-panel"' in page.content
    answer = official.post(
        reverse("supervision:issue"), {"petition": petition.pk, "instruction": "请回复", "working_days": 2}
    )
    order = Order.objects.get()
    assert answer.status_code == 302 and answer["Location"] == order.get_absolute_url()
    worker = login(people.worker)
    page = worker.post(order.get_absolute_url(), {"action": "reply", "reply": " "})
    assert page.status_code == 200 and b'data-testid="reply-error"' in page.content
    worker.post(order.get_absolute_url(), {"action": "reply", "reply": "已清运"})
    assert worker.post(order.get_absolute_url(), {"action": "close"}).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLIED
    official.post(order.get_absolute_url(), {"action": "close"})
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def _make(team, people, n):
    for _ in range(n):
        petition = handled_petition(team, people)
        issue(people, petition)
        overdue_row(petition, user=people.worker, due_at=MONDAY - datetime.timedelta(days=1))
    services.cases_open(actor=SYSTEM)


@pytest.mark.parametrize("url", ["supervision:index", "supervision:cases"])
def test_the_lists_run_a_fixed_number_of_queries(team, people, frozen, url):
    client = login(people.official)
    _make(team, people, 1)
    client.get(reverse(url))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url)).status_code == 200
    _make(team, people, 4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(url)).status_code == 200
    assert len(small) == len(large)


def test_bulk_review_from_the_page(team, people, frozen):
    _make(team, people, 3)
    ids = list(Case.objects.values_list("pk", flat=True))
    client = login(people.gridhead)
    client.post(
        reverse("supervision:cases_review"), {"ids": ids[:2], "outcome": "EXCUSED", "reason": "MISROUTED"}
    )
    assert Case.objects.filter(outcome=Outcome.EXCUSED, reason="MISROUTED").count() == 2
    client.post(reverse("supervision:cases_review"), {"ids": ids[2:], "outcome": "EXCUSED"})
    assert Case.objects.filter(outcome=Outcome.PENDING).count() == 1


def test_the_whistle_page_offers_an_order_to_a_summoned_department(people, team, petition):
    from petitions.services import whistle_blow

    whistle = whistle_blow(
        actor=people.official,
        title="垃圾站整治",
        departments=[team.department],
        petition=petition,
        now=MONDAY,
    )
    official = login(people.official)
    page = official.get(reverse("petitions:whistle", args=[whistle.pk]))
    link = f"{reverse('supervision:issue')}?whistle={whistle.pk}"
    assert b'data-testid="supervision-panel"' in page.content and link.encode() in page.content
    form = official.get(link)
    assert form.status_code == 200 and team.department.name.encode() in form.content
    answer = official.post(
        reverse("supervision:issue"),
        {
            "whistle": whistle.pk,
            "instruction": "按时报到",
            "working_days": 1,
            "department": team.department.pk,
        },
    )
    order = Order.objects.get()
    assert answer.status_code == 302 and order.whistle == whistle and order.department == team.department
    page = official.get(reverse("petitions:whistle", args=[whistle.pk]))
    assert order.get_absolute_url().encode() in page.content


def test_the_resolution_page_offers_an_order_to_its_owner(city, people):
    from deliberation import services as deliberation_services
    from tests.deliberation import factories as df

    vote = df.passed_vote(people, city, df.Place(city), now=MONDAY)
    resolution = deliberation_services.resolution_create(
        actor=people.gridhead, vote=vote, text="委托设计施工", owner=people.worker, working_days=4, now=MONDAY
    )
    link = f"{reverse('supervision:issue')}?resolution={resolution.pk}"
    page = login(people.gridhead).get(reverse("deliberation:resolution", args=[resolution.pk]))
    assert link.encode() in page.content
    answer = login(people.gridhead).post(
        reverse("supervision:issue"),
        {"resolution": resolution.pk, "instruction": "限期完成", "working_days": 2},
    )
    order = Order.objects.get()
    assert answer.status_code == 302 and order.resolution == resolution and order.handler == people.worker
    owner_page = login(people.worker).get(reverse("deliberation:resolution", args=[resolution.pk]))
    # the owner sees the order it must answer, without the issue link (it leads nothing there)
    assert order.get_absolute_url().encode() in owner_page.content and link.encode() not in owner_page.content
