"""The office's working calendar: its rules, the timers reading it, and the deadlines it moves."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grids import calendar
from grids.access import SYSTEM
from grids.models import CalendarDay, CalendarYear
from hlgrid import workdays
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.models import DayKind
from petitions.models import Petition, PetitionEvent, Status
from petitions.services import petition_classify, petition_verify
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def home(city):
    """The test city (a CITY node): its calendar is the one under test."""
    return city.city


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def handling(team, people, at: datetime) -> Petition:
    """A petition of the garbage category (2 working days to handle), classified at `at`."""
    with time_machine.travel(at, tick=False):
        petition = report(category=team.category)
        petition_verify(actor=people.worker, petition=petition)
        return petition_classify(
            actor=people.worker, petition=petition, category=team.category, assignee=people.worker
        )


def test_a_year_not_loaded_follows_the_statutory_calendar_and_loading_it_changes_nothing(home, configurer):
    before = [workdays.is_working_day(date(2026, 10, d), city=home.pk) for d in range(1, 32)]
    assert not workdays.is_working_day(date(2026, 10, 1), city=home.pk)  # National Day
    assert workdays.is_working_day(date(2026, 10, 10), city=home.pk)  # a make-up Saturday (调休)
    calendar.calendar_year_load(city=home, actor=configurer, year=2026)
    assert CalendarYear.objects.filter(year=2026).exists()
    assert CalendarDay.objects.filter(date=date(2026, 10, 10), kind=DayKind.WORKDAY, statutory=True).exists()
    assert [workdays.is_working_day(date(2026, 10, d), city=home.pk) for d in range(1, 32)] == before
    with pytest.raises(TransitionNotAllowed):
        calendar.calendar_year_load(city=home, actor=configurer, year=2026)


def test_a_local_holiday_and_a_removed_make_up_day_are_what_the_timers_count(home, configurer):
    assert workdays.is_working_day(date(2026, 9, 3), city=home.pk)
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    assert not workdays.is_working_day(date(2026, 9, 3), city=home.pk)
    # Wed 2 Sep + 1 working day: Thursday is 州庆, so Friday.
    assert workdays.add_working_days(local(2026, 9, 2, 10), 1, city=home.pk) == local(2026, 9, 4, 10)
    calendar.calendar_day_remove(city=home, actor=configurer, day=date(2026, 10, 10))  # the 调休 Saturday
    assert not workdays.is_working_day(date(2026, 10, 10), city=home.pk)
    calendar.calendar_day_remove(city=home, actor=configurer, day=date(2026, 9, 3))
    assert workdays.is_working_day(date(2026, 9, 3), city=home.pk)


def test_the_timers_run_no_query_once_the_calendar_is_read(home, configurer, django_assert_num_queries):
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    workdays.is_working_day(date(2026, 1, 1), city=home.pk)
    with django_assert_num_queries(0):
        for day in range(1, 29):
            workdays.add_working_days(local(2026, 9, day, 9), 10, city=home.pk)
            workdays.nth_working_day(date(2026, 2, day), 5, city=home.pk)


def test_another_process_sees_the_change_once_it_rechecks_the_version(home, configurer, monkeypatch):
    assert workdays.is_working_day(date(2026, 9, 3), city=home.pk)
    stale = workdays.current(home.pk)
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    # A process that still holds the old copy, checked a moment ago...
    workdays._cached["calendars"][home.pk] = stale
    workdays._cached["versions"][home.pk] = -1
    workdays._cached["checked"] = workdays.clock.monotonic()
    assert workdays.is_working_day(date(2026, 9, 3), city=home.pk)
    # ...rebuilds it once RECHECK_SECONDS have passed.
    monkeypatch.setattr(workdays, "RECHECK_SECONDS", 0.0)
    assert not workdays.is_working_day(date(2026, 9, 3), city=home.pk)


def test_an_added_local_holiday_moves_exactly_the_deadlines_that_span_it(home, configurer, team, people):
    spanning = handling(team, people, local(2026, 9, 1, 10))  # due Thu 3 Sep 10:00
    before = handling(team, people, local(2026, 8, 31, 10))  # due Wed 2 Sep
    after = handling(team, people, local(2026, 9, 7, 10))  # starts after the holiday
    assert spanning.due_at == local(2026, 9, 3, 10)
    effects = calendar.calendar_change_preview(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    (petitions,) = [e for e in effects if e.name == "petitions"]
    assert petitions.count == 1
    assert [m.label for m in petitions.sample] == [spanning.tracking_code]
    assert petitions.sample[0].after == local(2026, 9, 4, 10)
    assert not CalendarDay.objects.filter(date=date(2026, 9, 3)).exists()  # a preview changes nothing
    assert Petition.objects.get(pk=spanning.pk).due_at == local(2026, 9, 3, 10)

    with time_machine.travel(local(2026, 9, 2, 9), tick=False):
        _, moved = calendar.calendar_day_set(
            city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
        )
    assert moved["petitions"] == 1
    spanning.refresh_from_db()
    assert spanning.due_at == spanning.handle_due_at == local(2026, 9, 4, 10)
    assert spanning.warn_at == workdays.warn_before(spanning.step_started_at, spanning.due_at)
    assert PetitionEvent.objects.filter(petition=spanning, action="reschedule", actor=configurer).exists()
    assert Petition.objects.get(pk=before.pk).due_at == before.due_at
    assert Petition.objects.get(pk=after.pk).due_at == after.due_at
    assert not PetitionEvent.objects.filter(petition__in=[before, after], action="reschedule").exists()


def test_a_make_up_working_day_shortens_a_deadline(home, configurer, team, people):
    petition = handling(team, people, local(2026, 9, 4, 10))  # Fri: due Tue 8 Sep
    assert petition.due_at == local(2026, 9, 8, 10)
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 5), kind=DayKind.WORKDAY, name="调休上班"
    )
    petition.refresh_from_db()
    assert petition.due_at == local(2026, 9, 7, 10)


def test_a_paused_or_resolved_petition_is_not_moved(home, configurer, team, people):
    petition = handling(team, people, local(2026, 9, 1, 10))
    Petition.objects.filter(pk=petition.pk).update(status=Status.RESOLVED)
    effects = calendar.calendar_change_preview(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    assert sum(e.count for e in effects) == 0


@pytest.mark.parametrize(
    ("day", "kind", "name", "field"),
    [
        (date(2026, 9, 5), DayKind.HOLIDAY, "周六", "date"),  # a Saturday is off already
        (date(2026, 9, 3), DayKind.WORKDAY, "上班", "date"),  # a Thursday is worked already
        (date(2026, 9, 3), DayKind.HOLIDAY, "  ", "name"),
        (date(2026, 9, 3), DayKind.HOLIDAY, "州" * 65, "name"),
        (date(2026, 9, 3), "SOMETIMES", "州庆", "kind"),
        ("2026-09-03", DayKind.HOLIDAY, "州庆", "date"),
        (date(1999, 9, 3), DayKind.HOLIDAY, "州庆", "date"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(home, configurer, day, kind, name, field):
    with pytest.raises(InvalidInput) as refused:
        calendar.calendar_day_set(city=home, actor=configurer, day=day, kind=kind, name=name)
    assert field in refused.value.errors
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_removing_a_day_that_is_no_exception_is_refused(home, configurer):
    with pytest.raises(InvalidInput):
        calendar.calendar_day_remove(city=home, actor=configurer, day=date(2026, 9, 3))


def test_only_an_administrator_or_a_city_official_changes_the_calendar(home, city, people, team, configurer):
    from grids.models import PostKind
    from grids.services import post_assign
    from tests.factories import UserFactory

    city_official = UserFactory(username="c_city_official")
    post_assign(actor=SYSTEM, user=city_official, kind=PostKind.OFFICIAL, node=city.city)
    calendar.calendar_day_set(
        city=home, actor=city_official, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    # A street's official reads the calendar but may not change it: 403.
    with pytest.raises(Forbidden):
        calendar.calendar_day_remove(city=home, actor=people.official, day=date(2026, 9, 3))
    # Workers, heads, department staff and assessors do not see the settings at all: 404.
    for outsider in (people.worker, people.gridhead, team.dept, people.assessor):
        with pytest.raises(NotFound):
            calendar.calendar_day_remove(city=home, actor=outsider, day=date(2026, 9, 3))
        with pytest.raises(NotFound):
            calendar.calendar_year_load(city=home, actor=outsider, year=2027)
    with pytest.raises(NotFound):
        calendar.calendar_day_set(city=home, actor=None, day=date(2026, 9, 4), kind=DayKind.HOLIDAY, name="x")
    assert list(CalendarDay.objects.filter(statutory=False).values_list("date", flat=True)) == [
        date(2026, 9, 3)
    ]


def test_a_local_holiday_moves_a_high_risk_disputes_mediation_deadline_too(home, configurer, city, people):
    from mediation import services as mediation
    from mediation.models import Case, CaseEvent
    from tests.mediation.factories import case

    with time_machine.travel(local(2026, 9, 1, 10), tick=False):
        dispute = case(city.grid_a1, actor=people.worker)
        mediation.case_grade(actor=people.worker, case=dispute, risk="HIGH", reasons="可能激化")
    dispute.refresh_from_db()
    assert dispute.due_at == local(2026, 9, 4, 10)  # 3 working days: Wed, Thu, Fri
    effects = calendar.calendar_change_preview(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    (disputes,) = [e for e in effects if e.name == "mediation"]
    assert disputes.count == 1 and disputes.sample[0].after == local(2026, 9, 7, 10)
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    dispute = Case.objects.get(pk=dispute.pk)
    assert dispute.due_at == local(2026, 9, 7, 10)  # Wed, Fri, Mon
    assert dispute.warn_at == workdays.warn_before(local(2026, 9, 1, 10), dispute.due_at)
    assert CaseEvent.objects.filter(case=dispute, action="reschedule").count() == 1


def test_a_make_up_day_shortens_a_resolution_in_progress(home, configurer, city, people):
    from deliberation import services as deliberation
    from deliberation.models import Resolution
    from tests.deliberation import factories as df

    now = local(2026, 9, 4, 10)  # a Friday
    with time_machine.travel(now, tick=False):
        vote = df.passed_vote(people, city, df.Place(city), now=now)
        resolution = deliberation.resolution_create(
            actor=people.gridhead,
            vote=vote,
            text="委托设计施工",
            owner=people.worker,
            working_days=2,
            now=now,
        )
    assert resolution.due_at == local(2026, 9, 8, 10)  # Mon, Tue
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 5), kind=DayKind.WORKDAY, name="调休上班"
    )
    resolution = Resolution.objects.get(pk=resolution.pk)
    assert resolution.due_at == local(2026, 9, 7, 10)  # Sat, Mon
    assert resolution.warn_at == workdays.warn_before(now, resolution.due_at)


# --- each city its own calendar -------------------------------------------------------------------


def test_a_citys_holiday_is_not_anothers_and_moves_only_its_own_deadlines(
    home, configurer, team, people, other_city
):
    mine = handling(team, people, local(2026, 9, 1, 10))  # due Thu 3 Sep 10:00, like the other city's
    effects = calendar.calendar_change_preview(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    (petitions,) = [e for e in effects if e.name == "petitions"]
    assert [m.label for m in petitions.sample] == [mine.tracking_code]
    with time_machine.travel(local(2026, 9, 2, 9), tick=False):
        _, moved = calendar.calendar_day_set(
            city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
        )
    assert moved["petitions"] == 1
    assert Petition.objects.get(pk=mine.pk).due_at == local(2026, 9, 4, 10)
    assert Petition.objects.get(pk=other_city.petition.pk).due_at == local(2026, 9, 3, 10)
    assert not workdays.is_working_day(date(2026, 9, 3), city=home.pk)
    assert workdays.is_working_day(date(2026, 9, 3), city=other_city.pk)
    assert workdays.add_working_days(local(2026, 9, 2, 10), 1, city=other_city.pk) == local(2026, 9, 3, 10)
    # The other city has not loaded 2026: it still follows the statutory calendar.
    assert not workdays.current(other_city.pk).is_loaded(2026) and workdays.current(home.pk).is_loaded(2026)
    assert [day["date"] for day in calendar.calendar_year(2026, city=other_city)] == sorted(
        workdays.statutory_year(2026)
    )
    assert "州庆" not in {day["name"] for day in calendar.calendar_year(2026, city=other_city)}


def test_one_citys_change_rebuilds_only_its_own_cached_calendar(home, configurer, other_city, monkeypatch):
    monkeypatch.setattr(workdays, "RECHECK_SECONDS", 0.0)
    theirs = workdays.current(other_city.pk)
    calendar.calendar_day_set(
        city=home, actor=configurer, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="州庆"
    )
    assert workdays.current(other_city.pk) is theirs  # the other city's version did not move
    assert not workdays.current(home.pk).is_working_day(date(2026, 9, 3))


def test_another_citys_people_do_not_find_the_calendar_and_may_not_change_it(home, configurer, other_city):
    from grids.models import PostKind
    from grids.services import post_assign
    from tests.factories import UserFactory

    their_admin = UserFactory(username="y_admin")
    post_assign(actor=SYSTEM, user=their_admin, kind=PostKind.ADMIN, node=other_city)
    assert calendar.calendar_city(their_admin) == other_city
    with pytest.raises(NotFound):
        calendar.calendar_city(their_admin, home.pk)
    with pytest.raises(NotFound):
        calendar.calendar_day_set(
            city=home, actor=their_admin, day=date(2026, 9, 3), kind=DayKind.HOLIDAY, name="x"
        )
    with pytest.raises(NotFound):
        calendar.calendar_year_load(city=home, actor=their_admin, year=2027)
    # ...and their own calendar is theirs to keep.
    calendar.calendar_day_set(
        city=other_city, actor=their_admin, day=date(2026, 9, 4), kind=DayKind.HOLIDAY, name="乙市节"
    )
    assert list(CalendarDay.objects.filter(statutory=False).values_list("city_id", "name")) == [
        (other_city.pk, "乙市节")
    ]
    with pytest.raises(NotFound):
        calendar.calendar_day_remove(city=other_city, actor=configurer, day=date(2026, 9, 4))
