"""Races on PostgreSQL: real threads, real connections, real row locks."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from hlgrid.errors import TransitionNotAllowed
from petitions import services
from petitions.models import IdempotencyKey, Petition, PetitionEvent, Status
from tests.petitions.factories import POINT_A1, report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*functions):
    """Start the functions at the same moment in threads with their own connections."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_workers_verifying_the_same_petition_at_the_same_moment_exactly_one_succeeds(city, people, team):
    petition = report(category=team.category)
    results = run_together(
        lambda: services.petition_verify(actor=people.worker, petition=petition.pk),
        lambda: services.petition_verify(actor=team.worker2, petition=petition.pk),
    )
    successes = [r for r in results if isinstance(r, Petition)]
    refusals = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(successes) == 1 and len(refusals) == 1, results
    assert Petition.objects.get(pk=petition.pk).status == Status.VERIFIED
    assert PetitionEvent.objects.filter(petition=petition, action="verify").count() == 1


def test_the_same_idempotency_key_sent_concurrently_creates_one_petition(city, team):
    body = {"description": "小区门口垃圾桶满了没人清运", "latitude": POINT_A1[0], "longitude": POINT_A1[1]}

    def send():
        response = APIClient().post(
            "/api/v1/public/petitions/", body, format="json", HTTP_IDEMPOTENCY_KEY="race-1"
        )
        return response.status_code, response.json()

    results = run_together(send, send, send)
    assert all(isinstance(r, tuple) for r in results), results
    assert {code for code, _ in results} == {201}
    assert len({answer["tracking_code"] for _, answer in results}) == 1
    assert Petition.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
