"""The 12345 hotline exchange: partner platforms, their work orders and what we push back.

- `Partner` (合作平台): one hotline platform of one city, with its key id, its secret
  (encrypted at rest: we need it in clear to check and to sign), its callback URL, where
  its orders go by default and how its category codes map onto ours.
- `PartnerOrder`: one work order of a partner, idempotent by (partner, order number), with
  the hotline's own deadlines (签收 accept, 办结 finish) kept beside our petition's clocks.
- `PartnerDelivery`: the outbox. One row per message to the partner (签收 accept, 退单
  return, 回单 reply, satisfaction) and per petition event, written in the transaction of
  the event itself, sent after commit by a Celery task with retries.
- `PartnerNonce`: the signatures already seen within the freshness window (no replays).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.crypto import EncryptedTextField


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=64)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    key_id = models.CharField(_("key id"), max_length=40, unique=True, editable=False)
    secret = EncryptedTextField(_("secret"), editable=False)
    secret_rotated_at = models.DateTimeField(_("secret issued"), null=True, blank=True)
    # After a rotation the old secret still verifies the partner's requests until this moment,
    # so a platform can switch without a gap; a leaked secret is rotated with no grace at all.
    previous_secret = EncryptedTextField(_("previous secret"), blank=True, editable=False)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    callback_url = models.URLField(
        _("callback URL"),
        max_length=300,
        blank=True,
        help_text=_("Where accept, return, reply and satisfaction are posted; empty: written to the log."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    city = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    default_grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default grid"),
        help_text=_("Where an order goes when neither its grid code nor its position names a grid."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner platform")
        verbose_name_plural = _("partner platforms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class CategoryMapping(models.Model):
    """A partner's category code and the category of ours it stands for."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="mappings")
    their_code = models.CharField(_("their code"), max_length=64)
    category = models.ForeignKey(
        "petitions.Category", on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("category mapping")
        verbose_name_plural = _("category mappings")
        ordering = ["their_code"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "their_code"], name="exchange_mapping_once")
        ]

    def __str__(self) -> str:
        return f"{self.their_code} → {self.category_id}"


class OrderState(models.TextChoices):
    RECEIVED = "RECEIVED", _("Received, not yet accepted")
    ACCEPTED = "ACCEPTED", _("Accepted")
    RETURNED = "RETURNED", _("Returned to the hotline")
    REPLIED = "REPLIED", _("Replied")
    RATED = "RATED", _("Rated by the caller")


class PartnerOrder(FSMModelMixin, models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="orders")
    order_no = models.CharField(_("order number"), max_length=64)
    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.PROTECT, related_name="partner_order"
    )
    # The sha256 of the order's content as received: the same number with another body is a conflict.
    request_hash = models.CharField(max_length=64, editable=False)
    their_category = models.CharField(_("their category code"), max_length=64, blank=True)
    state = FSMField(
        _("state"), max_length=16, choices=OrderState.choices, default=OrderState.RECEIVED, protected=True
    )
    received_at = models.DateTimeField(_("received"))
    accept_due_at = models.DateTimeField(_("accept due (hotline)"), null=True, blank=True)
    accept_warn_at = models.DateTimeField(null=True, blank=True)
    finish_due_at = models.DateTimeField(_("finish due (hotline)"), null=True, blank=True)
    finish_warn_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)

    class Meta:
        verbose_name = _("hotline order")
        verbose_name_plural = _("hotline orders")
        constraints = [
            models.UniqueConstraint(fields=["partner", "order_no"], name="exchange_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.order_no}"

    @transition(field=state, source=OrderState.RECEIVED, target=OrderState.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=OrderState.RECEIVED, target=OrderState.RETURNED)
    def give_back(self):
        pass

    @transition(field=state, source=[OrderState.ACCEPTED, OrderState.REPLIED], target=OrderState.REPLIED)
    def reply(self):
        pass

    @transition(field=state, source=OrderState.REPLIED, target=OrderState.RATED)
    def rate(self):
        pass

    @transition(field=state, source=OrderState.REPLIED, target=OrderState.ACCEPTED)
    def reopen(self):
        pass


class DeliveryKind(models.TextChoices):
    ACCEPT = "ACCEPT", _("Accept (签收)")
    RETURN = "RETURN", _("Return (退单)")
    REPLY = "REPLY", _("Reply (回单)")
    SATISFACTION = "SATISFACTION", _("Satisfaction")


class DeliveryStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Queued")
    SENT = "SENT", _("Sent")
    FAILED = "FAILED", _("Failed")


class PartnerDelivery(FSMModelMixin, models.Model):
    order = models.ForeignKey(PartnerOrder, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=16, choices=DeliveryKind.choices)
    # The petition event that caused it: one message per (order, kind, event), never two.
    event_id = models.BigIntegerField()
    payload = models.JSONField(_("payload"))
    status = FSMField(
        _("status"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        protected=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_at = models.DateTimeField(_("next attempt"))
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery to the hotline")
        verbose_name_plural = _("deliveries to the hotline")
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "event_id"], name="exchange_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["next_at"], name="exchange_delivery_queued", condition=Q(status="QUEUED")),
            models.Index(fields=["status", "created_at"], name="exchange_delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.status}"

    @transition(field=status, source=DeliveryStatus.QUEUED, target=DeliveryStatus.SENT)
    def mark_sent(self):
        pass

    @transition(field=status, source=DeliveryStatus.QUEUED, target=DeliveryStatus.FAILED)
    def mark_failed(self):
        pass

    @transition(field=status, source=DeliveryStatus.FAILED, target=DeliveryStatus.QUEUED)
    def requeue(self):
        pass


class PartnerNonce(models.Model):
    """A signature seen within the freshness window; a second request carrying it is a replay."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "signature"], name="exchange_nonce_once"),
        ]
        indexes = [models.Index(fields=["seen_at"], name="exchange_nonce_seen")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.seen_at:%Y-%m-%d %H:%M:%S}"
