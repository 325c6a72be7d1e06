"""A petition's photos sent by the offline outbox: at most once per Idempotency-Key."""

import pytest

from petitions.models import Attachment
from tests.petitions.factories import jpeg, report

pytestmark = pytest.mark.django_db


def send(api_client, petition, key, photo=None):
    return api_client.post(
        f"/api/v1/petitions/{petition.pk}/attachments/",
        {"photo": photo or jpeg()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_repeated_upload_adds_nothing_and_another_photo_under_the_key_is_refused(api_client, people, team):
    petition = report(category=team.category)
    api_client.force_authenticate(people.worker)
    first = send(api_client, petition, "p-0")
    again = send(api_client, petition, "p-0")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Attachment.objects.filter(petition=petition).count() == 1
    other = send(api_client, petition, "p-0", jpeg(size=(80, 60)))
    assert other.status_code == 422
    assert send(api_client, petition, "p-1", jpeg(size=(80, 60))).status_code == 201
    assert Attachment.objects.filter(petition=petition).count() == 2
