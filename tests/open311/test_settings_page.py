"""The settings page of the Open311 clients: who may issue and revoke keys, a key shown once."""

import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, NotFound
from open311 import services
from open311.models import Open311Client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/open311/settings/"


@pytest.fixture
def city_official(city):
    user = UserFactory(username="o_city_official")
    post_assign(actor=SYSTEM, user=user, kind=PostKind.OFFICIAL, node=city.city)
    return user


def test_a_city_official_issues_a_key_shown_once_and_stored_only_as_a_hash(client, city_official):
    client.force_login(city_official)
    assert client.get("/settings/").content.decode().count(URL) == 1  # linked from the hub
    page = client.post(URL, {"action": "issue", "name": "随手拍 App"})
    assert page.status_code == 200
    key = page.context["issued"]["key"]
    assert key.startswith("o311_") and key in page.content.decode()
    stored = Open311Client.objects.get()
    assert stored.name == "随手拍 App" and stored.created_by == city_official
    assert key not in (stored.key_hash, stored.key_prefix) and stored.key_prefix == key[:12]
    again = client.get(URL).content.decode()
    assert key not in again and stored.key_prefix in again  # never shown again
    assert services.open311_client_authenticate(api_key=key) == stored


def test_a_key_is_revoked_and_restored_on_the_page(client, city_official):
    stored, key = services.open311_client_create(actor=city_official, name="App")
    client.force_login(city_official)
    client.post(URL, {"action": "revoke", "client": stored.pk})
    with pytest.raises(Forbidden):
        services.open311_client_authenticate(api_key=key)
    client.post(URL, {"action": "restore", "client": stored.pk})
    assert services.open311_client_authenticate(api_key=key) == stored


def test_an_empty_name_is_refused_on_the_form(client, city_official):
    client.force_login(city_official)
    page = client.post(URL, {"action": "issue", "name": "  "})
    assert page.status_code == 200 and page.context["error"]
    assert not Open311Client.objects.exists()


def test_a_street_official_reads_the_list_but_issues_nothing(client, people):
    client.force_login(people.official)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"action": "issue", "name": "App"}).status_code == 403
    with pytest.raises(Forbidden):
        services.open311_client_create(actor=people.official, name="App")
    assert not Open311Client.objects.exists()


def test_workers_and_visitors_do_not_see_the_page(client, people):
    assert client.get(URL).status_code == 302  # to the login
    client.force_login(people.worker)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"action": "issue", "name": "App"}).status_code == 404
    with pytest.raises(NotFound):
        services.open311_client_create(actor=people.worker, name="App")
    with pytest.raises(NotFound):
        services.open311_client_create(actor=None, name="App")
