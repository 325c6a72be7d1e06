"""The notifier: dedupe, the daily limit, opt-out, the log backend, backoff, the sweep after an
outage, and the SMS and WeChat Work adapters against a fake provider on a loopback port."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.notifier import services
from hlgrid.notifier.models import Delivery, DeliveryStatus, OptOut, OptOutSource, Purpose
from tests.fake_provider import closed_port_url

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)
PHONE = "13812345678"


def queue(
    dedupe="k1", *, address=PHONE, channel="SMS", text="您的诉求已受理，查询码 ABCDEFGH23", now=NOW, **extra
):
    return services.delivery_queue(
        channel=channel,
        address=address,
        text=text,
        purpose=extra.pop("purpose", Purpose.TRACKING_CODE),
        dedupe=dedupe,
        now=now,
        **extra,
    )


def test_a_message_is_recorded_encrypted_and_its_send_enqueued_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        delivery = queue(node_id=7)
    assert len(callbacks) == 1
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.address_hint == "138****5678"
    assert delivery.node_id == 7
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM hlgrid_delivery WHERE id = %s", [delivery.pk])
        raw = cursor.fetchone()[0]
    assert PHONE not in raw  # ciphertext at rest
    assert Delivery.objects.get(pk=delivery.pk).address == PHONE


def test_a_repeat_of_the_dedupe_key_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = queue("same")
        again = queue("same", text="another text")
    assert again.pk == first.pk
    assert Delivery.objects.count() == 1
    assert len(callbacks) == 1


def test_bad_input_is_refused_and_records_nothing():
    for kwargs, field in [
        ({"channel": "FAX"}, "channel"),
        ({"text": "  "}, "text"),
        ({"address": "12345"}, "address"),
        ({"address": "0433-1234567"}, "address"),  # a landline takes no text message
        ({"purpose": "SPAM"}, "purpose"),
        ({"channel": "WECOM", "address": "not a url"}, "webhook_url"),
    ]:
        with pytest.raises(InvalidInput) as error:
            queue("bad", **kwargs)
        assert field in error.value.errors
    assert Delivery.objects.count() == 0


def test_over_the_daily_limit_a_message_is_suppressed_with_the_reason(settings):
    settings.NOTIFY_DAILY_LIMITS = {"SMS": 2, "WECOM": 100}
    first, second, third = (queue(f"d{n}") for n in range(3))
    assert [first.status, second.status] == [DeliveryStatus.QUEUED] * 2
    assert third.status == DeliveryStatus.SUPPRESSED
    assert third.last_error == "over the daily limit (2)"
    assert queue("other", address="13900000000").status == DeliveryStatus.QUEUED
    assert queue("next-day", now=NOW + timedelta(days=1)).status == DeliveryStatus.QUEUED


def test_an_opted_out_number_gets_nothing_and_its_queued_messages_are_dropped():
    waiting = queue("before")
    services.optout_record(channel="SMS", address="138-1234-5678", source=OptOutSource.STAFF)
    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.SUPPRESSED
    after = queue("after")
    assert after.status == DeliveryStatus.SUPPRESSED and after.last_error == "opted out"
    assert queue("wecom", channel="WECOM", address="https://qyapi.weixin.qq.com/x?key=abcd1234").status == (
        DeliveryStatus.QUEUED
    )
    # Twice is once.
    services.optout_record(channel="SMS", address=PHONE, source=OptOutSource.LINK)
    assert OptOut.objects.count() == 1


def test_the_opt_out_link_asks_first_then_stops_every_message_to_that_number(client):
    delivery = queue("linked")
    url = services.stop_url(delivery.pk)
    assert url.startswith("http://127.0.0.1:8000/n/stop/")
    path = url.removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200 and b'data-testid="stop-form"' in page.content
    assert PHONE.encode() not in page.content and b"138****5678" in page.content
    assert OptOut.objects.count() == 0  # opening the link changes nothing
    done = client.post(path)
    assert done.status_code == 200 and b'data-testid="stop-done"' in done.content
    assert queue("later").status == DeliveryStatus.SUPPRESSED
    forged = path.replace(str(delivery.pk) + ":", str(delivery.pk + 1) + ":")
    assert client.get(forged).status_code == 404
    assert client.get(reverse("notify_stop", args=["nonsense"])).status_code == 404


def test_the_log_backend_writes_neither_the_number_nor_the_text(caplog):
    delivery = queue("logged")
    with caplog.at_level(logging.INFO, logger="hlgrid.notifier"):
        assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == DeliveryStatus.SENT
    assert PHONE not in caplog.text and "ABCDEFGH23" not in caplog.text
    assert "138****5678" in caplog.text and f"delivery={delivery.pk}" in caplog.text
    assert "TRACKING_CODE" in caplog.text
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 1
    # Sent is sent: a second task does nothing.
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == ""


def test_the_sms_adapter_posts_to_the_provider_with_the_opt_out_link(sms_http):
    delivery = queue("http")
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == DeliveryStatus.SENT
    [request] = sms_http.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer test-key"
    body = request["json"]
    assert body["phone"] == PHONE and body["sign_name"] == "和龙网格" and body["out_id"] == str(delivery.pk)
    assert body["content"].startswith("您的诉求已受理，查询码 ABCDEFGH23 退订: http://127.0.0.1:8000/n/stop/")
    delivery.refresh_from_db()
    assert delivery.provider_ref == "fake-1"


def test_a_refusal_by_the_provider_fails_at_once_and_a_busy_one_is_retried(sms_http):
    sms_http.script.append((400, {"code": "BAD_PHONE"}))
    refused = queue("refused")
    assert services.delivery_send(delivery_id=refused.pk, now=NOW) == DeliveryStatus.FAILED
    refused.refresh_from_db()
    assert refused.last_error == "HTTP 400" and refused.attempts == 1
    sms_http.script.append((200, {"code": "isv.BUSINESS_LIMIT_CONTROL"}))
    coded = queue("coded")
    assert services.delivery_send(delivery_id=coded.pk, now=NOW) == DeliveryStatus.FAILED
    sms_http.fail_next(1, status=503)
    busy = queue("busy")
    assert services.delivery_send(delivery_id=busy.pk, now=NOW) == DeliveryStatus.QUEUED
    busy.refresh_from_db()
    assert busy.last_error == "HTTP 503" and PHONE not in busy.last_error


def test_failures_back_off_exponentially_then_the_message_fails(sms_http, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 4
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    sms_http.fail_next(10)
    delivery = queue("backoff")
    expected_waits = [60, 120, 240]
    at = NOW
    for attempt, wait in enumerate(expected_waits, start=1):
        with time_machine.travel(at, tick=False):
            assert services.delivery_send(delivery_id=delivery.pk) == DeliveryStatus.QUEUED
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.next_attempt_at == at + timedelta(seconds=wait)
        # Before its time a retry waits, whoever asks.
        assert services.delivery_send(delivery_id=delivery.pk, now=at + timedelta(seconds=wait - 1)) == ""
        at += timedelta(seconds=wait)
    with time_machine.travel(at, tick=False):
        assert services.delivery_send(delivery_id=delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 4 and delivery.next_attempt_at is None
    assert len(sms_http.requests) == 4
    assert services.retry_delay(20) == timedelta(seconds=settings.NOTIFY_RETRY_MAX_SECONDS)


def test_after_a_provider_outage_the_sweep_sends_the_message_exactly_once(sms_http, settings, eager_tasks):
    settings.SMS_HTTP_URL = closed_port_url()  # the provider is down
    with time_machine.travel(NOW, tick=False), eager_tasks(execute=True):
        delivery = queue("outage")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 1
    assert delivery.last_error.startswith("connection failed")
    retry_at = delivery.next_attempt_at
    assert retry_at == NOW + timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    # The provider answers again, but 500 for a while.
    settings.SMS_HTTP_URL = sms_http.url("/sms/send")
    sms_http.fail_next(1)
    with time_machine.travel(retry_at, tick=False), eager_tasks(execute=True):
        assert services.deliveries_sweep(now=retry_at - timedelta(seconds=1)) == {"due": 0}
        assert services.deliveries_sweep(now=retry_at) == {"due": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.QUEUED and delivery.last_error == "HTTP 500"
    later = delivery.next_attempt_at
    with time_machine.travel(later, tick=False), eager_tasks(execute=True):
        services.deliveries_sweep(now=later)
        services.deliveries_sweep(now=later + timedelta(minutes=5))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(sms_http.requests) == 2  # the 500 and the one that went through


def test_a_message_whose_task_never_came_is_caught_up_by_the_sweep(settings, eager_tasks):
    delivery = queue("lost")  # not executed: as if the broker had been down
    later = NOW + timedelta(seconds=settings.NOTIFY_CATCH_UP_SECONDS)
    with time_machine.travel(later, tick=False), eager_tasks(execute=True):
        assert services.deliveries_sweep(now=later) == {"due": 1}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_the_wecom_adapter_posts_a_text_message_and_checks_the_errcode(sms_http):
    url = sms_http.url("/cgi-bin/webhook/send?key=abcd-1234")
    delivery = queue("group", channel="WECOM", address=url, text="停水通知", purpose=Purpose.ANNOUNCEMENT)
    assert delivery.address_hint == "127.0.0.1 …1234"
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == DeliveryStatus.SENT
    assert sms_http.requests[-1]["json"] == {"msgtype": "text", "text": {"content": "停水通知"}}
    assert sms_http.requests[-1]["path"] == "/cgi-bin/webhook/send?key=abcd-1234"
    sms_http.script.append(
        (200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [x], from ip: 1.2.3.4"})
    )
    broken = queue("broken", channel="WECOM", address=url, text="停电通知", purpose=Purpose.ANNOUNCEMENT)
    assert services.delivery_send(delivery_id=broken.pk, now=NOW) == DeliveryStatus.FAILED
    broken.refresh_from_db()
    assert broken.last_error == "errcode 93000: invalid webhook url"
    sms_http.script.append((200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    busy = queue("busy", channel="WECOM", address=url, text="通知", purpose=Purpose.ANNOUNCEMENT)
    assert services.delivery_send(delivery_id=busy.pk, now=NOW) == DeliveryStatus.QUEUED


def test_a_failed_message_can_be_sent_again_by_hand(sms_http):
    sms_http.script.append((400, {}))
    delivery = queue("again")
    services.delivery_send(delivery_id=delivery.pk, now=NOW)
    delivery = services.delivery_retry(delivery=Delivery.objects.get(pk=delivery.pk), now=NOW)
    assert delivery.status == DeliveryStatus.QUEUED and delivery.attempts == 0
    assert services.delivery_send(delivery_id=delivery.pk, now=NOW) == DeliveryStatus.SENT
    with pytest.raises(TransitionNotAllowed):
        services.delivery_retry(delivery=delivery)


def test_replies_of_tuiding_collected_by_the_provider_are_entered_with_a_command(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    replies = tmp_path / "replies.txt"
    replies.write_text("13900000000\nnot a number\n", encoding="utf-8")
    out = StringIO()
    call_command("notify_optout", PHONE, "--file", str(replies), stdout=out)
    assert out.getvalue().strip() == "2 number(s) opted out, 1 not a mobile number"
    assert PHONE not in out.getvalue()
    assert set(OptOut.objects.values_list("source", flat=True)) == {OptOutSource.REPLY}
    assert queue("after-reply").status == DeliveryStatus.SUPPRESSED


def test_the_http_sms_backend_refuses_to_start_without_its_url_or_the_public_address():
    from tests.hlgrid.test_settings import manage

    result = manage("check", env={"DEBUG": "1", "SMS_BACKEND": "http"})
    assert result.returncode != 0 and "SMS_BACKEND=http needs SMS_HTTP_URL" in result.stderr
    result = manage(
        "check",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 60,
            "FIELD_ENCRYPTION_KEY": "a" * 43 + "=",
            "ALLOWED_HOSTS": "hlgrid.example.org",
            "SMS_BACKEND": "http",
            "SMS_HTTP_URL": "https://sms.example.org/send",
        },
    )
    assert result.returncode != 0 and "needs PUBLIC_BASE_URL" in result.stderr
    result = manage("check", env={"DEBUG": "1", "SMS_BACKEND": "carrier-pigeon"})
    assert result.returncode != 0 and "SMS_BACKEND must be one of" in result.stderr
