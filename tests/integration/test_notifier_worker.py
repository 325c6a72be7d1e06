"""A real Celery worker, a real Redis broker and PostgreSQL: a resident's report with the SMS
tick sends the tracking-code SMS to a fake provider on a loopback port; a provider failure is
retried and the message goes out exactly once."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hlgrid.notifier.models import Delivery, DeliveryStatus, Purpose
from tests.petitions.factories import report

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
PHONE = "13812345678"


@pytest.fixture
def worker(provider):
    """A Celery worker process on the test database and its own Redis queue, sending SMS to the fake."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "SMS_BACKEND": "http",
        "SMS_HTTP_URL": provider.url("/sms/send"),
        "SMS_HTTP_KEY": "integration-key",
        "NOTIFY_RETRY_BASE_SECONDS": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hlgrid",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            "celery",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(worker, condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.3)
    worker.terminate()
    pytest.fail(f"{what} within {seconds} s:\n" + worker.communicate(timeout=20)[0])


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
