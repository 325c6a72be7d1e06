"""The clocks with a frozen time: a case's light, the sweep that turns it red and tells the grid
once, and the monthly 排查 deadline after which a grid without a report (or a zero report) is red."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput
from hlgrid.lights import Light
from hlgrid.sweeps import registered_sweepers, run_sweep
from mediation import clock, selectors, services
from mediation.models import Case, MonthlyReport, Notice, NoticeKind, ReportStatus
from mediation.sweep import sweep
from tests.mediation.factories import case, neighbours

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_the_mediation_sweeper_is_registered_with_the_periodic_sweep():
    assert registered_sweepers()["mediation"] is sweep


def test_an_ungraded_case_turns_yellow_then_red_and_the_grid_hears_of_it_once(city, people):
    with time_machine.travel(at(2026, 3, 2, 1), tick=False):
        c = case(city.grid_a1, actor=people.worker)
    with time_machine.travel(at(2026, 3, 2, 20), tick=False):  # 19 of 24 hours gone
        run_sweep(now=at(2026, 3, 2, 20))
        assert Case.objects.get(pk=c.pk).light == Light.YELLOW
    run_sweep(now=at(2026, 3, 3, 2))
    assert Case.objects.get(pk=c.pk).light == Light.RED
    run_sweep(now=at(2026, 3, 3, 3))  # a repeated sweep writes nothing twice
    overdue = Notice.objects.filter(kind=NoticeKind.OVERDUE)
    assert set(overdue.values_list("recipient", flat=True)) == {people.worker.pk, people.gridhead.pk}
    assert overdue.count() == 2
    # the page's light comes from the stored times and the clock, not the stored light
    late = selectors.case_list(user=people.worker, now=at(2026, 3, 3, 2)).get(pk=c.pk)
    assert late.current_light == Light.RED


def test_grading_moves_the_clock_on_and_the_sweep_lowers_the_light(city, people):
    with time_machine.travel(at(2026, 3, 2, 1), tick=False):
        c = case(city.grid_a1, actor=people.worker)
    run_sweep(now=at(2026, 3, 3, 2))
    with time_machine.travel(at(2026, 3, 3, 2), tick=False):
        services.case_grade(actor=people.worker, case=c, risk="LOW", reasons="小事")
    c.refresh_from_db()
    assert c.light == Light.GREEN  # the grading's own clock
    assert c.due_at == clock.add_working_days(at(2026, 3, 3, 2), 15, city=None)


def test_a_high_risk_case_is_due_in_three_working_days_across_a_holiday():
    # Friday 26 September 2025: Sunday the 28th is a make-up working day
    due, warn = clock.mediation_clock(at(2025, 9, 26, 2), "HIGH", city=None)
    assert due.astimezone(clock.LOCAL).date() == datetime.date(2025, 9, 30)
    # Tuesday 30 September: 1–8 October are the National Day holiday, Saturday the 11th is worked
    due, _warn = clock.mediation_clock(at(2025, 9, 30, 2), "HIGH", city=None)
    assert due.astimezone(clock.LOCAL).date() == datetime.date(2025, 10, 11)
    assert warn < due


def test_the_sweep_costs_a_fixed_number_of_queries_however_many_cases(city, people):
    def load(n, floor):
        for i in range(n):
            with time_machine.travel(at(2026, 3, 2, 1), tick=False):
                case(
                    city.grid_a1,
                    people=neighbours(city.grid_a1, door_a=f"{floor}{i:02d}", door_b=f"{floor + 1}{i:02d}"),
                )
        sweep(now=at(2026, 3, 2, 2))  # February's missed reports, recorded once
        with CaptureQueriesContext(connection) as queries:
            sweep(now=at(2026, 3, 10, 2))
        return len(queries)

    few = load(1, 5)
    Case.objects.all().delete()
    many = load(6, 7)
    assert many == few


def test_a_grid_reports_its_month_or_an_explicit_zero_and_both_are_checked(city, people):
    with time_machine.travel(at(2026, 3, 10, 2), tick=False):
        with pytest.raises(InvalidInput) as nothing:
            services.report_submit(
                actor=people.worker, grid=city.grid_a1, month=datetime.date(2026, 3, 1), zero=False
            )
        assert "zero" in nothing.value.errors
        zero = services.report_submit(
            actor=people.official, grid=city.grid_a2, month=datetime.date(2026, 3, 1), zero=True
        )
        assert (zero.status, zero.on_time, zero.reported_by) == (ReportStatus.ZERO, True, people.official)
        case(city.grid_a1, actor=people.worker)
        with pytest.raises(InvalidInput) as not_zero:
            services.report_submit(
                actor=people.worker, grid=city.grid_a1, month=datetime.date(2026, 3, 1), zero=True
            )
        assert "zero" in not_zero.value.errors
        report = services.report_submit(
            actor=people.worker, grid=city.grid_a1, month=datetime.date(2026, 3, 1), zero=False
        )
        assert (report.status, report.cases_found) == (ReportStatus.REPORTED, 1)
        with pytest.raises(InvalidInput):
            services.report_submit(
                actor=people.worker, grid=city.grid_a1, month=datetime.date(2026, 3, 1), zero=False
            )
        with pytest.raises(InvalidInput) as future:
            services.report_submit(
                actor=people.worker, grid=city.grid_a1, month=datetime.date(2026, 4, 1), zero=True
            )
        assert "month" in future.value.errors
    assert MonthlyReport.objects.count() == 2


def test_after_the_deadline_a_grid_without_a_report_is_red_and_swept_as_missed(city, people):
    with time_machine.travel(at(2026, 3, 10, 2), tick=False):
        services.report_submit(
            actor=people.official, grid=city.grid_a2, month=datetime.date(2026, 3, 1), zero=True
        )
    march = datetime.date(2026, 3, 1)
    before = {
        r.grid.pk: r.light for r in selectors.report_rows(user=SYSTEM, month=march, now=at(2026, 3, 25, 12))
    }
    assert before[city.grid_a1.pk] == Light.YELLOW and before[city.grid_a2.pk] == Light.GREEN
    run_sweep(now=at(2026, 3, 25, 12))  # 20:00 local on the 25th: March is not late yet
    assert not MonthlyReport.objects.filter(month=march, status=ReportStatus.MISSED).exists()
    deadline = clock.report_due(march)
    assert deadline == datetime.datetime(2026, 3, 26, tzinfo=clock.LOCAL)
    run_sweep(now=deadline)
    missed = set(
        MonthlyReport.objects.filter(month=march, status=ReportStatus.MISSED).values_list("grid", flat=True)
    )
    assert missed == {city.grid_a1.pk, city.grid_b1.pk, city.grid_b2.pk}
    run_sweep(now=deadline + datetime.timedelta(minutes=1))
    assert MonthlyReport.objects.filter(month=march, status=ReportStatus.MISSED).count() == 3
    assert set(
        Notice.objects.filter(kind=NoticeKind.REPORT_MISSED, grid=city.grid_a1).values_list(
            "recipient", flat=True
        )
    ) == {people.worker.pk, people.gridhead.pk}
    after = {r.grid.pk: r.light for r in selectors.report_rows(user=SYSTEM, month=march, now=deadline)}
    assert after[city.grid_a1.pk] == Light.RED and after[city.grid_a2.pk] == Light.GREEN
    # a late report still counts, late, and turns the grid green
    with time_machine.travel(at(2026, 3, 28, 2), tick=False):
        late = services.report_submit(actor=people.worker, grid=city.grid_a1, month=march, zero=True)
    assert (late.status, late.on_time) == (ReportStatus.ZERO, False)
    assert MonthlyReport.objects.filter(grid=city.grid_a1, month=march).count() == 1


def test_last_due_month_is_this_month_after_the_deadline_and_the_last_before_it():
    assert clock.last_due_month(at(2026, 3, 20)) == datetime.date(2026, 2, 1)
    assert clock.last_due_month(datetime.datetime(2026, 3, 26, tzinfo=clock.LOCAL)) == datetime.date(
        2026, 3, 1
    )
