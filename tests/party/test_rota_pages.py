"""The duty rota on pages: an official generates a month's rota over the windows and social
workers of their street, sees it by week, swaps, removes and adds shifts; the social worker on
window duty records a service (who came, what, outcome) on their phone page; window services
listed per window and day; social workers taken on and ended. Outsiders get 404 through pages
and services alike; the pages take the same queries at two data sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from party.models import DutyKind, DutyShift, ServiceOutcome, SocialWorker, WindowService
from party.services.windows import (
    duty_rota_generate,
    duty_shift_add,
    socialworker_create,
    socialworker_end,
    window_service_record,
)
from tests.party import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(city):
    window = pf.WindowFactory(node=city.street_a, code="TWA", name="甲街道综合窗口")
    items = [pf.ServiceItemFactory() for _ in range(3)]
    workers = [pf.social_worker(city.grid_a1 if i % 2 else city.grid_a2, items=items) for i in range(4)]
    far = pf.social_worker(city.grid_b1, items=items)
    return window, items, workers, far


def _next_month() -> datetime.date:
    today = timezone.localdate()
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
        assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def _on_duty_now(worker, window):
    now = timezone.now()
    return duty_shift_add(
        actor=SYSTEM,
        worker=worker,
        kind=DutyKind.WINDOW,
        window=window,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
    )


def test_an_official_generates_next_months_rota_over_their_street_only(client, desk, people):
    window, items, workers, far = desk
    client.force_login(people.official)
    month = _next_month()
    response = client.post("/party/rota/generate/", {"month": month.strftime("%Y-%m"), "per_window": "1"})
    assert response.status_code == 302
    shifts = DutyShift.objects.all()
    assert shifts.exists()
    assert not shifts.filter(worker=far).exists()  # grid B-1 is another street's
    assert {timezone.localtime(s.starts_at).date().replace(day=1) for s in shifts} == {month}
    per_day = {}
    for s in shifts.filter(kind=DutyKind.WINDOW):
        per_day.setdefault(s.starts_at, []).append(s.worker_id)
    assert all(len(v) == 1 for v in per_day.values())
    # the week shows who sits at the window
    first = min(timezone.localtime(s.starts_at).date() for s in shifts)
    page = client.get("/party/rota/", {"day": first.isoformat()}).content.decode()
    sitting = (
        shifts.filter(kind=DutyKind.WINDOW, starts_at__date=first).select_related("worker__user").first()
    )
    assert 'data-testid="rota-week"' in page and sitting.worker.user.display_name in page


def test_an_outsider_generates_nothing_and_gets_404_on_shifts_and_window_pages(client, desk, people):
    window, items, workers, far = desk
    duty_rota_generate(
        actor=SYSTEM, start=_next_month(), days=7, per_window=1, windows=[window], workers=workers
    )
    shift = DutyShift.objects.filter(kind=DutyKind.WINDOW).first()
    before = DutyShift.objects.count()
    client.force_login(people.outsider)
    client.post("/party/rota/generate/", {"month": _next_month().strftime("%Y-%m"), "per_window": "1"})
    assert DutyShift.objects.count() == before
    assert client.post(f"/party/rota/shifts/{shift.pk}/", {"action": "remove"}).status_code == 404
    assert client.get(f"/party/windows/{window.pk}/services/").status_code == 404
    assert str(shift.worker.user.display_name) not in client.get("/party/rota/").content.decode()
    with pytest.raises(NotFound):
        duty_rota_generate(actor=people.outsider, start=_next_month(), days=7, per_window=1, windows=[window])
    with pytest.raises(NotFound):  # the official of street A plans no grid duty in grid B-1
        duty_rota_generate(
            actor=people.official,
            start=_next_month(),
            days=7,
            per_window=1,
            windows=[window],
            workers=[*workers, far],
        )
    assert DutyShift.objects.count() == before


def test_the_official_swaps_a_window_shift_with_a_grid_shift_removes_and_adds_one(client, desk, people):
    window, items, workers, far = desk
    duty_rota_generate(
        actor=SYSTEM, start=_next_month(), days=7, per_window=1, windows=[window], workers=workers
    )
    sitting = DutyShift.objects.filter(kind=DutyKind.WINDOW).order_by("starts_at").first()
    in_grid = DutyShift.objects.filter(kind=DutyKind.GRID, starts_at=sitting.starts_at).first()
    a, b = sitting.worker_id, in_grid.worker_id
    client.force_login(people.official)
    client.post(f"/party/rota/shifts/{sitting.pk}/", {"action": "swap", "other": in_grid.pk})
    sitting.refresh_from_db()
    in_grid.refresh_from_db()
    assert (sitting.worker_id, in_grid.worker_id) == (b, a)
    assert in_grid.node_id == SocialWorker.objects.get(pk=a).grid_id
    client.post(f"/party/rota/shifts/{sitting.pk}/", {"action": "remove"})
    assert not DutyShift.objects.filter(pk=sitting.pk).exists()
    day = timezone.localtime(sitting.starts_at).date()
    client.post(
        "/party/rota/shifts/add/",
        {
            "worker": b,
            "kind": DutyKind.WINDOW,
            "window": window.pk,
            "day": day.isoformat(),
            "starts": "08:30",
            "ends": "12:00",
        },
    )
    assert DutyShift.objects.filter(worker_id=b, window=window, starts_at__date=day).count() == 1
    # an overlapping shift is refused and changes nothing
    count = DutyShift.objects.count()
    client.post(
        "/party/rota/shifts/add/",
        {"worker": b, "kind": DutyKind.GRID, "day": day.isoformat(), "starts": "09:00", "ends": "10:00"},
    )
    assert DutyShift.objects.count() == count


def test_the_social_worker_on_window_duty_records_a_service_on_their_phone_page(client, desk, people):
    window, items, workers, far = desk
    worker = workers[0]
    _on_duty_now(worker, window)
    client.force_login(worker.user)
    page = client.get("/party/my-duty/").content.decode()
    assert 'data-testid="window-service-form"' in page
    data = {
        "visitor_name": "李大爷",
        "item": items[1].pk,
        "minutes": "15",
        "outcome": ServiceOutcome.REFERRED,
        "notes": "转民政",
    }
    assert client.post("/party/my-duty/", data).status_code == 302
    service = WindowService.objects.get()
    assert (service.visitor_name, service.item_id, service.outcome, service.worker_id, service.window_id) == (
        "李大爷",
        items[1].pk,
        ServiceOutcome.REFERRED,
        worker.user_id,
        window.pk,
    )
    # bad input changes nothing
    client.post("/party/my-duty/", {**data, "outcome": "NOPE"})
    client.post("/party/my-duty/", {**data, "minutes": "0"})
    assert WindowService.objects.count() == 1
    # listed at the window for the day, for the staff over it
    client.force_login(people.official)
    listed = client.get(f"/party/windows/{window.pk}/services/").content.decode()
    assert "李大爷" in listed and str(ServiceOutcome.REFERRED.label) in listed


def test_a_social_worker_not_on_window_duty_records_nothing(client, desk):
    window, items, workers, far = desk
    client.force_login(workers[1].user)
    page = client.get("/party/my-duty/").content.decode()
    assert 'data-testid="not-on-window-duty"' in page
    client.post("/party/my-duty/", {"item": items[0].pk, "minutes": "10", "outcome": ServiceOutcome.DONE})
    assert not WindowService.objects.exists()
    with pytest.raises(InvalidInput):
        window_service_record(actor=workers[1].user, window=window, item=items[0], minutes=10)


def test_someone_who_is_not_a_social_worker_gets_404_on_my_duty(client, people):
    client.force_login(people.worker)
    assert client.get("/party/my-duty/").status_code == 404


def test_an_official_takes_on_and_ends_a_social_worker(client, city, people, desk):
    window, items, workers, far = desk
    client.force_login(people.official)
    response = client.post(
        "/party/social-workers/new/",
        {"username": "sw-new", "name": "新社工", "grid": city.grid_a1.pk, "items": [items[0].pk]},
    )
    assert 'data-testid="social-worker-created"' in response.content.decode()
    worker = SocialWorker.objects.get(user__username="sw-new")
    assert list(worker.items.all()) == [items[0]] and worker.grid == city.grid_a1
    future = duty_shift_add(
        actor=SYSTEM,
        worker=worker,
        kind=DutyKind.GRID,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=8),
    )
    client.post(f"/party/social-workers/{worker.pk}/edit/", {"action": "end"})
    worker.refresh_from_db()
    assert not worker.is_active and not worker.user.is_active
    assert not DutyShift.objects.filter(pk=future.pk).exists()
    with pytest.raises(NotFound):
        socialworker_create(actor=people.outsider, username="x", name="x", grid=city.grid_a1)
    with pytest.raises(NotFound):
        socialworker_end(actor=people.outsider, worker=workers[0])
    client.force_login(people.outsider)
    assert client.post(f"/party/social-workers/{workers[0].pk}/edit/", {"action": "end"}).status_code == 404


def test_the_rota_page_takes_the_same_queries_at_two_sizes(client, city, people):
    window = pf.WindowFactory(node=city.street_a)
    items = [pf.ServiceItemFactory()]
    client.force_login(people.official)
    monday = _next_month()

    def grow(n):
        workers = [pf.social_worker(city.grid_a1, items=items) for _ in range(n)]
        duty_rota_generate(
            actor=SYSTEM, start=monday, days=7, per_window=1, windows=[window], workers=workers
        )

    grow(2)
    small = _queries(lambda: client.get("/party/rota/", {"day": monday.isoformat()}))
    grow(6)
    large = _queries(lambda: client.get("/party/rota/", {"day": monday.isoformat()}))
    assert small == large


def test_the_window_services_and_my_duty_pages_take_the_same_queries_at_two_sizes(client, desk, people):
    window, items, workers, far = desk
    worker = workers[0]
    _on_duty_now(worker, window)

    def serve(n):
        for _ in range(n):
            window_service_record(
                actor=worker.user, window=window, item=items[0], minutes=5, visitor_name="王"
            )

    serve(1)
    client.force_login(people.official)
    small = _queries(lambda: client.get(f"/party/windows/{window.pk}/services/"))
    client.force_login(worker.user)
    small_mine = _queries(lambda: client.get("/party/my-duty/"))
    serve(7)
    client.force_login(people.official)
    large = _queries(lambda: client.get(f"/party/windows/{window.pk}/services/"))
    client.force_login(worker.user)
    large_mine = _queries(lambda: client.get("/party/my-duty/"))
    assert (small, small_mine) == (large, large_mine)
