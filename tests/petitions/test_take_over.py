"""接管: a level an overdue petition climbed to takes it over and reassigns it."""

from datetime import datetime, timedelta

import pytest
import time_machine

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from hlgrid.workdays import LOCAL
from petitions import services
from petitions.models import Level, Light, Notification, NotificationKind, PetitionEvent, Rung, Status
from petitions.sweep import sweep
from tests.factories import UserFactory
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 11:00 in Helong: the petition turns red; Monday 10:00 it reaches the community.
RED_AT = datetime(2026, 3, 6, 11, 0, tzinfo=LOCAL)
COMMUNITY_AT = datetime(2026, 3, 9, 10, 0, tzinfo=LOCAL)
STREET_AT = datetime(2026, 3, 10, 9, 0, tzinfo=LOCAL)


def swept(now):
    with time_machine.travel(now, tick=False):
        return sweep(now=now)


@pytest.fixture
def climbed(city, people, team, settings):
    """A petition handled by the grid's worker, red since Friday, at the community's rung."""
    settings.LADDER_INTERVAL_HOURS = 8
    settings.LADDER_OFFICE_HOURS = ((8, 30), (17, 30))
    start = RED_AT - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        petition = report(category=team.category, now=start)
        services.petition_verify(actor=people.worker, petition=petition, now=start)
        services.petition_classify(
            actor=people.worker, petition=petition, category=team.category, assignee=people.worker, now=start
        )
    swept(RED_AT)
    assert swept(COMMUNITY_AT)["climbed"] == 1
    petition.refresh_from_db()
    assert (petition.rung, petition.light) == (Rung.COMMUNITY, Light.RED)
    return petition


def take_over(petition, actor, *, now=COMMUNITY_AT + timedelta(hours=1), **choice):
    with time_machine.travel(now, tick=False):
        return services.petition_take_over(actor=actor, petition=petition, now=now, **choice)


def test_the_community_head_takes_it_over_and_gives_it_to_another_worker_of_the_grid(climbed, people, team):
    now = COMMUNITY_AT + timedelta(hours=1)
    petition = take_over(climbed, team.community_head, assignee=team.worker2, note="今天必须清完")
    assert petition.status == Status.HANDLING
    assert (petition.assignee, petition.department, petition.level) == (team.worker2, None, Level.GRID)
    assert (petition.taken_over_by, petition.taken_over_at) == (team.community_head, now)
    # The new handler has the category's limit afresh: green again, still at the community's rung.
    assert petition.handle_due_at == petition.due_at > now
    assert (petition.light, petition.rung) == (Light.GREEN, Rung.COMMUNITY)
    event = PetitionEvent.objects.get(petition=petition, action="take_over")
    assert (event.actor, event.at) == (team.community_head, now)
    assert "今天必须清完" in event.note
    assert Notification.objects.filter(
        kind=NotificationKind.ASSIGNED, petition=petition, recipient=team.worker2
    ).exists()


def test_it_can_be_given_to_a_department(climbed, people, team):
    petition = take_over(climbed, team.community_head, department=team.department)
    assert (petition.level, petition.department, petition.assignee) == (
        Level.DEPARTMENT,
        team.department,
        None,
    )
    told = Notification.objects.filter(kind=NotificationKind.ASSIGNED, petition=petition, recipient=team.dept)
    assert told.exists()


def test_the_community_head_may_keep_it_at_the_community_level(climbed, team):
    petition = take_over(climbed, team.community_head, assignee=team.community_head)
    assert (petition.level, petition.assignee) == (Level.COMMUNITY, team.community_head)


def test_the_street_takes_over_only_once_it_reached_the_street(climbed, people, team):
    with pytest.raises(Forbidden):
        take_over(climbed, people.official, assignee=team.worker2)
    with pytest.raises(Forbidden):
        take_over(climbed, team.street_head, assignee=team.worker2)
    assert swept(STREET_AT)["climbed"] == 1
    petition = take_over(climbed, people.official, assignee=team.street_head, now=STREET_AT)
    assert (petition.level, petition.assignee, petition.taken_over_by) == (
        Level.STREET,
        team.street_head,
        people.official,
    )


def test_an_insider_without_the_right_gets_403_and_an_outsider_404_and_nothing_changes(climbed, people, team):
    for insider in (people.worker, people.gridhead, team.worker2):
        with pytest.raises(Forbidden):
            take_over(climbed, insider, assignee=team.worker2)
    with pytest.raises(NotFound):
        take_over(climbed, people.outsider, assignee=team.worker2)
    climbed.refresh_from_db()
    assert (climbed.assignee, climbed.taken_over_at, climbed.light) == (people.worker, None, Light.RED)
    assert not PetitionEvent.objects.filter(action="take_over").exists()


def test_a_petition_still_at_the_grid_rung_cannot_be_taken_over(city, people, team):
    petition = report(category=team.category)
    services.petition_verify(actor=people.worker, petition=petition)
    with pytest.raises(Forbidden):
        services.petition_take_over(actor=team.community_head, petition=petition, assignee=team.worker2)


def test_the_new_handler_must_work_over_the_grid_at_the_level_reached(climbed, city, people, team):
    stranger = UserFactory(username="p_b_worker")
    post_assign(actor=SYSTEM, user=stranger, kind=PostKind.WORKER, node=city.grid_b1)
    with pytest.raises(InvalidInput) as error:
        take_over(climbed, team.community_head, assignee=stranger)
    assert "assignee" in error.value.errors
    # The street's staff are above the community's rung: not yet.
    with pytest.raises(InvalidInput):
        take_over(climbed, team.community_head, assignee=team.street_head)
    with pytest.raises(InvalidInput):
        take_over(climbed, team.community_head)  # neither a person nor a department
    with pytest.raises(InvalidInput):
        take_over(climbed, team.community_head, assignee=team.worker2, department=team.department)
    climbed.refresh_from_db()
    assert climbed.assignee == people.worker


def test_a_taken_over_petition_climbs_again_only_an_interval_after_it_turns_red_again(climbed, team):
    petition = take_over(climbed, team.community_head, assignee=team.worker2)
    red_again = petition.due_at + timedelta(minutes=1)
    assert swept(red_again)["red"] == 1
    assert swept(red_again + timedelta(minutes=5))["climbed"] == 0
    petition.refresh_from_db()
    assert petition.rung == Rung.COMMUNITY


def test_the_page_offers_the_take_over_to_the_level_reached_and_the_api_does_it(
    climbed, people, team, client, api_client
):
    client.force_login(team.community_head)
    page = client.get(f"/petitions/{climbed.pk}/").content.decode()
    assert 'data-testid="action-take_over"' in page
    assert f'<option value="{team.worker2.pk}">' in page
    client.force_login(people.worker)
    assert 'data-testid="action-take_over"' not in client.get(f"/petitions/{climbed.pk}/").content.decode()

    api_client.force_authenticate(people.gridhead)
    url = f"/api/v1/petitions/{climbed.pk}/take-over/"
    assert api_client.post(url, {"assignee": team.worker2.pk}, format="json").status_code == 403
    api_client.force_authenticate(people.outsider)
    assert api_client.post(url, {"assignee": team.worker2.pk}, format="json").status_code == 404
    api_client.force_authenticate(team.community_head)
    assert api_client.post(url, {}, format="json").status_code == 400
    with time_machine.travel(COMMUNITY_AT + timedelta(hours=2), tick=False):
        answer = api_client.post(url, {"assignee": team.worker2.pk, "note": "接管"}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["assignee"]["id"] == team.worker2.pk and body["taken_over_at"] and body["light"] == "GREEN"
    assert api_client.post(url, {"assignee": team.worker2.pk}, format="json").status_code == 200
