"""The street rates its departments each quarter (评价权), the ratings and the league make the
published department assessment; scope through the service, the page and the API."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from evaluation import departments, services
from evaluation.indicators import period_window
from evaluation.models import DepartmentAssessment, DepartmentBoard, DepartmentRating, Notice
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions.models import Level, Petition, Status
from tests.evaluation import factories
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
IN_Q1 = datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC)
LATER = datetime.datetime(2026, 4, 3, 9, tzinfo=datetime.UTC)


def _handled(department, grid, *, code, on_time=True, satisfaction="SATISFIED"):
    return Petition.objects.create(
        tracking_code=code,
        status=Status.CLOSED,
        source="HOTLINE",
        description="x",
        grid=grid,
        level=Level.DEPARTMENT,
        department=department,
        received_at=IN_Q1,
        classified_at=IN_Q1,
        resolved_at=IN_Q1 + datetime.timedelta(days=1),
        resolved_on_time=on_time,
        closed_at=IN_Q1 + datetime.timedelta(days=2),
        satisfaction=satisfaction,
    )


@pytest.fixture
def rated_world(world):
    """城管 worked in both streets, 水务 only in street B, 民政 nowhere this quarter."""
    w = world
    w.cg = DepartmentFactory(code="CG", name="城管局")
    w.sw = DepartmentFactory(code="SW", name="水务局")
    w.mz = DepartmentFactory(code="MZ", name="民政局")
    _handled(w.cg, w.city.grid_a1, code="R1")
    _handled(w.cg, w.city.grid_b1, code="R2", on_time=False, satisfaction="UNSATISFIED")
    _handled(w.sw, w.city.grid_b1, code="R3")
    w.quarter = factories.period(SYSTEM)
    w.street_b_head = UserFactory(username="p_street_b_head")
    post_assign(actor=SYSTEM, user=w.street_b_head, kind=PostKind.HEAD, node=w.city.street_b)
    w.cg_staff = UserFactory(username="p_cg_staff")
    post_assign(actor=SYSTEM, user=w.cg_staff, kind=PostKind.DEPARTMENT, node=w.city.city, department=w.cg)
    return w


def rate(w, actor, street, department, score, comments="配合积极"):
    with time_machine.travel(LATER, tick=False):
        return services.department_rating_save(
            actor=actor,
            street=street,
            department=department,
            period=w.quarter,
            score=score,
            comments=comments,
        )


def test_the_street_head_rates_a_department_that_worked_in_the_street(rated_world):
    w = rated_world
    rating = rate(w, w.street_head, w.city.street_a, w.cg, "92.5")
    assert rating.score == Decimal("92.50") and rating.rated_by == w.street_head
    again = rate(w, w.official, w.city.street_a, w.cg, 88, comments="")
    assert again.pk == rating.pk and again.score == Decimal("88.00") and again.rated_by == w.official
    assert DepartmentRating.objects.count() == 1


def test_a_street_cannot_rate_a_department_that_did_not_work_in_it(rated_world):
    w = rated_world
    with pytest.raises(InvalidInput) as refused:
        rate(w, w.street_head, w.city.street_a, w.sw, 90)
    assert "department" in refused.value.errors
    with pytest.raises(InvalidInput):
        rate(w, w.street_head, w.city.street_a, w.mz, 90)
    assert rate(w, w.street_b_head, w.city.street_b, w.sw, 90).score == Decimal("90.00")


def test_a_score_must_be_0_to_100_and_a_low_one_needs_a_reason(rated_world):
    w = rated_world
    for bad in ("-1", "100.5", "abc"):
        with pytest.raises(InvalidInput):
            rate(w, w.street_head, w.city.street_a, w.cg, bad)
    with pytest.raises(InvalidInput) as refused:
        rate(w, w.street_head, w.city.street_a, w.cg, 50, comments="  ")
    assert "comments" in refused.value.errors
    assert rate(w, w.street_head, w.city.street_a, w.cg, 50, comments="多次推诿").score == Decimal("50.00")


def test_departments_are_rated_per_quarter_only(rated_world):
    w = rated_world
    month = factories.period(
        SYSTEM, name="2026年2月", starts_on=datetime.date(2026, 2, 1), ends_on=datetime.date(2026, 2, 28)
    )
    month_kind = month.__class__.objects.filter(pk=month.pk)
    month_kind.update(kind="MONTH")
    month.refresh_from_db()
    with pytest.raises(InvalidInput):
        services.department_rating_save(
            actor=w.street_head, street=w.city.street_a, department=w.cg, period=month, score=90
        )


def test_only_the_streets_own_heads_and_officials_rate(rated_world):
    w = rated_world
    with pytest.raises(NotFound):  # a worker of street B: outside street A
        rate(w, w.outsider, w.city.street_a, w.cg, 90)
    with pytest.raises(NotFound):  # the head of street B
        rate(w, w.street_b_head, w.city.street_a, w.cg, 90)
    with pytest.raises(Forbidden):  # a worker inside street A knows it, but does not rate
        rate(w, w.worker, w.city.street_a, w.cg, 90)
    with pytest.raises(Forbidden):  # the city's assessor covers it, but the street rates
        rate(w, w.assessor, w.city.street_a, w.cg, 90)
    with pytest.raises(Forbidden):
        rate(w, None, w.city.street_a, w.cg, 90)
    with pytest.raises(NotFound):  # a community is not a street
        rate(w, w.street_head, w.city.community_a, w.cg, 90)


def test_an_outsider_gets_404_from_the_ratings_page_and_api(rated_world, client, api_client):
    w = rated_world
    rate(w, w.street_head, w.city.street_a, w.cg, 90)
    client.force_login(w.outsider)
    url = reverse("evaluation:department-ratings") + f"?node={w.city.street_a.pk}&period={w.quarter.pk}"
    assert client.get(url).status_code == 404
    assert (
        client.get(
            reverse("evaluation:departments") + f"?node={w.city.street_a.pk}&period={w.quarter.pk}"
        ).status_code
        == 404
    )
    api_client.force_authenticate(w.outsider)
    listed = api_client.get("/api/v1/evaluation/department-ratings/", {"street": w.city.street_a.pk})
    assert listed.status_code == 200 and listed.json()["results"] == []
    posted = api_client.post(
        "/api/v1/evaluation/department-ratings/",
        {"street": w.city.street_a.pk, "department": w.cg.pk, "period": w.quarter.pk, "score": "10"},
        format="json",
    )
    assert posted.status_code == 404
    league = api_client.get(
        "/api/v1/evaluation/department-league/", {"node": w.city.street_a.pk, "period": w.quarter.pk}
    )
    assert league.status_code == 404


def test_the_street_head_rates_through_the_page_and_the_api(rated_world, client, api_client):
    w = rated_world
    client.force_login(w.street_head)
    url = reverse("evaluation:department-ratings") + f"?node={w.city.street_a.pk}&period={w.quarter.pk}"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "城管局" in body and "水务局" not in body
    with time_machine.travel(LATER, tick=False):
        posted = client.post(url, {"department": w.cg.pk, "score": "40", "comments": ""})
        assert posted.status_code == 200 and "60" in posted.content.decode()
        posted = client.post(url, {"department": w.cg.pk, "score": "85", "comments": "响应快"})
    assert posted.status_code == 302
    assert DepartmentRating.objects.get().score == Decimal("85.00")
    api_client.force_authenticate(w.street_b_head)
    with time_machine.travel(LATER, tick=False):
        answer = api_client.post(
            "/api/v1/evaluation/department-ratings/",
            {"street": w.city.street_b.pk, "department": w.sw.pk, "period": w.quarter.pk, "score": "77"},
            format="json",
        )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["score"] == "77.00"


def test_publishing_combines_the_league_and_the_ratings_with_the_citys_weights(rated_world):
    w = rated_world
    rate(w, w.street_head, w.city.street_a, w.cg, 90)
    rate(w, w.street_b_head, w.city.street_b, w.cg, 70)
    services.department_weights_set(actor=SYSTEM, city=w.city.city, league_weight=60, rating_weight=40)
    with time_machine.travel(LATER, tick=False):
        league = {
            r.department_id: r
            for r in departments.league_for_window(
                node=w.city.city, window=period_window(w.quarter, now=LATER)
            )
        }
        board = services.department_board_publish(actor=w.assessor, period=w.quarter, city=w.city.city)
    rows = {r.department_id: r for r in DepartmentAssessment.objects.filter(board=board)}
    assert set(rows) == {w.cg.pk, w.sw.pk}
    cg = rows[w.cg.pk]
    assert cg.rating_score == Decimal("80.00") and cg.ratings == 2
    assert cg.league_score == league[w.cg.pk].score
    assert cg.total == (league[w.cg.pk].score * 60 + Decimal(80) * 40) / 100
    assert rows[w.sw.pk].rating_score is None and rows[w.sw.pk].total == league[w.sw.pk].score
    assert sorted(r.rank for r in rows.values()) == [1, 2]
    assert cg.figures["received"] == 2 and cg.figures["on_time"] == 1
    assert Notice.objects.filter(recipient=w.cg_staff, period=w.quarter).count() == 1


def test_a_quarter_is_published_once_and_its_ratings_are_then_final(rated_world):
    w = rated_world
    with time_machine.travel(LATER, tick=False):
        services.department_board_publish(actor=w.assessor, period=w.quarter, city=w.city.city)
        with pytest.raises(TransitionNotAllowed):
            services.department_board_publish(actor=w.assessor, period=w.quarter, city=w.city.city)
    with pytest.raises(TransitionNotAllowed):
        rate(w, w.street_head, w.city.street_a, w.cg, 90)
    assert DepartmentBoard.objects.count() == 1


def test_only_assessors_publish_and_only_configurers_set_the_weights(rated_world):
    w = rated_world
    with pytest.raises(Forbidden):
        services.department_board_publish(actor=w.street_head, period=w.quarter, city=w.city.city)
    with pytest.raises(NotFound):  # the configuration is not the street head's to read
        services.department_weights_set(
            actor=w.street_head, city=w.city.city, league_weight=50, rating_weight=50
        )
    with pytest.raises(InvalidInput):
        services.department_weights_set(actor=SYSTEM, city=w.city.city, league_weight=50, rating_weight=40)


def test_the_published_board_is_public_on_the_page_and_the_api(rated_world, client, api_client):
    w = rated_world
    rate(w, w.street_head, w.city.street_a, w.cg, 90)
    with time_machine.travel(LATER, tick=False):
        board = services.department_board_publish(actor=w.assessor, period=w.quarter, city=w.city.city)
    page = client.get(reverse("evaluation:department-boards"), follow=True)
    assert page.status_code == 200 and "城管局" in page.content.decode()
    answer = api_client.get(f"/api/v1/evaluation/department-boards/{board.pk}/")
    assert answer.status_code == 200
    assert [r["department_code"] for r in answer.json()["rows"]] == [
        r.department.code for r in DepartmentAssessment.objects.filter(board=board).order_by("rank")
    ]
    assert client.get(reverse("evaluation:department-board", args=[board.pk + 99])).status_code == 404


def test_the_league_page_shows_the_figures_drills_down_and_exports(rated_world, client):
    import io

    from openpyxl import load_workbook

    w = rated_world
    client.force_login(w.assessor)
    url = reverse("evaluation:departments") + f"?node={w.city.city.pk}&period={w.quarter.pk}"
    page = client.get(url)
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r.code for r in rows] and {r.code for r in rows} == {"CG", "SW"}
    drill = client.get(
        reverse("evaluation:department-petitions"),
        {"node": w.city.city.pk, "period": w.quarter.pk, "department": w.cg.pk, "figure": "on_time"},
    )
    assert drill.status_code == 200
    assert [p.tracking_code for p in drill.context["petitions"]] == ["R1"]
    export = client.get(url + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(v[1], v[2], v[6]) for v in values] == [(r.name, r.received, r.on_time) for r in rows]
