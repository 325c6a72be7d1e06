"""The disputes panel of a node's dashboard: counts by risk, kind and outcome in SQL (equal to
plain counts), grids without this month's report red after the deadline, high-risk disputes on
the lights board, and a fixed number of queries at two data sizes."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import mediation_figures, selectors
from grids.access import SYSTEM
from hlgrid.lights import Light
from mediation import services
from mediation.models import Case, Status
from tests.mediation.factories import agreed, case, neighbours

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 10, 2, tzinfo=datetime.UTC)


def build(city, people, *, copies=1, floor=1):
    with time_machine.travel(NOW, tick=False):
        for i in range(copies):

            def pair(grid, n, i=i):
                return neighbours(grid, door_a=f"{floor}{i}{n}1", door_b=f"{floor}{i}{n}2")

            high = case(city.grid_a1, people=pair(city.grid_a1, 1), kind="LABOUR")
            services.case_grade(actor=SYSTEM, case=high, risk="HIGH", reasons="聚集讨薪")
            case(city.grid_a2, people=pair(city.grid_a2, 2), kind="FAMILY")  # ungraded
            settled = agreed(city.grid_b1, people=pair(city.grid_b1, 3), risk="MEDIUM")
            with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
                services.follow_up_record(actor=SYSTEM, case=settled, holds=True)
            referred = case(city.grid_b1, people=pair(city.grid_b1, 4))
            services.case_grade(actor=SYSTEM, case=referred, risk="LOW", reasons="x")
            services.case_refer(actor=SYSTEM, case=referred, to="COURT", reason="不愿调解")
        if floor == 1:
            services.report_submit(actor=SYSTEM, grid=city.grid_b2, month=NOW.date(), zero=True)


def test_the_panel_counts_equal_plain_counts(city, people):
    build(city, people)
    panel = mediation_figures.panel(node=city.city, now=NOW)
    assert panel["total"] == Case.objects.count() == 4
    assert panel["open"] == Case.objects.exclude(status__in=[Status.CLOSED, Status.REFERRED]).count() == 2
    risks = {code: (n, open_) for _label, n, open_, code in panel["by_risk"]}
    assert risks == {"HIGH": (1, 1), "MEDIUM": (1, 0), "LOW": (1, 0)}
    assert panel["ungraded"] == 1
    assert panel["success_rate"] == 50.0  # one settled, one referred
    assert (panel["grids"], panel["reported"], panel["unreported"]) == (4, 1, 3)
    assert panel["report_light"] == Light.GREEN  # before the warning day
    street_a = mediation_figures.panel(node=city.street_a, now=NOW)
    assert (street_a["total"], street_a["open"]) == (2, 2)
    children = {row.node.pk: row for row in mediation_figures.panel(node=city.city, now=NOW)["children"]}
    assert (children[city.street_a.pk].high, children[city.street_b.pk].settled) == (1, 1)
    assert children[city.street_b.pk].unreported == 1


def test_after_the_deadline_the_unreported_grids_are_red(city, people):
    build(city, people)
    after = datetime.datetime(2026, 3, 26, 1, tzinfo=datetime.UTC)
    assert mediation_figures.panel(node=city.city, now=after)["report_light"] == Light.RED
    assert mediation_figures.panel(node=city.grid_b2, now=after)["report_light"] == Light.GREEN


def test_a_high_risk_dispute_is_red_on_the_lights_board(city, people):
    build(city, people)
    board = selectors.lights_board(node=city.city, now=NOW)
    disputes = [item for item in board if item.kind == "dispute"]
    high = Case.objects.get(risk="HIGH")
    assert [(item.light, item.url) for item in disputes][0] == (Light.RED, f"/mediation/{high.pk}/")
    assert all(item.light == Light.RED for item in disputes)  # the ungraded one is not due yet
    assert not [
        item for item in selectors.lights_board(node=city.street_b, now=NOW) if item.kind == "dispute"
    ]


def test_the_panel_and_the_board_cost_a_fixed_number_of_queries_at_two_sizes(city, people):
    def count():
        with CaptureQueriesContext(connection) as queries:
            mediation_figures.panel(node=city.city, now=NOW)
            mediation_figures.board_items(node=city.city, now=NOW)
        return len(queries)

    build(city, people)
    small = count()
    build(city, people, copies=3, floor=5)
    assert count() == small


def test_the_dashboard_page_shows_the_panel(client, city, people):
    build(city, people)
    client.force_login(people.official)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/dashboards/{city.street_a.pk}/").content.decode()
    assert 'data-testid="mediation-panel"' in page and 'data-kind="dispute"' in page
