"""General social workers at the comprehensive windows: qualifications, the rotation, who can
serve an item at a window at a time, and the services recorded for the evaluation."""

import datetime

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.errors import Forbidden, InvalidInput
from party import selectors
from party.models import DutyKind, DutyShift, WindowService
from party.services.windows import duty_rota_generate, duty_shift_add, window_service_record
from tests.party import factories as pf

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
MONDAY = datetime.date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: datetime.date = MONDAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


@pytest.fixture
def desk(city):
    items = [pf.ServiceItemFactory(name=n) for n in ("低保申请", "残疾人证办理", "医保参保")]
    window = pf.WindowFactory(node=city.street_a, name="甲街道综合窗口")
    li = pf.social_worker(city.grid_a1, items=items, username="sw_li")
    wang = pf.social_worker(city.grid_a2, items=items[:1], username="sw_wang")
    return window, items, li, wang


def test_who_is_on_duty_at_a_window_and_may_serve_an_item(desk):
    window, items, li, wang = desk
    duty_shift_add(
        actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(12)
    )
    duty_shift_add(
        actor=SYSTEM, worker=wang, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(17)
    )
    assert list(selectors.on_duty(window=window, at=at(10), item=items[0])) == [li, wang]
    assert list(selectors.on_duty(window=window, at=at(10), item=items[1])) == [li]
    assert list(selectors.on_duty(window=window, at=at(14), item=items[1])) == []
    assert selectors.uncovered_items(window=window, at=at(14)) == items[1:]
    assert selectors.uncovered_items(window=window, at=at(10)) == []


def test_a_worker_is_in_one_place_at_a_time(desk):
    window, _, li, _ = desk
    duty_shift_add(
        actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(12)
    )
    with pytest.raises(InvalidInput) as exc:
        duty_shift_add(actor=SYSTEM, worker=li, kind=DutyKind.GRID, starts_at=at(11), ends_at=at(15))
    assert "starts_at" in exc.value.errors
    grid_duty = duty_shift_add(actor=SYSTEM, worker=li, kind=DutyKind.GRID, starts_at=at(12), ends_at=at(17))
    assert grid_duty.node == li.grid


def test_window_duty_names_a_window_and_grid_duty_does_not(desk):
    window, _, li, _ = desk
    with pytest.raises(InvalidInput):
        duty_shift_add(actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, starts_at=at(8), ends_at=at(9))
    with pytest.raises(InvalidInput):
        duty_shift_add(
            actor=SYSTEM, worker=li, kind=DutyKind.GRID, window=window, starts_at=at(8), ends_at=at(9)
        )


def test_the_rotation_seats_workers_in_turn_on_working_days_and_sends_the_rest_to_their_grids(desk, city):
    window, items, li, wang = desk
    zhao = pf.social_worker(city.grid_b1, items=items, username="sw_zhao")
    shifts = duty_rota_generate(actor=SYSTEM, start=MONDAY, days=7, per_window=1, windows=[window])
    by_day = {}
    for shift in shifts:
        by_day.setdefault(shift.starts_at.astimezone(TZ).date(), []).append(shift)
    assert len(by_day) == 5  # Saturday and Sunday are off
    seated = [next(s.worker for s in day if s.kind == DutyKind.WINDOW) for _, day in sorted(by_day.items())]
    assert seated == [li, wang, zhao, li, wang]
    monday = by_day[MONDAY]
    assert {(s.worker_id, s.kind) for s in monday} == {
        (li.pk, DutyKind.WINDOW),
        (wang.pk, DutyKind.GRID),
        (zhao.pk, DutyKind.GRID),
    }
    assert {s.node_id for s in monday if s.kind == DutyKind.GRID} == {wang.grid_id, zhao.grid_id}
    again = duty_rota_generate(actor=SYSTEM, start=MONDAY, days=7, per_window=1, windows=[window])
    assert again == [] and DutyShift.objects.count() == len(shifts)  # days already planned are left alone
    with pytest.raises(InvalidInput):
        duty_rota_generate(actor=SYSTEM, start=MONDAY, days=1, per_window=4, windows=[window])


def test_the_worker_on_duty_records_a_service_that_counts_for_the_evaluation(desk):
    window, items, li, wang = desk
    duty_shift_add(
        actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(12)
    )
    service = window_service_record(actor=li.user, window=window, item=items[1], served_at=at(9), minutes=12)
    assert (service.worker, service.node, service.minutes) == (li.user, window.node, 12)
    counts = selectors.window_service_counts(start=at(0), end=at(23))
    assert counts == {li.user.pk: 1}


def test_a_service_is_refused_off_duty_unqualified_or_by_someone_who_is_not_a_social_worker(desk, people):
    window, items, li, wang = desk
    duty_shift_add(
        actor=SYSTEM, worker=wang, kind=DutyKind.WINDOW, window=window, starts_at=at(8), ends_at=at(12)
    )
    with pytest.raises(InvalidInput) as exc:
        window_service_record(actor=wang.user, window=window, item=items[1], served_at=at(9), minutes=5)
    assert "item" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        window_service_record(actor=wang.user, window=window, item=items[0], served_at=at(13), minutes=5)
    assert "window" in exc.value.errors
    with pytest.raises(Forbidden):
        window_service_record(actor=people.worker, window=window, item=items[0], served_at=at(9), minutes=5)
    with pytest.raises(InvalidInput) as exc:
        window_service_record(actor=wang.user, window=window, item=items[0], served_at=at(9), minutes=0)
    assert "minutes" in exc.value.errors
    assert not WindowService.objects.exists()


def test_the_on_duty_api_answers_for_a_window_within_scope_and_404_outside(desk, people, api_client, city):
    window, items, li, _ = desk
    duty_shift_add(
        actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(12)
    )
    api_client.force_authenticate(people.official)
    url = f"/api/v1/party/windows/{window.pk}/on-duty/"
    response = api_client.get(url, {"at": at(10).isoformat(), "item": items[2].pk})
    assert response.status_code == 200
    assert [w["user"] for w in response.json()] == [li.user.pk]
    api_client.force_authenticate(people.outsider)
    assert api_client.get(url).status_code == 404


def test_the_roster_page_shows_window_and_grid_duty_and_answers_who_can_serve(desk, people, client):
    window, items, li, wang = desk
    duty_shift_add(
        actor=SYSTEM, worker=li, kind=DutyKind.WINDOW, window=window, starts_at=at(8, 30), ends_at=at(12)
    )
    duty_shift_add(actor=SYSTEM, worker=wang, kind=DutyKind.GRID, starts_at=at(8, 30), ends_at=at(12))
    client.force_login(people.official)
    response = client.get(
        "/party/windows/",
        {"day": "2026-11-23", "window": window.pk, "item": items[1].pk, "at": "2026-11-23T09:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert li.user.display_name in html and wang.user.display_name in html
    assert 'data-testid="on-duty-answer"' in html
