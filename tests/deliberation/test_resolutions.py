"""Resolutions: for a passed vote, with an owner and a deadline in working days; only the owner
closes one; the yellow/red clocks of petitions, swept with a frozen clock; published to the
node's board."""

import datetime

import pytest
import time_machine

from deliberation import services
from deliberation.models import Notice, NoticeKind, Resolution, ResolutionStatus
from deliberation.sweep import sweep
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.lights import Light
from hlgrid.sweeps import registered_sweepers
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db

# Monday 1 June 2026, 10:00 in Helong
NOW = datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def place(city):
    return df.Place(city)


@pytest.fixture
def vote(city, people, place):
    with time_machine.travel(NOW, tick=False):
        return df.passed_vote(people, city, place, now=NOW)


@pytest.fixture
def resolution(vote, people):
    with time_machine.travel(NOW, tick=False):
        return services.resolution_create(
            actor=people.gridhead,
            vote=vote,
            text="委托设计施工",
            owner=people.worker,
            working_days=4,
            now=NOW,
        )


def test_the_deadline_counts_working_days_and_warns_in_the_last_quarter(resolution):
    # Mon 1 June + 4 working days = Fri 5 June, same clock time; the warning a quarter before
    assert resolution.due_at == datetime.datetime(2026, 6, 5, 2, 0, tzinfo=datetime.UTC)
    assert resolution.warn_at == resolution.due_at - (resolution.due_at - NOW) / 4
    assert resolution.light == Light.GREEN


def test_the_dragon_boat_holiday_is_not_a_working_day(vote, people):
    # 19 June 2026 (Friday) is 端午节: 3 working days after Thu 18 June: 22, 23, 24 June
    start = datetime.datetime(2026, 6, 18, 2, 0, tzinfo=datetime.UTC)
    found = services.resolution_create(
        actor=people.gridhead, vote=vote, text="施工", owner=people.worker, working_days=3, now=start
    )
    assert found.due_at.date() == datetime.date(2026, 6, 24)


def test_only_a_passed_vote_has_resolutions_and_the_owner_holds_a_post_over_the_node(
    city, people, place, vote
):
    with pytest.raises(InvalidInput) as foreign_owner:
        services.resolution_create(
            actor=people.gridhead, vote=vote, text="施工", owner=people.outsider, working_days=5
        )
    assert "owner" in foreign_owner.value.errors
    with pytest.raises(InvalidInput):
        services.resolution_create(
            actor=people.gridhead, vote=vote, text="施工", owner=people.worker, working_days=0
        )
    topic = df.topic(people, city, title="停车")
    meeting = df.meeting(people, city, [topic])
    open_vote = df.household_vote(people, meeting, topic)
    with pytest.raises(TransitionNotAllowed):
        services.resolution_create(
            actor=people.gridhead, vote=open_vote, text="施工", owner=people.worker, working_days=5
        )
    assert not Resolution.objects.exists()


def test_a_resolution_closed_by_someone_who_does_not_own_it_is_refused(resolution, people):
    with pytest.raises(Forbidden):
        services.resolution_close(actor=people.gridhead, resolution=resolution, note="已完成")
    with pytest.raises(NotFound):
        services.resolution_close(actor=people.outsider, resolution=resolution, note="已完成")
    assert Resolution.objects.get(pk=resolution.pk).status == ResolutionStatus.OPEN
    with pytest.raises(InvalidInput):
        services.resolution_close(actor=people.worker, resolution=resolution, note="")
    done = services.resolution_close(actor=people.worker, resolution=resolution, note="电梯已安装验收")
    assert (done.status, done.done_note) == (ResolutionStatus.DONE, "电梯已安装验收")
    with pytest.raises(TransitionNotAllowed):
        services.resolution_close(actor=people.worker, resolution=resolution, note="再次")


def test_the_sweeper_is_registered():
    assert registered_sweepers()["deliberation"] is sweep


def test_the_clock_turns_yellow_then_red_and_the_owner_and_the_head_are_told_once(resolution, people):
    yellow_at = resolution.warn_at + datetime.timedelta(minutes=1)
    with time_machine.travel(yellow_at, tick=False):
        counts = sweep(now=yellow_at)
    assert counts["yellow"] == 1 and counts["red"] == 0
    assert Resolution.objects.get(pk=resolution.pk).light == Light.YELLOW
    assert list(Notice.objects.values_list("recipient_id", "kind")) == [(people.worker.pk, NoticeKind.YELLOW)]
    assert sweep(now=yellow_at + datetime.timedelta(minutes=1))["yellow"] == 0

    red_at = resolution.due_at
    counts = sweep(now=red_at)
    assert counts["red"] == 1
    assert Resolution.objects.get(pk=resolution.pk).light == Light.RED
    red = set(Notice.objects.filter(kind=NoticeKind.RED).values_list("recipient_id", flat=True))
    assert red == {people.worker.pk, people.gridhead.pk}
    assert sweep(now=red_at + datetime.timedelta(minutes=5))["red"] == 0
    assert Notice.objects.count() == 3


def test_a_done_resolution_stops_its_clock(resolution, people):
    services.resolution_close(actor=people.worker, resolution=resolution, note="完成")
    assert sweep(now=resolution.due_at + datetime.timedelta(days=1))["red"] == 0
    assert Resolution.objects.get(pk=resolution.pk).light == Light.GREEN


def test_pages_show_the_light_from_the_clock_even_before_a_sweep(resolution, people, client):
    client.force_login(people.gridhead)
    with time_machine.travel(resolution.due_at + datetime.timedelta(hours=1), tick=False):
        page = client.get(f"/deliberation/resolutions/{resolution.pk}/").content.decode()
    assert 'text-bg-danger" data-testid="light"' in page


def test_publishing_puts_the_resolution_on_the_nodes_board(resolution, people, city, client):
    with pytest.raises(Forbidden):
        services.resolution_publish(actor=people.worker, resolution=resolution)
    assert "委托设计施工" not in client.get(f"/deliberation/public/board/{city.grid_a1.pk}/").content.decode()
    services.resolution_publish(actor=people.gridhead, resolution=resolution)
    board = client.get(f"/deliberation/public/board/{city.grid_a1.pk}/").content.decode()
    assert "委托设计施工" in board
    assert client.get(f"/deliberation/public/board/{city.street_a.pk}/").status_code == 404


def test_the_sweep_runs_a_fixed_number_of_queries_however_many_resolutions_turn(vote, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(n):
        return [
            services.resolution_create(
                actor=people.gridhead,
                vote=vote,
                text=f"决议{i}",
                owner=people.worker,
                working_days=2,
                now=NOW,
            )
            for i in range(n)
        ]

    def queries(at) -> int:
        with CaptureQueriesContext(connection) as ctx:
            sweep(now=at)
        return len(ctx.captured_queries)

    first = make(1)[0]
    small = queries(first.due_at)
    Resolution.objects.all().delete()
    Notice.objects.all().delete()
    many = make(6)
    large = queries(many[0].due_at)
    assert small == large
    assert Notice.objects.filter(kind=NoticeKind.RED).count() == 6 * 2  # owner and grid head each


def test_residents_find_their_grids_board_from_the_lookup_page(city, client):
    page = client.get("/deliberation/public/track/").content.decode()
    for grid in city.grids:
        assert f'href="/deliberation/public/board/{grid.pk}/"' in page


def test_the_owners_menu_shows_its_unread_notices(resolution, people, client):
    client.force_login(people.worker)
    assert 'data-testid="deliberation-unread"' not in client.get("/me/").content.decode()
    yellow_at = resolution.warn_at + datetime.timedelta(minutes=1)
    sweep(now=yellow_at)
    html = client.get("/me/").content.decode()
    assert 'data-testid="deliberation-unread">1<' in html
    Notice.objects.update(read_at=yellow_at)
    assert 'data-testid="deliberation-unread"' not in client.get("/me/").content.decode()
