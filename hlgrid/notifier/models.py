"""The notifier's rows: every message sent outside the app (Delivery), the opt-outs, and the
per-recipient daily counters. Declared here, registered under the `hlgrid` app (imported by
hlgrid.models), so the ground floor keeps one migrations folder."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.crypto import EncryptedTextField


class Channel(models.TextChoices):
    SMS = "SMS", _("SMS")
    WECOM = "WECOM", _("WeChat Work group")


class Purpose(models.TextChoices):
    TRACKING_CODE = "TRACKING_CODE", _("Tracking code")
    RESOLVED_RATE = "RESOLVED_RATE", _("Resolved, please rate")
    RESULT = "RESULT", _("Result")
    RED_LIGHTS = "RED_LIGHTS", _("Red lights of the day")
    ANNOUNCEMENT = "ANNOUNCEMENT", _("Announcement")
    TEST = "TEST", _("Test message")


class DeliveryStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed")
    SUPPRESSED = "SUPPRESSED", _("Suppressed")


class Delivery(FSMModelMixin, models.Model):
    """One message to one address through one channel, recorded in the transaction that caused
    it and sent after commit. The address (a phone, a webhook URL) is encrypted; its keyed hash
    serves the daily limit and the opt-out; `last_error` never holds personal data."""

    channel = models.CharField(_("message channel"), max_length=8, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    address = EncryptedTextField(_("recipient address"))
    address_hash = models.CharField(max_length=64, editable=False)
    address_hint = models.CharField(_("address (masked)"), max_length=64, blank=True)
    label = models.CharField(_("recipient"), max_length=100, blank=True)
    text = models.TextField(_("message text"))
    status = FSMField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        protected=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_ref = models.CharField(_("provider's reference"), max_length=100, blank=True)
    dedupe_key = models.CharField(max_length=160, unique=True)
    # The grid node the message concerns (a petition's grid, a group's grid), for scoping the log.
    node_id = models.BigIntegerField(_("node"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "hlgrid"
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status="QUEUED"),
            ),
            models.Index(fields=["node_id", "-created_at"], name="delivery_node"),
            models.Index(fields=["status", "-created_at"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} #{self.pk}"

    @transition(field=status, source=DeliveryStatus.QUEUED, target=DeliveryStatus.SENT)
    def mark_sent(self):
        pass

    @transition(field=status, source=DeliveryStatus.QUEUED, target=DeliveryStatus.FAILED)
    def mark_failed(self):
        pass

    @transition(field=status, source=DeliveryStatus.QUEUED, target=DeliveryStatus.SUPPRESSED)
    def mark_suppressed(self):
        pass

    @transition(field=status, source=DeliveryStatus.FAILED, target=DeliveryStatus.QUEUED)
    def requeue(self):
        pass


class OptOutSource(models.TextChoices):
    LINK = "LINK", _("Opt-out link")
    REPLY = "REPLY", _("Reply 退订 to the provider")
    STAFF = "STAFF", _("Entered by staff")


class OptOut(models.Model):
    """An address that asked to receive nothing more on a channel (by its keyed hash only)."""

    channel = models.CharField(_("message channel"), max_length=8, choices=Channel.choices)
    address_hash = models.CharField(max_length=64)
    source = models.CharField(_("opted out by"), max_length=8, choices=OptOutSource.choices)
    created_at = models.DateTimeField(_("opted out"))

    class Meta:
        app_label = "hlgrid"
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_hash"], name="optout_unique_address")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address_hash[:8]}"


class DeliveryCounter(models.Model):
    """Messages counted against an address's daily limit (one row per channel, address, day),
    incremented under a row lock so two concurrent messages cannot both take the last place."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address_hash = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "hlgrid"
        verbose_name = _("delivery counter")
        verbose_name_plural = _("delivery counters")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address_hash", "day"], name="delivery_counter_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.day} {self.count}"
