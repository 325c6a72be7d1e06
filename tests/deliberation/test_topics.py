"""Topics: raised by staff, from a visit, or by a resident at the front door for its household;
screened by a head (accept, merge, answer with a reason); the proposer sees the outcome."""

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import Topic, TopicSource, TopicStatus
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from residents.services import visit_log
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


def test_a_worker_raises_a_topic_for_a_unit_of_its_grid_and_it_waits_for_screening(city, people, place):
    topic = services.topic_raise(
        actor=people.worker, node=city.grid_a1, title="加装电梯", description="老人上下楼难", unit=place.unit
    )
    assert topic.status == TopicStatus.SUBMITTED
    assert topic.source == TopicSource.WORKER
    assert (topic.building_id, topic.unit_id) == (place.building.pk, place.unit.pk)
    assert topic.proposer == people.worker
    assert len(topic.tracking_code) == 10


def test_a_head_raising_a_topic_is_recorded_as_a_head(city, people):
    topic = services.topic_raise(
        actor=people.gridhead, node=city.grid_a1, title="停车位划线", description="乱停车"
    )
    assert topic.source == TopicSource.HEAD


def test_a_topic_from_a_visit_names_the_visit_and_its_household(city, people, place):
    visit = visit_log(
        actor=people.worker, household=place.homes[1], visited_at=timezone.now(), notes="反映楼道灯坏"
    )
    topic = services.topic_raise(
        actor=people.worker, node=city.grid_a1, title="楼道照明改造", description="灯坏了", visit_id=visit.pk
    )
    assert (topic.source, topic.visit_id, topic.household_id) == (
        TopicSource.VISIT,
        visit.pk,
        place.homes[1].pk,
    )


def test_a_visit_of_another_grid_is_refused_as_unknown(city, people, place):
    visit = visit_log(actor=people.outsider, household=place.foreign, visited_at=timezone.now())
    with pytest.raises(InvalidInput) as refused:
        services.topic_raise(
            actor=people.worker, node=city.grid_a1, title="议题", description="内容", visit_id=visit.pk
        )
    assert "visit" in refused.value.errors
    assert not Topic.objects.exists()


def test_a_topic_needs_a_title_and_belongs_to_a_grid_or_a_community(city, people):
    with pytest.raises(InvalidInput) as no_title:
        services.topic_raise(actor=people.official, node=city.grid_a1, title="  ", description="内容")
    assert "title" in no_title.value.errors
    with pytest.raises(InvalidInput) as street:
        services.topic_raise(actor=people.official, node=city.street_a, title="议题", description="内容")
    assert "node" in street.value.errors
    assert not Topic.objects.exists()


def test_a_head_accepts_a_topic_and_cannot_screen_it_twice(city, people):
    topic = df.topic(people, city, accept=False)
    topic = services.topic_screen(actor=people.gridhead, topic=topic, decision="accept")
    assert topic.status == TopicStatus.ACCEPTED and topic.screened_by == people.gridhead
    with pytest.raises(TransitionNotAllowed):
        services.topic_screen(actor=people.gridhead, topic=topic, decision="answer", reason="不属于议事范围")


def test_answering_directly_needs_a_reason_which_the_proposer_sees(city, people, client):
    topic = df.topic(people, city, accept=False)
    with pytest.raises(InvalidInput) as refused:
        services.topic_screen(actor=people.gridhead, topic=topic, decision="answer", reason=" ")
    assert "reason" in refused.value.errors
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.SUBMITTED
    services.topic_screen(actor=people.gridhead, topic=topic, decision="answer", reason="已列入改造计划")
    page = client.get(f"/deliberation/public/track/{topic.tracking_code}/")
    assert page.status_code == 200
    assert "已列入改造计划" in page.content.decode()


def test_merging_names_an_open_topic_of_the_same_node_with_a_reason(city, people):
    first = df.topic(people, city)
    second = df.topic(people, city, accept=False, title="电梯")
    other_grid = services.topic_raise(
        actor=people.official, node=city.grid_a2, title="电梯", description="同"
    )
    with pytest.raises(InvalidInput) as elsewhere:
        services.topic_screen(
            actor=people.official, topic=second, decision="merge", reason="重复", merge_into=other_grid
        )
    assert "merge_into" in elsewhere.value.errors
    with pytest.raises(InvalidInput):
        services.topic_screen(
            actor=people.gridhead, topic=second, decision="merge", reason="重复", merge_into=second
        )
    merged = services.topic_screen(
        actor=people.gridhead, topic=second, decision="merge", reason="重复", merge_into=first
    )
    assert (merged.status, merged.merged_into_id, merged.answer) == (TopicStatus.MERGED, first.pk, "重复")


def test_a_worker_may_not_screen_and_an_outsider_is_told_nothing_exists(city, people):
    topic = df.topic(people, city, accept=False)
    with pytest.raises(Forbidden):
        services.topic_screen(actor=people.worker, topic=topic, decision="accept")
    with pytest.raises(NotFound):
        services.topic_screen(actor=people.outsider, topic=topic, decision="accept")
    with pytest.raises(NotFound):
        services.topic_raise(actor=people.outsider, node=city.grid_a1, title="议题", description="内容")
    assert Topic.objects.get(pk=topic.pk).status == TopicStatus.SUBMITTED


def test_no_actor_is_refused(city, people):
    with pytest.raises(Forbidden):
        services.topic_raise(actor=None, node=city.grid_a1, title="议题", description="内容")


# --- the front door -------------------------------------------------------------------------


def _public(**overrides):
    body = {
        "title": "加装电梯",
        "description": "我家住四楼，老人上下楼困难。",
        "latitude": df.POINT_A1[0],
        "longitude": df.POINT_A1[1],
        "building": "1",
        "unit": "1",
        "door": "101",
        "phone": df.PHONE,
        "about": "unit",
    }
    return {**body, **overrides}


def test_a_resident_raises_a_topic_for_its_unit_located_by_position_address_and_phone(city, place):
    topic = services.topic_submit_public(**_public())
    assert topic.source == TopicSource.RESIDENT
    assert (topic.node_id, topic.unit_id, topic.household_id) == (
        city.grid_a1.pk,
        place.unit.pk,
        place.homes[0].pk,
    )
    assert topic.proposer is None


def test_a_resident_may_choose_the_grid_instead_of_sharing_a_position(city, place):
    topic = services.topic_submit_public(
        **_public(latitude=None, longitude=None, about="grid"), grid_id=city.grid_a1.pk
    )
    assert (topic.node_id, topic.unit_id, topic.household_id) == (city.grid_a1.pk, None, place.homes[0].pk)


@pytest.mark.parametrize(
    "overrides",
    [{"phone": "13700000000"}, {"door": "999"}, {"latitude": 42.515}, {"phone": ""}],
    ids=[
        "a phone not registered for the household",
        "no such door",
        "a position in another grid",
        "no phone",
    ],
)
def test_a_household_that_cannot_be_identified_raises_nothing(city, place, overrides):
    with pytest.raises(InvalidInput) as refused:
        services.topic_submit_public(**_public(**overrides))
    assert set(refused.value.errors) & {"door", "phone"}
    assert not Topic.objects.exists()


def test_a_position_outside_the_city_is_refused_with_the_location_field(city, place):
    with pytest.raises(InvalidInput) as refused:
        services.topic_submit_public(**_public(latitude=10.0, longitude=10.0))
    assert "location" in refused.value.errors


def test_the_front_door_form_raises_the_topic_and_shows_its_tracking_page(city, place, client):
    response = client.post("/deliberation/public/new/", {**_public(), "grid": ""})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/public/track/{topic.tracking_code}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert topic.title in page and "1栋1单元***" in page and df.PHONE not in page
    refused = client.post("/deliberation/public/new/", {**_public(phone="13700000000"), "grid": ""})
    assert refused.status_code == 200 and Topic.objects.count() == 1
