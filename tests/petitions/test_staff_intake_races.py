"""The staff intake's Idempotency-Key under a real race on PostgreSQL: one petition per key and
user, however many retries arrive at once; another user's same key is its own."""

import pytest
from rest_framework.test import APIClient

from petitions.models import IdempotencyKey, Petition
from tests.petitions.factories import POINT_A1
from tests.petitions.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_staff_key_sent_concurrently_creates_one_petition_per_user(city, people, team):
    body = {
        "source": "HOTLINE",
        "description": "来电反映小区门口垃圾桶满了",
        "latitude": POINT_A1[0],
        "longitude": POINT_A1[1],
    }

    def send(user):
        def call():
            client = APIClient()
            client.force_authenticate(user)
            response = client.post("/api/v1/petitions/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-7")
            return user.pk, response.status_code, response.json()

        return call

    results = run_together(send(people.worker), send(people.worker), send(people.worker), send(team.worker2))
    assert all(isinstance(r, tuple) for r in results), results
    assert {code for _, code, _ in results} == {201}
    mine = {answer["tracking_code"] for pk, _, answer in results if pk == people.worker.pk}
    theirs = {answer["tracking_code"] for pk, _, answer in results if pk == team.worker2.pk}
    assert len(mine) == 1 and len(theirs) == 1 and mine != theirs
    assert Petition.objects.count() == 2 and IdempotencyKey.objects.count() == 2
