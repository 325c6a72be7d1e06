"""Deadlines in working days follow China's calendar: statutory holidays and make-up days (调休)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hlgrid.lights import light_at as compute_light
from petitions import timers
from petitions.models import Light, LimitUnit, Status
from petitions.services import petition_classify, petition_verify
from tests.petitions.factories import CategoryFactory, report

# The timers read the office's working calendar (hlgrid.workdays), kept in the database.
pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_the_make_up_sunday_before_national_day_2025_is_a_working_day():
    assert timers.is_working_day(local(2025, 9, 28).date(), city=None)  # Sunday, 调休
    assert not timers.is_working_day(local(2025, 9, 27).date(), city=None)  # an ordinary Saturday
    assert not any(timers.is_working_day(local(2025, 10, d).date(), city=None) for d in range(1, 9))
    assert timers.is_working_day(local(2025, 10, 11).date(), city=None)  # Saturday, 调休


def test_three_working_days_from_a_friday_count_the_make_up_sunday():
    # Fri 26 Sep → Sun 28 (make-up), Mon 29, Tue 30.
    assert timers.add_working_days(local(2025, 9, 26, 10, 0), 3, city=None) == local(2025, 9, 30, 10, 0)


def test_working_days_skip_the_whole_national_day_holiday():
    # Tue 30 Sep + 1 → Thu 9 Oct (1–8 Oct are days off); + 3 → Sat 11 Oct (make-up day).
    assert timers.add_working_days(local(2025, 9, 30, 16, 30), 1, city=None) == local(2025, 10, 9, 16, 30)
    assert timers.add_working_days(local(2025, 9, 30, 16, 30), 3, city=None) == local(2025, 10, 11, 16, 30)


def test_hour_limits_run_through_holidays():
    start = local(2025, 10, 1, 9, 0)
    assert timers.due_after(start, 48, LimitUnit.HOURS, city=None) == start + timedelta(hours=48)


def test_the_warning_starts_with_the_last_quarter_of_the_step():
    start = local(2025, 9, 26, 10, 0)
    assert timers.warn_before(start, start + timedelta(hours=8)) == start + timedelta(hours=6)


@pytest.mark.django_db
def test_a_petition_classified_before_national_day_is_due_on_the_right_day_with_a_frozen_clock(
    city, people, team
):
    category = CategoryFactory(code="T5", handle_limit=5, handle_unit=LimitUnit.WORKDAYS)
    with time_machine.travel(local(2025, 9, 26, 9, 0), tick=False):
        petition = report(category=category)
        petition_verify(actor=people.worker, petition=petition)
        petition = petition_classify(
            actor=people.worker, petition=petition, category=category, assignee=people.worker
        )
    # 5 working days from Fri 26 Sep: Sun 28, Mon 29, Tue 30, Thu 9 Oct, Fri 10 Oct.
    assert petition.status == Status.HANDLING
    assert petition.due_at.astimezone(SH) == local(2025, 10, 10, 9, 0)
    assert petition.handle_due_at == petition.due_at
    with time_machine.travel(local(2025, 10, 8, 9, 0), tick=False):
        assert compute_light(
            due_at=petition.due_at, warn_at=petition.warn_at, stored="", now=local(2025, 10, 8, 9)
        )
    assert (
        compute_light(
            due_at=petition.due_at, warn_at=petition.warn_at, stored="", now=local(2025, 10, 10, 9, 0)
        )
        == Light.RED
    )
    assert (
        compute_light(
            due_at=petition.due_at, warn_at=petition.warn_at, stored="", now=local(2025, 9, 29, 9, 0)
        )
        == Light.GREEN
    )
