"""Visits sent by the offline outbox: at most once per Idempotency-Key, at the phone's time."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from hlgrid.models import IdempotentRequest
from residents.models import Visit
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(city):
    return factories.household(city.grid_a1), factories.household(city.grid_b1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post(api_client, body, key="k-1"):
    return api_client.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_answers_the_first_answer_and_logs_nothing(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    first = post(api_client, {"household": own.pk, "notes": "门口见面"})
    again = post(api_client, {"household": own.pk, "notes": "门口见面"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Visit.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    assert post(api_client, {"household": own.pk, "notes": "a"}).status_code == 201
    other = post(api_client, {"household": own.pk, "notes": "b"})
    assert other.status_code == 422
    assert "Idempotency-Key" in other.content.decode()
    assert Visit.objects.count() == 1


def test_two_users_sending_the_same_key_never_meet(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    assert post(api_client, {"household": own.pk}).status_code == 201
    stored = IdempotentRequest.objects.get()
    assert "k-1" not in stored.key and stored.key.startswith(f"visit:{people.worker.pk}:")


def test_a_refused_visit_rolls_its_key_back_so_a_corrected_retry_succeeds(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    far = post(api_client, {"household": own.pk, "latitude": 42.505, "longitude": 129.035})
    assert far.status_code == 400 and not IdempotentRequest.objects.exists()
    assert post(api_client, {"household": own.pk}).status_code == 201
    assert Visit.objects.count() == 1


def test_a_too_long_key_is_a_400(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    assert post(api_client, {"household": own.pk}, key="x" * 129).status_code == 400
    assert Visit.objects.count() == 0


@time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_visit_keeps_the_phones_time_within_bounds(api_client, people, homes):
    own, _ = homes
    api_client.force_authenticate(people.worker)
    captured = timezone.now() - datetime.timedelta(days=3)
    ok = post(api_client, {"household": own.pk, "visited_at": captured.isoformat()}, key="a")
    assert ok.status_code == 201, ok.content
    assert Visit.objects.get().visited_at == captured
    old = post(
        api_client,
        {"household": own.pk, "visited_at": (captured - datetime.timedelta(days=12)).isoformat()},
        key="b",
    )
    assert old.status_code == 400 and "visited_at" in old.json()["errors"]
    future = post(
        api_client,
        {"household": own.pk, "visited_at": (timezone.now() + datetime.timedelta(hours=1)).isoformat()},
        key="c",
    )
    assert future.status_code == 400 and "visited_at" in future.json()["errors"]
    assert Visit.objects.count() == 1
