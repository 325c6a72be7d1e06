import datetime
import zoneinfo

import pytest
import time_machine

from hlgrid import lights
from hlgrid.lights import Light
from residents import keypeople, selectors, services
from residents.models import KeyMembership, VisitKind
from tests.residents import factories

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def light_of(membership, user=None):
    """The light as the pages compute it (SQL) and as Python computes it; they must agree."""
    membership.refresh_from_db()
    python = lights.light_on(due_on=membership.next_visit_due, warn_from=membership.warn_from)
    sql = (
        KeyMembership.objects.filter(pk=membership.pk)
        .annotate(light=lights.light_on_expression())
        .get()
        .light
    )
    assert python == sql
    return python


def test_the_last_quarter_of_the_interval_starts_the_yellow_light():
    day = datetime.date(2026, 1, 1)
    assert keypeople.due_dates(visited_on=day, interval_days=7) == (
        datetime.date(2026, 1, 8),
        datetime.date(2026, 1, 7),
    )
    assert keypeople.due_dates(visited_on=day, interval_days=30) == (
        datetime.date(2026, 1, 31),
        datetime.date(2026, 1, 24),
    )
    assert lights.light_on(due_on=datetime.date(2026, 1, 8), warn_from=datetime.date(2026, 1, 7), on=day) == (
        Light.GREEN
    )


def test_a_key_persons_light_goes_green_yellow_red_as_days_pass_and_a_visit_turns_it_green(city, people):
    start = datetime.date(2026, 3, 2)
    with time_machine.travel(at(start), tick=False):
        home = factories.household(city.grid_a1)
        group = factories.group("重病患者")
        group.visit_interval_days = 28
        group.save()
        person, membership = factories.key_person(home, group_name="重病患者", since=start)
        assert membership.next_visit_due == start + datetime.timedelta(days=28)
        assert light_of(membership) == Light.GREEN

    with time_machine.travel(at(start + datetime.timedelta(days=20)), tick=False):
        assert light_of(membership) == Light.GREEN
    with time_machine.travel(at(start + datetime.timedelta(days=21)), tick=False):
        assert light_of(membership) == Light.YELLOW
    with time_machine.travel(at(start + datetime.timedelta(days=28), hour=23), tick=False):
        assert light_of(membership) == Light.YELLOW  # due today: not yet late
    day_29 = start + datetime.timedelta(days=29)
    with time_machine.travel(at(day_29), tick=False):
        assert light_of(membership) == Light.RED
        assert [m.pk for m in selectors.my_day(user=people.worker).due] == [membership.pk]
        services.visit_log(
            actor=people.worker, household=home, kind=VisitKind.KEY_PERSON, people_seen=[person]
        )
        assert light_of(membership) == Light.GREEN
        membership.refresh_from_db()
        assert membership.next_visit_due == day_29 + datetime.timedelta(days=28)
        assert selectors.my_day(user=people.worker).due == []


def test_a_visit_late_in_the_evening_counts_for_that_day_in_shanghai(city, people):
    home = factories.household(city.grid_a1)
    with time_machine.travel(at(datetime.date(2026, 5, 1)), tick=False):
        _, membership = factories.key_person(home, group_name="独居/空巢老人")
    late = datetime.datetime(2026, 5, 3, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    with time_machine.travel(late, tick=False):
        services.visit_log(actor=people.worker, household=home)
    membership.refresh_from_db()
    assert membership.next_visit_due == datetime.date(2026, 5, 10)


def test_a_back_dated_visit_does_not_move_a_later_due_date(city, people):
    home = factories.household(city.grid_a1)
    with time_machine.travel(at(datetime.date(2026, 5, 10)), tick=False):
        _, membership = factories.key_person(home, group_name="困难家庭")
        services.visit_log(actor=people.worker, household=home)
        membership.refresh_from_db()
        due = membership.next_visit_due
        services.visit_log(actor=people.worker, household=home, visited_at=at(datetime.date(2026, 5, 2)))
    membership.refresh_from_db()
    assert membership.next_visit_due == due == datetime.date(2026, 6, 9)


def test_my_day_lists_red_before_yellow(city, people):
    home = factories.household(city.grid_a1)
    start = datetime.date(2026, 1, 5)
    with time_machine.travel(at(start), tick=False):
        _, weekly = factories.key_person(home, group_name="重病患者", name="甲")  # 7 days
        _, monthly = factories.key_person(home, group_name="困难家庭", name="乙")  # 30 days
    with time_machine.travel(at(start + datetime.timedelta(days=28)), tick=False):
        day = selectors.my_day(user=people.worker)
        assert [(m.pk, m.light) for m in day.due] == [(weekly.pk, Light.RED), (monthly.pk, Light.YELLOW)]
        assert (day.due_count, day.red_count) == (2, 1)
        assert selectors.my_day(user=people.outsider).due == []


def test_my_day_counts_the_whole_list_or_asks_when_it_is_cut(city, people, monkeypatch):
    """Counted from the list when all of it is shown, by an aggregate when the list is cut:
    the same figures either way."""
    home = factories.household(city.grid_a1)
    start = datetime.date(2026, 1, 5)
    with time_machine.travel(at(start), tick=False):
        for name in ("甲", "乙", "丙"):
            factories.key_person(home, group_name="重病患者", name=name)  # 7 days
        factories.key_person(home, group_name="困难家庭", name="丁")  # 30 days
    with time_machine.travel(at(start + datetime.timedelta(days=28)), tick=False):
        whole = selectors.my_day(user=people.worker)
        monkeypatch.setattr(selectors, "MY_DAY_LIMIT", 2)
        cut = selectors.my_day(user=people.worker)
    assert (whole.due_count, whole.red_count, len(whole.due)) == (4, 3, 4)
    assert (cut.due_count, cut.red_count, len(cut.due)) == (4, 3, 2)
