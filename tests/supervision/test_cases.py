"""追责 cases: one per Overdue row and late check-in (set-based, idempotent), reviewed by heads;
excused cases do not count in the workers' indicator nor in the department league."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.departments import league_for_window
from evaluation.indicators import Window, automatic_values
from evaluation.models import Source
from grids.access import SYSTEM
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions.models import CheckIn, Overdue, Whistle
from supervision import selectors, services
from supervision.models import Case, CaseKind, ExcuseReason, Outcome
from tests.supervision.conftest import MONDAY, handled_petition, overdue_row

pytestmark = pytest.mark.django_db

WINDOW = Window(
    start=MONDAY - datetime.timedelta(days=30), end=MONDAY + datetime.timedelta(days=30), as_of=MONDAY
)


@pytest.fixture
def rows(team, people, frozen):
    """Two overdue rows of the worker, two of the department, one late and one punctual check-in."""
    mine = handled_petition(team, people)
    dept = handled_petition(team, people, department=team.department)
    due = MONDAY - datetime.timedelta(days=2)
    worker_rows = [
        overdue_row(mine, user=people.worker, due_at=due - datetime.timedelta(hours=i)) for i in (0, 1)
    ]
    dept_rows = [
        overdue_row(dept, department=team.department, due_at=due - datetime.timedelta(hours=i))
        for i in (0, 1)
    ]
    whistle = Whistle.objects.create(
        street=mine.grid.parent.parent,
        petition=mine,
        title="吹哨",
        blown_by=people.official,
        blown_at=due - datetime.timedelta(days=1),
        deadline=due,
    )
    late = CheckIn.objects.create(
        whistle=whistle, department=team.department, due_at=due, warn_at=due - datetime.timedelta(hours=2),
        checked_in_at=due + datetime.timedelta(hours=3),
    )  # fmt: skip
    CheckIn.objects.create(
        whistle=whistle, department=team.other_department, due_at=due,
        warn_at=due - datetime.timedelta(hours=2), checked_in_at=due - datetime.timedelta(hours=1),
    )  # fmt: skip
    return {"worker": worker_rows, "dept": dept_rows, "late": late, "whistle": whistle}


def test_the_sweep_opens_one_case_per_overdue_row_and_late_check_in_and_is_idempotent(rows, team):
    counts = services.cases_open(actor=SYSTEM, now=MONDAY)
    assert counts == {"cases_overdue": 4, "cases_checkin": 1}
    assert services.cases_open(actor=SYSTEM, now=MONDAY) == {"cases_overdue": 0, "cases_checkin": 0}
    assert Case.objects.count() == 5
    checkin_case = Case.objects.get(kind=CaseKind.CHECKIN)
    assert checkin_case.checkin == rows["late"] and checkin_case.department == team.department
    assert checkin_case.node == rows["whistle"].street
    assert set(Case.objects.filter(kind=CaseKind.OVERDUE).values_list("overdue_id", flat=True)) == set(
        Overdue.objects.values_list("pk", flat=True)
    )
    assert all(case.counted for case in Case.objects.all())


def test_opening_cases_is_a_fixed_number_of_queries(rows):
    with CaptureQueriesContext(connection) as small:
        services.cases_open(actor=SYSTEM, now=MONDAY)
    petition = rows["worker"][0].petition
    for i in range(20):
        overdue_row(petition, user=petition.assignee, due_at=MONDAY - datetime.timedelta(days=3, minutes=i))
    with CaptureQueriesContext(connection) as large:
        assert services.cases_open(actor=SYSTEM, now=MONDAY)["cases_overdue"] == 20
    assert len(small) == len(large)


def test_only_the_system_opens_cases(people):
    with pytest.raises(NotFound):
        services.cases_open(actor=people.official)


def _worker_overdue(worker):
    return automatic_values(WINDOW, {Source.OVERDUE})[Source.OVERDUE].get(worker.pk, (0, 0))[0]


def _league_row(city, department):
    return next(
        r for r in league_for_window(node=city.city, window=WINDOW) if r.department_id == department.pk
    )


def test_an_excused_case_leaves_the_indicator_and_the_league(rows, people, team, city):
    services.cases_open(actor=SYSTEM, now=MONDAY)
    assert _worker_overdue(people.worker) == 2
    assert _league_row(city, team.department).overdue == 2
    assert _league_row(city, team.department).checkins == 1

    worker_case = Case.objects.get(overdue=rows["worker"][0])
    services.case_review(
        actor=people.gridhead,
        case=worker_case,
        outcome=Outcome.EXCUSED,
        reason=ExcuseReason.PAUSED,
        now=MONDAY,
    )
    dept_cases = Case.objects.filter(overdue__in=rows["dept"]).order_by("pk")
    services.cases_review(
        actor=people.official, ids=[dept_cases[0].pk], outcome=Outcome.EXCUSED, reason=ExcuseReason.MISROUTED
    )
    services.cases_review(
        actor=people.official, ids=[dept_cases[1].pk], outcome=Outcome.PENALISED, note="再犯"
    )
    services.case_review(
        actor=people.official,
        case=Case.objects.get(checkin=rows["late"]),
        outcome=Outcome.EXCUSED,
        reason=ExcuseReason.FORCE_MAJEURE,
    )

    # independent ORM counts of what must count: rows without an excused case
    worker_expected = (
        Overdue.objects.filter(user=people.worker).exclude(case__outcome=Outcome.EXCUSED).count()
    )
    dept_expected = (
        Overdue.objects.filter(department=team.department).exclude(case__outcome=Outcome.EXCUSED).count()
    )
    assert (worker_expected, dept_expected) == (1, 1)
    assert _worker_overdue(people.worker) == worker_expected
    row = _league_row(city, team.department)
    assert row.overdue == dept_expected
    assert (
        row.checkins
        == CheckIn.objects.filter(department=team.department).exclude(case__outcome=Outcome.EXCUSED).count()
        == 0
    )
    # a warned or penalised case still counts
    assert Case.objects.get(pk=dept_cases[1].pk).counted


def test_review_rules_reason_scope_head_and_once(rows, people, team):
    services.cases_open(actor=SYSTEM, now=MONDAY)
    case = Case.objects.get(overdue=rows["worker"][0])
    with pytest.raises(InvalidInput) as error:
        services.case_review(actor=people.gridhead, case=case, outcome=Outcome.EXCUSED)
    assert "reason" in error.value.errors
    with pytest.raises(InvalidInput):
        services.case_review(
            actor=people.gridhead, case=case, outcome=Outcome.WARNED, reason=ExcuseReason.PAUSED
        )
    with pytest.raises(InvalidInput):
        services.case_review(actor=people.gridhead, case=case, outcome=Outcome.PENDING)
    with pytest.raises(Forbidden):
        services.case_review(actor=people.worker, case=case, outcome=Outcome.WARNED)
    with pytest.raises(NotFound):
        services.case_review(actor=people.outsider, case=case, outcome=Outcome.WARNED)
    case.refresh_from_db()
    assert case.outcome == Outcome.PENDING
    services.case_review(actor=people.gridhead, case=case, outcome=Outcome.WARNED)
    with pytest.raises(TransitionNotAllowed):
        services.case_review(actor=people.gridhead, case=case, outcome=Outcome.PENALISED)


def test_bulk_review_is_all_or_nothing(rows, people, city):
    services.cases_open(actor=SYSTEM, now=MONDAY)
    ids = list(Case.objects.filter(kind=CaseKind.OVERDUE).values_list("pk", flat=True))
    services.case_review(actor=people.official, case=Case.objects.get(pk=ids[0]), outcome=Outcome.WARNED)
    with pytest.raises(TransitionNotAllowed):
        services.cases_review(actor=people.official, ids=ids, outcome=Outcome.PENALISED)
    assert Case.objects.filter(outcome=Outcome.PENALISED).count() == 0
    with pytest.raises(NotFound):
        services.cases_review(actor=people.official, ids=[*ids[1:], 10**9], outcome=Outcome.PENALISED)
    reviewed = services.cases_review(actor=people.official, ids=ids[1:], outcome=Outcome.PENALISED)
    assert len(reviewed) == 3 and Case.objects.filter(outcome=Outcome.PENALISED).count() == 3


def test_department_staff_see_their_departments_cases_only(rows, team, people):
    services.cases_open(actor=SYSTEM, now=MONDAY)
    seen = selectors.cases_visible(team.dept)
    assert seen.count() == 3 and not seen.filter(department__isnull=True).exists()
    assert not selectors.cases_visible(people.outsider).exists()
    assert selectors.cases_visible(people.gridhead).filter(kind=CaseKind.OVERDUE).count() == 4
