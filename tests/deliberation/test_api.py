"""The API runs the same use cases as the pages: a head's meeting with a vote to a resolution."""

import datetime

import pytest
from django.utils import timezone

from deliberation.models import Resolution, TopicStatus
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


def test_a_head_runs_a_meeting_with_a_vote_to_a_resolution_through_the_api(city, people, place, api_client):
    api_client.force_authenticate(people.gridhead)
    raised = api_client.post(
        "/api/v1/deliberation/topics/",
        {"node": city.grid_a1.pk, "title": "加装电梯", "description": "老人上下楼难", "unit": place.unit.pk},
        format="json",
    )
    assert raised.status_code == 201, raised.content
    topic = raised.json()["id"]
    assert raised.json()["source"] == "HEAD"
    screened = api_client.post(
        f"/api/v1/deliberation/topics/{topic}/screen/", {"decision": "accept"}, format="json"
    )
    assert screened.json()["status"] == TopicStatus.ACCEPTED
    starts = timezone.now() + datetime.timedelta(minutes=10)
    meeting = api_client.post(
        "/api/v1/deliberation/meetings/",
        {
            "node": city.grid_a1.pk,
            "title": "议事会",
            "starts_at": starts.isoformat(),
            "place": "议事厅",
            "invited_roles": ["RESIDENT_REP"],
            "topics": [topic],
        },
        format="json",
    )
    assert meeting.status_code == 201, meeting.content
    assert [a["topic"] for a in meeting.json()["agenda"]] == [topic]
    vote = api_client.post(
        "/api/v1/deliberation/votes/",
        {
            "meeting": meeting.json()["id"],
            "topic": topic,
            "rule": "HOUSEHOLD",
            "quorum": "2/3",
            "threshold": "2/3",
            "closes_at": (timezone.now() + datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert vote.status_code == 201, vote.content
    vote_id = vote.json()["id"]
    assert vote.json()["electorate"] == 4
    for home, choice in zip(place.homes, ["YES", "YES", "YES", "ABSTAIN"], strict=True):
        cast = api_client.post(
            f"/api/v1/deliberation/votes/{vote_id}/ballots/",
            {"choice": choice, "household": home.pk},
            format="json",
        )
        assert cast.status_code == 201, cast.content
    closed = api_client.post(f"/api/v1/deliberation/votes/{vote_id}/close/")
    assert (closed.json()["result"], closed.json()["yes"], closed.json()["abstain"]) == ("PASSED", 3, 1)
    made = api_client.post(
        "/api/v1/deliberation/resolutions/",
        {"vote": vote_id, "text": "委托施工", "owner": people.worker.pk, "working_days": 10},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["light"] == "GREEN"
    refused = api_client.post(
        f"/api/v1/deliberation/resolutions/{made.json()['id']}/close/", {"note": "完成"}, format="json"
    )
    assert refused.status_code == 403  # the head does not own it
    api_client.force_authenticate(people.worker)
    done = api_client.post(
        f"/api/v1/deliberation/resolutions/{made.json()['id']}/close/", {"note": "完成"}, format="json"
    )
    assert done.json()["status"] == "DONE"
    assert Resolution.objects.get().done_note == "完成"


def test_bad_input_names_the_field_and_creates_nothing(city, people, api_client):
    api_client.force_authenticate(people.gridhead)
    response = api_client.post(
        "/api/v1/deliberation/topics/",
        {"node": city.grid_b1.pk, "title": "x", "description": "y"},
        format="json",
    )
    assert response.status_code == 400 and "node" in response.json()["errors"]
    response = api_client.post(
        "/api/v1/deliberation/topics/",
        {"node": city.grid_a1.pk, "title": "x", "description": "y", "proposer": 1},
        format="json",
    )
    assert response.status_code == 400 and "proposer" in response.json()["errors"]
    assert api_client.get("/api/v1/deliberation/topics/?status=nonsense").status_code == 400
    assert api_client.get("/api/v1/deliberation/resolutions/?light=BLUE").status_code == 400
    assert api_client.get("/api/v1/deliberation/topics/").json()["results"] == []


def test_the_lists_read_the_same_number_of_queries_at_two_sizes(city, people, place, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deliberation import services

    api_client.force_authenticate(people.gridhead)
    urls = [
        "/api/v1/deliberation/topics/",
        "/api/v1/deliberation/meetings/",
        "/api/v1/deliberation/votes/",
        "/api/v1/deliberation/resolutions/",
    ]

    def grow():
        vote = df.passed_vote(people, city, place) if not services.topics.Topic.objects.exists() else None
        if vote is None:
            topic = df.topic(people, city, title="再议", unit=place.unit)
            meeting = df.meeting(people, city, [topic])
            vote = df.household_vote(people, meeting, topic)
            for home in place.homes:
                services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=home)
            vote = services.vote_close(actor=people.gridhead, vote=vote)
        services.resolution_create(
            actor=people.gridhead, vote=vote, text="施工", owner=people.worker, working_days=5
        )

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert api_client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    grow()
    small = counts()
    for _ in range(3):
        grow()
    assert counts() == small
