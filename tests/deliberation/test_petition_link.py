"""A petition becomes a topic for deliberation through the composing app (portal), which reads
the petition for the caller; deliberation itself never imports petitions."""

import pytest

from deliberation.models import Topic, TopicSource
from tests.petitions.factories import report

pytestmark = pytest.mark.django_db


def test_a_worker_turns_a_petition_of_its_grid_into_a_topic(city, people, client):
    petition = report(description="小区停车难，楼前经常堵车")
    client.force_login(people.worker)
    detail = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert f'href="/deliberation/from-petition/{petition.pk}/"' in detail
    form = client.get(f"/deliberation/from-petition/{petition.pk}/")
    assert form.status_code == 200 and "小区停车难" in form.content.decode()
    response = client.post(
        f"/deliberation/from-petition/{petition.pk}/",
        {"title": "停车位划线", "description": petition.description},
    )
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/deliberation/topics/{topic.pk}/"
    assert (topic.source, topic.petition_id, topic.node_id) == (
        TopicSource.PETITION,
        petition.pk,
        city.grid_a1.pk,
    )


def test_an_outsider_gets_404_and_an_empty_title_raises_nothing(city, people, client):
    petition = report(description="路灯不亮")
    client.force_login(people.outsider)
    assert client.get(f"/deliberation/from-petition/{petition.pk}/").status_code == 404
    assert (
        client.post(
            f"/deliberation/from-petition/{petition.pk}/", {"title": "x", "description": "y"}
        ).status_code
        == 404
    )
    client.force_login(people.worker)
    page = client.post(f"/deliberation/from-petition/{petition.pk}/", {"title": " ", "description": "y"})
    assert page.status_code == 200 and 'data-testid="form-errors"' in page.content.decode()
    assert not Topic.objects.exists()
