"""The pages: each renders for the grid's staff in a fixed number of queries whatever the number
of rows (two data sizes), Chinese by default; the public result page shows no personal data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deliberation import services
from deliberation.models import ParticipantRole
from tests.deliberation import factories as df
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


def _grow(people, city, place, n: int, meeting=None, vote=None):
    """n more topics, representatives, ballots and resolutions."""
    for i in range(n):
        df.topic(people, city, title=f"议题{i}")
    if meeting is not None:
        homes = [
            rf.household(city.grid_a1, building="7", unit="1", door=f"{i}{len(meeting.participants.all())}")
            for i in range(n)
        ]
        for i, home in enumerate(homes):
            services.participant_add(
                actor=people.worker,
                meeting=meeting,
                role=ParticipantRole.RESIDENT_REP,
                name=f"代{i}",
                household=home,
            )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_the_workbench_and_the_meeting_page_read_the_same_number_of_queries_at_two_sizes(
    city, people, place, client
):
    topic = df.topic(people, city, unit=place.unit)
    meeting = df.meeting(people, city, [topic])
    vote = df.household_vote(people, meeting, topic)
    services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=place.homes[0])
    client.force_login(people.gridhead)
    urls = [
        "/deliberation/",
        f"/deliberation/meetings/{meeting.pk}/",
        f"/deliberation/votes/{vote.pk}/",
        f"/deliberation/topics/{topic.pk}/",
    ]
    small = [_queries(client, url) for url in urls]
    _grow(people, city, place, 6, meeting=meeting)
    for home in place.homes[1:]:
        services.ballot_cast(actor=people.worker, vote=vote, choice="NO", household=home)
    large = [_queries(client, url) for url in urls]
    assert small == large


def test_the_workbench_is_in_chinese_and_lists_the_topics_to_screen(city, people, client):
    df.topic(people, city, accept=False, title="停车位划线")
    client.force_login(people.gridhead)
    page = client.get("/deliberation/").content.decode()
    assert "停车位划线" in page and "待审核" in page and "议事协商" in page
    assert 'data-testid="nav-deliberation"' in page
    client.cookies["django_language"] = "en"
    english = client.get("/deliberation/").content.decode()
    assert "Waiting for screening" in english and "待审核" not in english


def test_a_department_or_assessor_without_a_grid_post_has_no_workbench(people, client):
    client.force_login(people.assessor)
    assert client.get("/deliberation/").status_code == 404


def test_the_public_result_page_of_a_closed_topic_shows_the_count_and_no_personal_data(
    city, people, place, client
):
    topic = services.topic_submit_public(
        title="加装电梯",
        description="老人上下楼难",
        latitude=df.POINT_A1[0],
        longitude=df.POINT_A1[1],
        building="1",
        unit="1",
        door="101",
        phone=df.PHONE,
        about="unit",
    )
    topic = services.topic_screen(actor=people.gridhead, topic=topic, decision="accept")
    meeting = df.meeting(people, city, [topic])
    vote = df.household_vote(people, meeting, topic)
    for home, choice in zip(place.homes, ["YES", "YES", "YES", "NO"], strict=True):
        services.ballot_cast(actor=people.worker, vote=vote, choice=choice, household=home)
    services.vote_close(actor=people.gridhead, vote=vote)
    resolution = services.resolution_create(
        actor=people.gridhead, vote=vote, text="委托施工", owner=people.worker, working_days=5
    )
    services.resolution_publish(actor=people.gridhead, resolution=resolution)
    page = client.get(f"/deliberation/public/track/{topic.tracking_code.lower()}/").content.decode()
    assert "已表决：通过" in page and 'data-testid="public-yes">3<' in page and "委托施工" in page
    assert "1栋1单元***" in page
    for secret in (df.PHONE, "居民0", "101", people.worker.username, people.worker.display_name):
        assert secret not in page.replace(topic.tracking_code, "")
    assert client.get("/deliberation/public/track/NOSUCHCODE/").status_code == 404


def test_a_worker_raises_a_topic_from_a_visit_on_its_phone_page(city, people, place, client):
    from residents.services import visit_log

    visit = visit_log(
        actor=people.worker, household=place.homes[0], visited_at=timezone.now() - datetime.timedelta(hours=1)
    )
    client.force_login(people.worker)
    form = client.get(f"/deliberation/topics/new/?visit={visit.pk}")
    assert form.status_code == 200 and 'data-testid="from-visit"' in form.content.decode()
    response = client.post(
        "/deliberation/topics/new/",
        {
            "visit": visit.pk,
            "node": city.grid_a1.pk,
            "title": "楼道照明",
            "description": "灯坏",
            "building": "1",
            "unit": "1",
        },
    )
    assert response.status_code == 302
    topic = services.topics.Topic.objects.get()
    assert (topic.visit_id, topic.unit_id, topic.source) == (visit.pk, place.unit.pk, "VISIT")
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/topics/new/?visit={visit.pk}").status_code == 404
