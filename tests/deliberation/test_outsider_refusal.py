"""An outsider (a grid worker of another street) gets the same refusal, 404, whichever way it
asks: through a page, through the API, or by calling a service directly; and nothing changes."""

import datetime

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import Ballot, Participant, Resolution, Topic, TopicStatus, Vote
from hlgrid.errors import NotFound
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


@pytest.fixture
def decided(city, people, place):
    vote = df.passed_vote(people, city, place)
    resolution = services.resolution_create(
        actor=people.gridhead, vote=vote, text="施工", owner=people.worker, working_days=5
    )
    return vote, resolution


def _same_404(api_client, path: str, missing: str, method="get", body=None):
    foreign = getattr(api_client, method)(path, body or {}, format="json")
    absent = getattr(api_client, method)(missing, body or {}, format="json")
    assert foreign.status_code == absent.status_code == 404, (foreign.status_code, foreign.content)
    assert foreign.json() == absent.json()


def test_an_outsider_gets_404_for_a_topic_through_a_page_the_api_and_a_service(
    city, people, client, api_client
):
    topic = df.topic(people, city, accept=False)
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/topics/{topic.pk}/").status_code == 404
    assert client.post(f"/deliberation/topics/{topic.pk}/", {"decision": "accept"}).status_code == 404
    api_client.force_authenticate(people.outsider)
    _same_404(api_client, f"/api/v1/deliberation/topics/{topic.pk}/", "/api/v1/deliberation/topics/999999/")
    _same_404(
        api_client,
        f"/api/v1/deliberation/topics/{topic.pk}/screen/",
        "/api/v1/deliberation/topics/999999/screen/",
        "post",
        {"decision": "accept"},
    )
    with pytest.raises(NotFound):
        services.topic_screen(actor=people.outsider, topic=topic, decision="accept")
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.SUBMITTED
    assert topic.pk not in {t["id"] for t in api_client.get("/api/v1/deliberation/topics/").json()["results"]}


def test_an_outsider_gets_404_for_a_meeting_through_a_page_the_api_and_a_service(
    city, people, client, api_client
):
    meeting = df.meeting(people, city, [df.topic(people, city)])
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/meetings/{meeting.pk}/").status_code == 404
    assert (
        client.post(
            f"/deliberation/meetings/{meeting.pk}/participant/", {"role": "PROPERTY", "name": "x"}
        ).status_code
        == 404
    )
    api_client.force_authenticate(people.outsider)
    _same_404(
        api_client, f"/api/v1/deliberation/meetings/{meeting.pk}/", "/api/v1/deliberation/meetings/999999/"
    )
    _same_404(
        api_client,
        f"/api/v1/deliberation/meetings/{meeting.pk}/participants/",
        "/api/v1/deliberation/meetings/999999/participants/",
        "post",
        {"role": "PROPERTY", "name": "物业"},
    )
    with pytest.raises(NotFound):
        services.participant_add(actor=people.outsider, meeting=meeting, role="PROPERTY", name="物业")
    assert not Participant.objects.exists()


def test_an_outsider_gets_404_for_a_vote_through_a_page_the_api_and_a_service(
    city, people, place, client, api_client
):
    topic = df.topic(people, city, unit=place.unit)
    vote = df.household_vote(people, df.meeting(people, city, [topic]), topic)
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/votes/{vote.pk}/").status_code == 404
    assert (
        client.post(
            f"/deliberation/votes/{vote.pk}/ballot/", {"voter": place.homes[0].pk, "choice": "YES"}
        ).status_code
        == 404
    )
    api_client.force_authenticate(people.outsider)
    _same_404(api_client, f"/api/v1/deliberation/votes/{vote.pk}/", "/api/v1/deliberation/votes/999999/")
    _same_404(
        api_client,
        f"/api/v1/deliberation/votes/{vote.pk}/ballots/",
        "/api/v1/deliberation/votes/999999/ballots/",
        "post",
        {"choice": "YES", "household": place.homes[0].pk},
    )
    _same_404(
        api_client,
        f"/api/v1/deliberation/votes/{vote.pk}/close/",
        "/api/v1/deliberation/votes/999999/close/",
        "post",
    )
    with pytest.raises(NotFound):
        services.ballot_cast(actor=people.outsider, vote=vote, choice="YES", household=place.homes[0])
    assert not Ballot.objects.exists()
    assert Vote.objects.get(pk=vote.pk).status == "OPEN"


def test_an_outsider_gets_404_for_a_resolution_through_a_page_the_api_and_a_service(
    people, decided, client, api_client
):
    _vote, resolution = decided
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/resolutions/{resolution.pk}/").status_code == 404
    assert (
        client.post(f"/deliberation/resolutions/{resolution.pk}/", {"verb": "close", "note": "x"}).status_code
        == 404
    )
    api_client.force_authenticate(people.outsider)
    _same_404(
        api_client,
        f"/api/v1/deliberation/resolutions/{resolution.pk}/",
        "/api/v1/deliberation/resolutions/999999/",
    )
    _same_404(
        api_client,
        f"/api/v1/deliberation/resolutions/{resolution.pk}/close/",
        "/api/v1/deliberation/resolutions/999999/close/",
        "post",
        {"note": "完成"},
    )
    with pytest.raises(NotFound):
        services.resolution_close(actor=people.outsider, resolution=resolution, note="完成")
    with pytest.raises(NotFound):
        services.resolution_publish(actor=people.outsider, resolution=resolution)
    assert Resolution.objects.get(pk=resolution.pk).status == "OPEN"
    assert api_client.get("/api/v1/deliberation/resolutions/").json()["results"] == []


def test_the_worker_of_the_grid_sees_and_acts_where_the_outsider_cannot(city, people, place, api_client):
    topic = df.topic(people, city, unit=place.unit)
    vote = df.household_vote(people, df.meeting(people, city, [topic]), topic)
    api_client.force_authenticate(people.worker)
    assert api_client.get(f"/api/v1/deliberation/votes/{vote.pk}/").status_code == 200
    cast = api_client.post(
        f"/api/v1/deliberation/votes/{vote.pk}/ballots/",
        {"choice": "YES", "household": place.homes[0].pk},
        format="json",
    )
    assert cast.status_code == 201, cast.content
    again = api_client.post(
        f"/api/v1/deliberation/votes/{vote.pk}/ballots/",
        {"choice": "NO", "household": place.homes[0].pk},
        format="json",
    )
    assert again.status_code == 409
    assert timezone.now() < vote.closes_at + datetime.timedelta(hours=1)
