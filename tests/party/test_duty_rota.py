"""The duty rota generator (轮岗): working days only, window days spread fairly, nobody booked
twice, and the swap of a window shift with a grid shift."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from party.models import DutyKind, DutyShift
from party.services.windows import duty_rota_generate, duty_shift_add, duty_shift_swap
from tests.party import factories as pf

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


@pytest.fixture
def staff(city):
    windows = [pf.WindowFactory(node=city.street_a, code=f"TW{i}") for i in range(2)]
    workers = [pf.social_worker(city.grid_a1 if i % 2 else city.grid_a2) for i in range(7)]
    return windows, workers


def test_the_rota_skips_holidays_and_weekends(staff):
    windows, workers = staff
    # 2026-09-28 (Mon) .. 2026-10-11: National Day 10-01..07 off, Sunday 09-27 none, Saturday 10-10 worked
    duty_rota_generate(actor=SYSTEM, start=datetime.date(2026, 9, 28), days=14, per_window=1, windows=windows)
    days = sorted({timezone.localtime(s.starts_at).date() for s in DutyShift.objects.all()})
    assert days == [
        datetime.date(2026, 9, 28),
        datetime.date(2026, 9, 29),
        datetime.date(2026, 9, 30),
        datetime.date(2026, 10, 8),
        datetime.date(2026, 10, 9),
        datetime.date(2026, 10, 10),
    ]


def test_window_days_are_spread_evenly_and_everyone_else_is_in_their_grid(staff):
    windows, workers = staff
    duty_rota_generate(actor=SYSTEM, start=datetime.date(2026, 11, 2), days=28, per_window=1, windows=windows)
    window_days = Counter(DutyShift.objects.filter(kind=DutyKind.WINDOW).values_list("worker_id", flat=True))
    assert sum(window_days.values()) == 20 * 2
    assert max(window_days.values()) - min(window_days.values()) <= 1
    assert len(window_days) == 7
    per_day = Counter(DutyShift.objects.values_list("starts_at", flat=True))
    assert set(per_day.values()) == {7}
    for shift in DutyShift.objects.filter(kind=DutyKind.GRID).select_related("worker"):
        assert shift.node_id == shift.worker.grid_id


def test_a_worker_already_on_the_rota_is_not_booked_twice(staff):
    windows, workers = staff
    day = datetime.date(2026, 11, 2)
    duty_shift_add(
        actor=SYSTEM,
        worker=workers[0],
        kind=DutyKind.GRID,
        starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=TZ),
        ends_at=datetime.datetime.combine(day, datetime.time(11), tzinfo=TZ),
    )
    duty_rota_generate(actor=SYSTEM, start=day, days=1, per_window=1, windows=windows)
    assert DutyShift.objects.filter(worker=workers[0]).count() == 1
    assert DutyShift.objects.count() == 7
    again = duty_rota_generate(actor=SYSTEM, start=day, days=1, per_window=1, windows=windows)
    assert again == []


def test_a_window_shift_is_swapped_with_a_grid_shift(staff, people):
    windows, workers = staff
    duty_rota_generate(actor=SYSTEM, start=datetime.date(2026, 11, 2), days=1, per_window=1, windows=windows)
    at_window = DutyShift.objects.filter(kind=DutyKind.WINDOW).first()
    in_grid = DutyShift.objects.filter(kind=DutyKind.GRID).first()
    a, b = at_window.worker, in_grid.worker
    with pytest.raises(NotFound):
        duty_shift_swap(actor=people.outsider, shift=at_window, other=in_grid)
    duty_shift_swap(actor=people.official, shift=at_window, other=in_grid)
    at_window.refresh_from_db()
    in_grid.refresh_from_db()
    assert (at_window.worker, in_grid.worker) == (b, a)
    assert in_grid.node_id == a.grid_id
    later = DutyShift.objects.create(
        worker=workers[0],
        kind=DutyKind.GRID,
        node_id=workers[0].grid_id,
        starts_at=in_grid.starts_at + datetime.timedelta(days=1),
        ends_at=in_grid.ends_at + datetime.timedelta(days=1),
    )
    with pytest.raises(InvalidInput, match="same time"):
        duty_shift_swap(actor=people.official, shift=at_window, other=later)
