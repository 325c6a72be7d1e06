"""A visit's photos sent one by one by the offline outbox: at most once per Idempotency-Key, so
a sync cut half-way (the visit and one photo sent, the next not) completes without duplicates."""

import pytest

from residents.models import Visit, VisitPhoto
from tests.petitions.factories import jpeg
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def send_photo(api_client, visit_id, key, photo=None):
    return api_client.post(
        f"/api/v1/visits/{visit_id}/photos/",
        {"photo": photo or jpeg()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_half_finished_sync_completes_on_retry_without_duplicates(api_client, people, city):
    home = factories.household(city.grid_a1)
    api_client.force_authenticate(people.worker)
    body = {"household": home.pk, "notes": "楼道里见面"}
    visit = api_client.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="v-1").json()
    assert send_photo(api_client, visit["id"], "v-1:photo:0").status_code == 201
    # ... the signal drops here; the next sync sends everything again with the same keys.
    again = api_client.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="v-1")
    assert again.json()["id"] == visit["id"]
    repeated = send_photo(api_client, visit["id"], "v-1:photo:0")
    assert repeated.status_code == 201
    assert send_photo(api_client, visit["id"], "v-1:photo:1", jpeg(size=(80, 60))).status_code == 201
    assert Visit.objects.count() == 1
    assert VisitPhoto.objects.filter(visit_id=visit["id"]).count() == 2
    listed = api_client.get(f"/api/v1/visits/{visit['id']}/").json()
    assert [p["id"] for p in listed["photos"]] == sorted(VisitPhoto.objects.values_list("id", flat=True))


def test_the_same_key_with_another_photo_is_refused(api_client, people, city):
    home = factories.household(city.grid_a1)
    api_client.force_authenticate(people.worker)
    visit = api_client.post("/api/v1/visits/", {"household": home.pk}, format="json").json()
    assert send_photo(api_client, visit["id"], "p").status_code == 201
    other = send_photo(api_client, visit["id"], "p", jpeg(size=(80, 60)))
    assert other.status_code == 422 and "Idempotency-Key" in other.content.decode()
    assert VisitPhoto.objects.count() == 1


def test_only_the_visits_worker_adds_photos_and_an_outsider_gets_404(api_client, people, city):
    home = factories.household(city.grid_a1)
    api_client.force_authenticate(people.worker)
    visit = api_client.post("/api/v1/visits/", {"household": home.pk}, format="json").json()
    api_client.force_authenticate(people.outsider)
    assert send_photo(api_client, visit["id"], "x").status_code == 404
    assert not VisitPhoto.objects.exists()
