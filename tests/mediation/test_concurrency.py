"""Races on PostgreSQL: real threads, real connections, real row locks. Two people acting on one
case at the same moment never write two agreements or two follow-ups; a grid's month is
reported once."""

import datetime

import pytest
import time_machine

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from mediation import services
from mediation.models import Agreement, CaseEvent, FollowUp, MonthlyReport, Status
from tests.mediation.factories import agreed, case
from tests.petitions.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_people_recording_the_agreement_at_once_write_one(city, people):
    c = case(city.grid_a1, actor=people.worker)
    services.case_grade(actor=people.worker, case=c, risk="MEDIUM", reasons="积怨")
    services.session_record(
        actor=people.worker, case=c, mediators=[{"kind": "MEDIATOR", "name": "x"}], summary="y"
    )

    def sign(actor):
        return lambda: services.agreement_record(actor=actor, case=c, terms="赔偿", signatures="双方")

    results = run_together(sign(people.worker), sign(people.gridhead))
    assert sum(isinstance(r, Agreement) for r in results) == 1, results
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 1, results
    assert Agreement.objects.filter(case=c).count() == 1
    assert CaseEvent.objects.filter(case=c, action="agreement").count() == 1


def test_two_follow_ups_at_once_close_the_case_once(city, people):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 2, tzinfo=datetime.UTC), tick=False):
        c = agreed(city.grid_a1, actor=SYSTEM, follow_up_days=1)

    def follow(actor):
        return lambda: services.follow_up_record(actor=actor, case=c, holds=True)

    results = run_together(follow(people.worker), follow(people.gridhead))
    assert sum(isinstance(r, FollowUp) for r in results) == 1, results
    assert FollowUp.objects.filter(case=c).count() == 1
    c.refresh_from_db()
    assert c.status == Status.CLOSED


def test_a_grids_month_reported_twice_at_once_is_reported_once(city, people):
    month = datetime.date.today()

    def report(actor):
        return lambda: services.report_submit(actor=actor, grid=city.grid_a1, month=month, zero=True)

    results = run_together(report(people.worker), report(people.gridhead))
    assert sum(isinstance(r, MonthlyReport) for r in results) == 1, results
    assert sum(isinstance(r, InvalidInput) for r in results) == 1, results
    assert MonthlyReport.objects.filter(grid=city.grid_a1).count() == 1
