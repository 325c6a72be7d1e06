"""The Helong demo's disputes: a year of cases across the grids in every step, plausible outcomes,
a year of monthly reports (nearly all on time), and the sweep and the dashboard run over them."""

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from dashboards import mediation_figures
from grids.models import GridNode, NodeKind
from mediation.models import Case, CaseEvent, MonthlyReport, Party, ReportStatus, Status
from mediation.sweep import sweep

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_year_of_disputes_in_every_step_with_plausible_outcomes(helong):
    now = timezone.now()
    oldest = Case.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
    assert datetime.timedelta(days=300) < now - oldest < datetime.timedelta(days=400)
    statuses = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == set(Status.values)
    concluded = statuses[Status.CLOSED] + statuses[Status.REFERRED]
    assert 0.75 < statuses[Status.CLOSED] / concluded < 0.95
    grids = GridNode.objects.filter(kind=NodeKind.GRID).count()
    assert Case.objects.values("grid").distinct().count() > grids * 0.9
    assert not Case.objects.filter(parties__isnull=True).exists()
    assert (
        Party.objects.filter(resident__isnull=True).exists()
        and Party.objects.filter(resident__isnull=False).exists()
    )
    # every case's history starts with its registration, by the worker who registered it
    assert CaseEvent.objects.filter(action="register").count() == Case.objects.count()
    assert Case.objects.filter(grid__posts__user__username="worker").exists()


def test_the_demo_has_a_year_of_monthly_reports_nearly_all_on_time(helong):
    grids = GridNode.objects.filter(kind=NodeKind.GRID).count()
    due = MonthlyReport.objects.filter(due_at__lte=timezone.now())
    assert due.values("month").distinct().count() >= 12
    assert due.count() == grids * due.values("month").distinct().count()  # every grid, every month
    on_time = due.filter(on_time=True).count() / due.count()
    assert 0.85 < on_time < 0.98
    assert due.filter(status=ReportStatus.MISSED).exists() and due.filter(status=ReportStatus.ZERO).exists()


def test_the_sweep_and_the_dashboard_run_over_the_demo(helong):
    now = timezone.now()
    counts = sweep(now=now)
    assert counts["reports_missed"] == 0  # the demo has every due month
    city = GridNode.objects.get(parent=None)
    panel = mediation_figures.panel(node=city, now=now)
    assert panel["total"] == Case.objects.count() and panel["open"] > 0
    assert any(item["light"] == "RED" for item in mediation_figures.board_items(node=city, now=now))
