"""A real Celery worker, a real Redis broker and PostgreSQL: a resident's report with the SMS
tick sends the tracking-code SMS to a fake provider on a loopback port; a provider failure is
retried and the message goes out exactly once."""

import time

import pytest

from hlgrid.notifier.models import Delivery, DeliveryStatus, Purpose
from tests.integration.workers import celery_worker, wait_for
from tests.petitions.factories import report

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
PHONE = "13812345678"


@pytest.fixture
def worker(provider):
    """A Celery worker process on the test database and its own Redis queue, sending SMS to the fake."""
    with celery_worker(
        SMS_BACKEND="http",
        SMS_HTTP_URL=provider.url("/sms/send"),
        SMS_HTTP_KEY="integration-key",
        NOTIFY_RETRY_BASE_SECONDS="1",
    ) as process:
        yield process


def test_a_worker_sends_the_tracking_code_sms_of_a_public_report_once_after_a_provider_failure(
    city, provider, worker
):
    from hlgrid.tasks import sweep_lights

    provider.fail_next(1)  # the provider's first answer is a 500
    petition = report(reporter_phone=PHONE, reporter_notify=True)
    delivery = Delivery.objects.get(purpose=Purpose.TRACKING_CODE)
    wait_for(worker, lambda: len(provider.requests) >= 1, "the worker did not try to send")
    wait_for(
        worker,
        lambda: Delivery.objects.filter(pk=delivery.pk, attempts=1).exists(),
        "the failed attempt was not recorded",
    )
    # The periodic sweep (beat's task) finds it due a second later and the worker sends it.
    time.sleep(1.2)
    sweep_lights.delay()
    wait_for(
        worker,
        lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists(),
        "the message was not sent after the provider recovered",
    )
    sweep_lights.delay()  # another sweep sends nothing more
    time.sleep(2)
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_error == ""
    assert len(provider.requests) == 2
    body = provider.requests[-1]["json"]
    assert body["phone"] == PHONE and petition.tracking_code in body["content"]
    assert f"/petitions/track/{petition.tracking_code}/" in body["content"]
    assert provider.requests[-1]["headers"]["Authorization"] == "Bearer integration-key"
