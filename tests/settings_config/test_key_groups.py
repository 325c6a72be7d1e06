"""Key groups and their visit intervals, kept by the office."""

import pytest
from django.test import Client
from django.urls import reverse

from hlgrid.errors import Forbidden, InvalidInput, NotFound
from residents.key_groups import key_group_create, key_group_update
from residents.models import KeyGroup
from tests.factories import default_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(db):
    return KeyGroup.objects.create(city=default_city(), name="独居老人", visit_interval_days=7, order=1)


def rows():
    return list(KeyGroup.objects.order_by("pk").values())


def test_an_administrator_creates_a_group_and_changes_its_interval(configurer, group):
    created = key_group_create(actor=configurer, name="困境儿童", visit_interval_days=14)
    assert created.visit_interval_days == 14
    key_group_update(actor=configurer, group=group, visit_interval_days=3)
    assert KeyGroup.objects.get(pk=group.pk).visit_interval_days == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visit_interval_days": 0}, "visit_interval_days"),
        ({"visit_interval_days": -7}, "visit_interval_days"),
        ({"visit_interval_days": 400}, "visit_interval_days"),
        ({"name": ""}, "name"),
        ({"name": "重点"}, "name"),  # another group's name
        ({"order": -1}, "order"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(configurer, group, changes, field):
    KeyGroup.objects.create(city=default_city(), name="重点", visit_interval_days=30)
    before = rows()
    with pytest.raises(InvalidInput) as refused:
        key_group_update(actor=configurer, group=group, **changes)
    assert field in refused.value.errors
    assert rows() == before


def test_only_those_who_configure_the_city_change_key_groups(people, team, group):
    before = rows()
    with pytest.raises(Forbidden):
        key_group_update(actor=people.official, group=group, visit_interval_days=1)
    for user in (people.worker, people.gridhead, team.dept, None):
        with pytest.raises(NotFound):
            key_group_create(actor=user, name="新", visit_interval_days=5)
    assert rows() == before


def test_the_pages_list_edit_and_say_members_keep_their_due_dates(configurer, people, group):
    client = Client()
    client.force_login(configurer)
    assert "独居老人" in client.get(reverse("residents:settings_key_groups")).content.decode()
    url = reverse("residents:settings_key_group", args=[group.pk])
    assert 'data-testid="applies-to-new"' in client.get(url).content.decode()
    form = {"name": "独居老人", "visit_interval_days": 5, "description": "", "order": 1}
    assert client.post(url, form).status_code == 302
    assert KeyGroup.objects.get(pk=group.pk).visit_interval_days == 5
    bad = client.post(url, {**form, "visit_interval_days": 0})
    assert 'data-testid="error-visit_interval_days"' in bad.content.decode()
    official = Client()
    official.force_login(people.official)
    assert official.get(reverse("residents:settings_key_groups")).status_code == 200
    assert official.post(url, form).status_code == 403
    worker = Client()
    worker.force_login(people.worker)
    assert worker.get(reverse("residents:settings_key_groups")).status_code == 404


def test_the_api_writes_key_groups_for_administrators_only(configurer, people, group, api_client):
    api_client.force_authenticate(people.official)
    assert (
        api_client.patch(
            f"/api/v1/key-groups/{group.pk}/", {"visit_interval_days": 2}, format="json"
        ).status_code
        == 403
    )
    api_client.force_authenticate(people.worker)
    assert (
        api_client.post(
            "/api/v1/key-groups/", {"name": "新", "visit_interval_days": 5}, format="json"
        ).status_code
        == 404
    )
    api_client.force_authenticate(configurer)
    assert (
        api_client.post(
            "/api/v1/key-groups/", {"name": "新", "visit_interval_days": 5}, format="json"
        ).status_code
        == 201
    )
    assert (
        api_client.patch(
            f"/api/v1/key-groups/{group.pk}/", {"visit_interval_days": 0}, format="json"
        ).status_code
        == 400
    )
    assert (
        api_client.patch(
            f"/api/v1/key-groups/{group.pk}/", {"visit_interval_days": 2}, format="json"
        ).status_code
        == 200
    )
    assert KeyGroup.objects.get(pk=group.pk).visit_interval_days == 2
