"""Queue, send, retry and refuse messages outside the app (see the package's docstring).

These are building blocks of the use cases above (which have checked their actor through the
policy): the ground floor knows no posts. The pages that list or retry deliveries scope them
first (portal.deliveries).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.notifier.channels import Outgoing, SendError, channel
from hlgrid.notifier.models import (
    Channel,
    Delivery,
    DeliveryCounter,
    DeliveryStatus,
    OptOut,
    OptOutSource,
    Purpose,
)
from hlgrid.tasks import backoff_seconds, enqueue

logger = logging.getLogger("hlgrid.notifier")

SEND_TASK = "hlgrid.tasks.delivery_send"
STOP_SALT = "hlgrid.notifier.stop"
SUPPRESSED_OPTED_OUT = "opted out"
TEXT_MAX = 500


def _address_hash(channel_name: str, address: str) -> str:
    # One keyed hash per channel: the same phone in another channel is another recipient.
    return lookup_hash(f"{channel_name}:{address}")


def daily_limit(channel_name: str) -> int:
    return int(settings.NOTIFY_DAILY_LIMITS.get(channel_name, 0))


def stop_token(delivery_id: int) -> str:
    return signing.Signer(salt=STOP_SALT).sign(str(delivery_id))


def stop_url(delivery_id: int) -> str:
    return public_url(reverse("notify_stop", args=[stop_token(delivery_id)]))


def public_url(path: str) -> str:
    """An absolute link for a message read outside the site (PUBLIC_BASE_URL + path)."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _take_place(channel_name: str, address_hash: str, day) -> bool:
    """Count one message against the address's daily limit; False when it is used up.

    One conditional UPDATE (the database re-checks the count under the row lock, so two
    concurrent messages cannot both take the last place); the day's first message inserts
    the counter, and a concurrent first insert falls back to the UPDATE."""
    limit = daily_limit(channel_name)
    if limit <= 0:
        return True
    counter = DeliveryCounter.objects.filter(channel=channel_name, address_hash=address_hash, day=day)
    if counter.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    try:
        with transaction.atomic():
            DeliveryCounter.objects.create(channel=channel_name, address_hash=address_hash, day=day, count=1)
        return True
    except IntegrityError:
        return bool(counter.filter(count__lt=limit).update(count=F("count") + 1))


def delivery_queue(
    *,
    channel: str,
    address: str,
    text: str,
    purpose: str,
    dedupe: str,
    node_id: int | None = None,
    label: str = "",
    now: datetime | None = None,
) -> Delivery:
    """Record a message in the caller's transaction and send it after commit.

    A repeat of `dedupe` queues nothing (the first row is answered). An address that opted
    out, or one over its daily limit, gets a SUPPRESSED row with the reason and nothing is
    sent. An SMS ends with the link of its opt-out page.
    """
    adapter = _channel(channel)
    if purpose not in Purpose.values:
        raise InvalidInput.field("purpose", _("Unknown purpose."))
    dedupe = (dedupe or "").strip()
    if not dedupe or len(dedupe) > 160:
        raise InvalidInput.field("dedupe", _("A message needs a key of at most 160 characters."))
    text = (text or "").strip()
    if not text:
        raise InvalidInput.field("text", _("The message is empty."))
    address = adapter.normalise(address)
    existing = Delivery.objects.filter(dedupe_key=dedupe).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    address_hash = _address_hash(channel, address)
    reason = ""
    try:
        with transaction.atomic():
            if OptOut.objects.filter(channel=channel, address_hash=address_hash).exists():
                reason = SUPPRESSED_OPTED_OUT
            elif not _take_place(channel, address_hash, timezone.localdate(now)):
                reason = f"over the daily limit ({daily_limit(channel)})"
            delivery = Delivery.objects.create(
                channel=channel,
                purpose=purpose,
                address=address,
                address_hash=address_hash,
                address_hint=adapter.hint(address)[:64],
                label=(label or "")[:100],
                text=text[:TEXT_MAX],
                status=DeliveryStatus.SUPPRESSED if reason else DeliveryStatus.QUEUED,
                last_error=reason,
                dedupe_key=dedupe,
                node_id=node_id,
                # The sweep sends it if the task never comes (the broker was down).
                next_attempt_at=None if reason else now + timedelta(seconds=settings.NOTIFY_CATCH_UP_SECONDS),
                created_at=now,
            )
    except IntegrityError:
        existing = Delivery.objects.filter(dedupe_key=dedupe).first()
        if existing is None:
            raise
        return existing
    if not reason:
        enqueue(SEND_TASK, delivery.pk)
    return delivery


def _channel(name: str):
    if name not in Channel.values:
        raise InvalidInput.field("channel", _("Unknown channel."))
    return channel(name)


def _with_stop_link(delivery: Delivery) -> str:
    if delivery.channel != Channel.SMS:
        return delivery.text
    return f"{delivery.text} {_('Unsubscribe')}: {stop_url(delivery.pk)}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: base, 2×base, 4×base… up to the cap."""
    return timedelta(
        seconds=backoff_seconds(
            attempts, base=settings.NOTIFY_RETRY_BASE_SECONDS, cap=settings.NOTIFY_RETRY_MAX_SECONDS
        )
    )


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one queued message once: lock its row (another worker holding it skips it), send,
    mark SENT; on failure count the attempt and wait (exponential backoff), FAILED after the
    last try or a permanent refusal. Answers the row's status (or "" when there was nothing
    to do). A retry waits for its time; a first try goes at once."""
    from django.utils import translation

    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=DeliveryStatus.QUEUED)
            .first()
        )
        if delivery is None:
            return ""
        if delivery.attempts and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return ""
        if OptOut.objects.filter(channel=delivery.channel, address_hash=delivery.address_hash).exists():
            delivery.mark_suppressed()
            delivery.last_error = SUPPRESSED_OPTED_OUT
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            return delivery.status
        with translation.override(settings.LANGUAGE_CODE):
            message = Outgoing(
                delivery_id=delivery.pk,
                channel=delivery.channel,
                purpose=delivery.purpose,
                address=delivery.address,
                text=_with_stop_link(delivery),
            )
        delivery.attempts += 1
        try:
            reference = channel(delivery.channel).send(message)
        except SendError as error:
            delivery.last_error = error.reason
            if error.permanent or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                delivery.mark_failed()
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            logger.warning(
                "delivery %s (%s %s) attempt %s failed: %s",
                delivery.pk,
                delivery.channel,
                delivery.purpose,
                delivery.attempts,
                error.reason,
            )
        else:
            delivery.mark_sent()
            delivery.sent_at = timezone.now()
            delivery.next_attempt_at = None
            delivery.last_error = ""
            delivery.provider_ref = (reference or "")[:100]
        delivery.save(
            update_fields=[
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
                "provider_ref",
                "sent_at",
                "updated_at",
            ]
        )
        return delivery.status


def deliveries_sweep(*, now: datetime, limit: int = 500) -> dict:
    """The sweeper: send again every queued message whose time has come (after an outage of
    the provider or of the broker nothing is lost; it goes out here)."""
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        enqueue(SEND_TASK, pk)
    return {"due": len(due)}


def delivery_retry(*, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Queue a FAILED message again by hand (the caller has scoped it): a fresh set of tries."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if locked is None:
            raise NotFound()
        if locked.status != DeliveryStatus.FAILED:
            raise TransitionNotAllowed(_("Only a failed message can be sent again."))
        locked.requeue()
        locked.attempts = 0
        locked.next_attempt_at = now + timedelta(seconds=settings.NOTIFY_CATCH_UP_SECONDS)
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        enqueue(SEND_TASK, locked.pk)
    return locked


def optout_record(*, channel: str, address: str, source: str, now: datetime | None = None) -> OptOut:
    """Send nothing more to `address` on `channel` (idempotent); its queued messages are dropped."""
    adapter = _channel(channel)
    if source not in OptOutSource.values:
        raise InvalidInput.field("source", _("Unknown way of opting out."))
    return _opt_out(channel, _address_hash(channel, adapter.normalise(address)), source, now)


def _opt_out(channel_name: str, address_hash: str, source: str, now: datetime | None) -> OptOut:
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = OptOut.objects.create(
                    channel=channel_name, address_hash=address_hash, source=source, created_at=now
                )
        except IntegrityError:
            row = OptOut.objects.get(channel=channel_name, address_hash=address_hash)
        for queued in Delivery.objects.select_for_update().filter(
            channel=channel_name, address_hash=address_hash, status=DeliveryStatus.QUEUED
        ):
            queued.mark_suppressed()
            queued.last_error = SUPPRESSED_OPTED_OUT
            queued.next_attempt_at = None
            queued.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
    return row


def delivery_from_stop_token(token: str) -> Delivery:
    """The delivery an opt-out link was sent in (a forged or altered link names nothing)."""
    try:
        pk = int(signing.Signer(salt=STOP_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise NotFound() from None
    delivery = Delivery.objects.filter(pk=pk).first()
    if delivery is None:
        raise NotFound()
    return delivery


def optout_by_token(*, token: str, now: datetime | None = None) -> OptOut:
    """The resident followed the link in a message: that address gets nothing more there."""
    delivery = delivery_from_stop_token(token)
    return _opt_out(delivery.channel, delivery.address_hash, OptOutSource.LINK, now)


def is_opted_out(*, channel: str, address_hash: str) -> bool:
    return OptOut.objects.filter(channel=channel, address_hash=address_hash).exists()
