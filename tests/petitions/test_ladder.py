"""The escalation ladder: a red petition climbs one level per interval of working hours."""

from datetime import datetime, timedelta

import pytest
import time_machine

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.workdays import LOCAL
from petitions import services
from petitions.ladder import climb_cutoff
from petitions.models import Light, Notification, NotificationKind, Petition, PetitionEvent, Rung, Status
from petitions.sweep import sweep
from tests.factories import UserFactory
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 11:00 in Helong: the petition turns red.
RED_AT = datetime(2026, 3, 6, 11, 0, tzinfo=LOCAL)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LOCAL)


def swept(now):
    with time_machine.travel(now, tick=False):
        return sweep(now=now)


@pytest.fixture
def red(city, people, team, settings):
    settings.LADDER_INTERVAL_HOURS = 8
    settings.LADDER_OFFICE_HOURS = ((8, 30), (17, 30))
    start = RED_AT - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        petition = report(category=team.category, now=start)
        services.petition_verify(actor=people.worker, petition=petition, now=start)
        petition = services.petition_classify(
            actor=people.worker, petition=petition, category=team.category, assignee=people.worker, now=start
        )
    assert petition.due_at < RED_AT
    assert swept(RED_AT)["red"] == 1
    petition.refresh_from_db()
    assert (petition.light, petition.rung) == (Light.RED, Rung.GRID)
    return petition


def test_the_cutoff_counts_office_hours_of_working_days_only(settings):
    settings.LADDER_OFFICE_HOURS = ((8, 30), (17, 30))
    # Monday 10:00 less 8 working hours: 1.5 h on Monday, 6.5 h on Friday (the weekend skipped).
    assert climb_cutoff(at(9, 10), 8, city=None) == at(6, 11)
    # Saturday evening: nothing worked since Friday's close.
    assert climb_cutoff(at(7, 20), 8, city=None) == at(6, 9, 30)
    # Before Monday's opening, the same as at Friday's close.
    assert climb_cutoff(at(9, 7), 2, city=None) == at(6, 15, 30)


def test_it_climbs_one_level_per_interval_of_working_hours_and_notifies_each_level_once(red, city, team):
    city_head = UserFactory(username="p_cityofficial")
    post_assign(actor=SYSTEM, user=city_head, kind=PostKind.OFFICIAL, node=city.city)
    climbed = Notification.objects.filter(kind=NotificationKind.CLIMBED)

    # Over the weekend no working hour passes: at Monday 9:59 only 7 h 59 min have.
    assert swept(at(9, 9, 59))["climbed"] == 0
    assert swept(at(9, 10))["climbed"] == 1
    red.refresh_from_db()
    assert (red.rung, red.rung_changed_at) == (Rung.COMMUNITY, at(9, 10))
    assert list(climbed.values_list("recipient", flat=True)) == [team.community_head.pk]

    # The same moment again (a second sweep) and half an hour later: no double climb.
    assert swept(at(9, 10))["climbed"] == 0
    assert swept(at(9, 10, 30))["climbed"] == 0
    assert climbed.count() == 1

    # Monday 10:00 + 8 working hours = Tuesday 9:00 (7.5 h on Monday, 0.5 h on Tuesday).
    assert swept(at(10, 8, 59))["climbed"] == 0
    assert swept(at(10, 9))["climbed"] == 1
    red.refresh_from_db()
    assert red.rung == Rung.STREET
    assert climbed.filter(recipient=team.street_head).count() == 1

    assert swept(at(10, 17))["climbed"] == 1
    red.refresh_from_db()
    assert red.rung == Rung.CITY
    assert climbed.filter(recipient=city_head).count() == 1

    # The top of the ladder: it stays there, nobody is told again.
    assert swept(at(20, 17))["climbed"] == 0
    assert climbed.count() == 3
    events = PetitionEvent.objects.filter(petition=red, action="climb")
    assert list(events.values_list("note", "at")) == [
        (Rung.COMMUNITY, at(9, 10)),
        (Rung.STREET, at(10, 9)),
        (Rung.CITY, at(10, 17)),
    ]


def test_a_paused_petition_does_not_climb(red, people):
    with time_machine.travel(RED_AT, tick=False):
        petition, _ = services.petition_pause(
            actor=people.worker, petition=red, reason="等待配件", now=RED_AT
        )
        petition, _ = services.petition_pause(actor=people.gridhead, petition=petition, now=RED_AT)
    assert petition.status == Status.PAUSED
    assert swept(at(20, 17))["climbed"] == 0
    petition.refresh_from_db()
    assert petition.rung == Rung.GRID
    assert not PetitionEvent.objects.filter(petition=petition, action="climb").exists()


def test_a_petition_that_is_no_longer_red_does_not_climb(red, people):
    Petition.objects.filter(pk=red.pk).update(light=Light.YELLOW)
    assert swept(at(9, 10))["climbed"] == 0


def test_the_detail_page_and_the_api_show_the_level_reached(red, team, client, api_client):
    swept(at(9, 10))
    client.force_login(team.community_head)
    page = client.get(f"/petitions/{red.pk}/").content.decode()
    assert 'data-rung="COMMUNITY"' in page
    api_client.force_authenticate(team.community_head)
    body = api_client.get(f"/api/v1/petitions/{red.pk}/").json()
    assert body["rung"] == Rung.COMMUNITY


def test_an_outsider_does_not_see_an_escalated_petition(red, people, client, api_client):
    swept(at(9, 10))
    client.force_login(people.outsider)
    assert client.get(f"/petitions/{red.pk}/").status_code == 404
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/petitions/{red.pk}/").status_code == 404


def test_working_hours_between_counts_office_hours_of_working_days_only(settings):
    from petitions.ladder import working_hours_between

    settings.LADDER_OFFICE_HOURS = ((8, 30), (17, 30))
    # Friday 11:00 → Monday 10:00: 6.5 h on Friday, none at the weekend, 1.5 h on Monday.
    assert working_hours_between(at(6, 11), at(9, 10), city=None) == timedelta(hours=8)
    assert working_hours_between(at(7, 9), at(8, 20), city=None) == timedelta(0)
    assert working_hours_between(at(9, 10), at(9, 9), city=None) == timedelta(0)


def test_the_time_paused_does_not_count_toward_the_next_climb(red, people):
    assert swept(at(9, 10))["climbed"] == 1  # Monday 10:00: the community
    # Paused at Monday 12:00 (2 of the 8 working hours of this rung have run) ...
    with time_machine.travel(at(9, 12), tick=False):
        petition, _ = services.petition_pause(
            actor=people.worker, petition=red, reason="等待配件", now=at(9, 12)
        )
        petition, _ = services.petition_pause(actor=people.gridhead, petition=petition, now=at(9, 12))
    assert swept(at(11, 8, 59))["climbed"] == 0  # paused: no climb however long
    # ... resumed on Wednesday 9:00, still overdue: 6 working hours more, Wednesday 15:00.
    with time_machine.travel(at(11, 9), tick=False):
        petition = services.petition_resume(actor=people.worker, petition=petition, now=at(11, 9))
    assert petition.light == Light.RED
    assert swept(at(11, 9, 5))["climbed"] == 0
    assert swept(at(11, 14, 59))["climbed"] == 0
    assert swept(at(11, 15))["climbed"] == 1
    petition.refresh_from_db()
    assert petition.rung == Rung.STREET
    # One climb event per rung, none doubled by the pause.
    assert PetitionEvent.objects.filter(petition=petition, action="climb").count() == 2
