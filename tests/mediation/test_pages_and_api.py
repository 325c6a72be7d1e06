"""The pages and the API over the services: a worker's whole journey, errors in the page and
as JSON with the field, the masked parties, and a fixed number of queries per page."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mediation.models import Case, Notice, Status
from residents.models import AccessLog
from tests.mediation.factories import agreed, case, neighbours, visit

pytestmark = pytest.mark.django_db


def test_a_worker_registers_a_dispute_from_a_visit_on_the_page(client, city, people):
    a, b = neighbours(city.grid_a1)
    seen = visit(people.worker, city.grid_a1, people=[a])
    client.force_login(people.worker)
    index = client.get("/mediation/")
    assert index.status_code == 200 and f"?visit={seen.pk}" in index.content.decode()
    form = client.get(f"/mediation/new/?visit={seen.pk}")
    assert form.status_code == 200 and "王大海" in form.content.decode()
    refused = client.post("/mediation/new/", {"visit": seen.pk, "kind": "NEIGHBOUR", "description": "漏水"})
    assert refused.status_code == 400 and not Case.objects.exists()
    done = client.post(
        "/mediation/new/",
        {
            "visit": seen.pk,
            "kind": "NEIGHBOUR",
            "description": "漏水",
            "resident": [a.pk],
            f"role_{a.pk}": "APPLICANT",
            "other_name_0": "楼上住户",
            "other_phone_0": "13955556666",
        },
    )
    created = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/mediation/{created.pk}/"
    assert (created.visit, created.parties.count()) == (seen, 2)
    page = client.get(f"/mediation/{created.pk}/").content.decode()
    assert "王**" in page and "139****2222" in page and "13911112222" not in page
    assert client.post(f"/mediation/{created.pk}/grade/", {"risk": "HIGH", "reasons": ""}).status_code == 302
    assert Case.objects.get().status == Status.REGISTERED  # refused: no reasons
    client.post(f"/mediation/{created.pk}/grade/", {"risk": "HIGH", "reasons": "双方争吵激烈"})
    client.post(
        f"/mediation/{created.pk}/session/",
        {
            "mediator_kind": ["GRID_WORKER", "MEDIATOR"],
            "mediator_name": ["张网格", ""],
            "summary": "当面调解",
        },
    )
    client.post(
        f"/mediation/{created.pk}/agreement/",
        {"terms": "修复并赔偿", "signatures": "王大海、楼上住户", "follow_up_days": "7"},
    )
    created.refresh_from_db()
    assert created.status == Status.AGREED and created.sessions.get().mediators == [
        {"kind": "GRID_WORKER", "name": "张网格"}
    ]
    revealed = client.post(f"/mediation/{created.pk}/parties/{created.parties.first().pk}/reveal/")
    assert "13911112222" in revealed.content.decode() and AccessLog.objects.count() == 1


def test_the_api_registers_grades_and_answers_errors_with_their_field(api_client, city, people):
    a, b = neighbours(city.grid_a1)
    api_client.force_authenticate(people.worker)
    bad = api_client.post(
        "/api/v1/mediation/cases/",
        {
            "source": "HOTLINE",
            "kind": "NEIGHBOUR",
            "description": "x",
            "grid": city.grid_a1.pk,
            "parties": [],
        },
        format="json",
    )
    assert bad.status_code == 400 and "parties" in bad.json()["errors"]
    outside_grid = api_client.post(
        "/api/v1/mediation/cases/",
        {
            "source": "HOTLINE",
            "kind": "NEIGHBOUR",
            "description": "x",
            "grid": city.grid_b1.pk,
            "parties": [{"role": "APPLICANT", "resident": a.pk}],
        },
        format="json",
    )
    assert outside_grid.status_code == 400 and "grid" in outside_grid.json()["errors"]
    created = api_client.post(
        "/api/v1/mediation/cases/",
        {
            "source": "HOTLINE",
            "kind": "NEIGHBOUR",
            "description": "噪音扰民",
            "grid": city.grid_a1.pk,
            "parties": [{"role": "APPLICANT", "resident": a.pk}, {"role": "RESPONDENT", "resident": b.pk}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert [p["name"] for p in body["parties"]] == ["王**", "赵**"]
    pk = body["id"]
    early = api_client.post(
        f"/api/v1/mediation/cases/{pk}/agreement/", {"terms": "x", "signatures": "y"}, format="json"
    )
    assert early.status_code == 409
    graded = api_client.post(
        f"/api/v1/mediation/cases/{pk}/grade/", {"risk": "HIGH", "reasons": "扬言动手"}, format="json"
    )
    assert graded.status_code == 200 and graded.json()["status"] == "GRADED"
    assert Notice.objects.filter(recipient=people.official, case_id=pk).exists()
    api_client.force_authenticate(people.official)
    notices = api_client.get("/api/v1/mediation/notices/").json()["results"]
    assert [n["case"] for n in notices] == [pk]
    assert api_client.post("/api/v1/mediation/notices/read/", {}, format="json").json() == {"marked": 1}
    referred = api_client.post(
        f"/api/v1/mediation/cases/{pk}/refer/", {"to": "POLICE", "reason": "有治安风险"}, format="json"
    )
    assert referred.status_code == 200 and referred.json()["referred_to"] == "POLICE"
    assert [e["action"] for e in referred.json()["events"]] == ["register", "grade", "refer"]


def test_the_api_takes_a_zero_report_and_refuses_a_second(api_client, city, people):
    api_client.force_authenticate(people.worker)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 2, tzinfo=datetime.UTC), tick=False):
        first = api_client.post(
            "/api/v1/mediation/reports/",
            {"grid": city.grid_a1.pk, "month": "2026-03-05", "zero": True},
            format="json",
        )
        assert first.status_code == 201 and first.json()["status"] == "ZERO" and first.json()["on_time"]
        again = api_client.post(
            "/api/v1/mediation/reports/",
            {"grid": city.grid_a1.pk, "month": "2026-03-01", "zero": True},
            format="json",
        )
        assert again.status_code == 400 and "month" in again.json()["errors"]
    assert [r["month"] for r in api_client.get("/api/v1/mediation/reports/").json()["results"]] == [
        "2026-03-01"
    ]


def test_the_follow_up_page_closes_the_case_once_it_is_open(client, city, people):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC), tick=False):
        c = agreed(city.grid_a1, actor=people.worker, follow_up_days=7)
    client.force_login(people.worker)
    with time_machine.travel(datetime.datetime(2026, 3, 4, 2, tzinfo=datetime.UTC), tick=False):
        assert 'data-testid="follow-up-later"' in client.get(f"/mediation/{c.pk}/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, tzinfo=datetime.UTC), tick=False):
        assert 'data-testid="form-follow-up"' in client.get(f"/mediation/{c.pk}/").content.decode()
        client.post(f"/mediation/{c.pk}/follow-up/", {"holds": "1", "notes": "已履行"})
    assert Case.objects.get(pk=c.pk).status == Status.CLOSED


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_a_fixed_number_of_queries_at_two_sizes(client, city, people):
    client.force_login(people.worker)
    first = case(city.grid_a1, actor=people.worker)
    visit(people.worker, city.grid_a1, people=neighbours(city.grid_a1, door_a="701", door_b="702"))
    small = {
        url: _queries(client, url)
        for url in (
            "/mediation/",
            f"/mediation/{first.pk}/",
            "/mediation/reports/",
            "/api/v1/mediation/cases/",
        )
    }
    for i in range(5):
        c = agreed(
            city.grid_a1,
            actor=people.worker,
            people=neighbours(city.grid_a1, door_a=f"8{i}1", door_b=f"8{i}2"),
        )
        visit(people.worker, city.grid_a1, people=[c.parties.first().resident])
    big = agreed(
        city.grid_a1, actor=people.worker, people=neighbours(city.grid_a1, door_a="901", door_b="902")
    )
    large = {
        url: _queries(client, url)
        for url in (
            "/mediation/",
            f"/mediation/{first.pk}/",
            "/mediation/reports/",
            "/api/v1/mediation/cases/",
        )
    }
    assert large == small
    assert _queries(client, f"/mediation/{big.pk}/") == small[f"/mediation/{first.pk}/"]


def test_the_pages_are_in_chinese_by_default_and_in_english_on_request(client, city, people):
    c = case(city.grid_a1, actor=people.worker)
    client.force_login(people.worker)
    chinese = client.get(f"/mediation/{c.pk}/").content.decode()
    assert "风险研判" in chinese and "邻里纠纷" in chinese
    client.cookies["django_language"] = "en"
    english = client.get(f"/mediation/{c.pk}/").content.decode()
    assert "Grade the risk" in english and "Neighbours" in english
