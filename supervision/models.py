"""督办 and 追责: supervision orders and accountability cases.

A supervision order (督办) is issued by a head or an official over a petition, a whistle, a
deliberation resolution or a recurring problem of the targeted-service list: it has its own
deadline and light (hlgrid.lights, swept by supervision.sweep), a handler who must reply in
writing, and is closed (accepted) or sent back by the issuer only.

An accountability case (追责) is opened by the sweep for every petitions.Overdue row and every
whistle check-in made after its deadline (or still missing after it); a head reviews it:
excused (with a reason), warned or penalised. Only cases not excused count in assessments
(`counted`, `excused_overdues`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.fields import actor_field
from hlgrid.lights import Light


class Subject(models.TextChoices):
    PETITION = "PETITION", _("Petition")
    WHISTLE = "WHISTLE", _("Whistle")
    RESOLUTION = "RESOLUTION", _("Resolution")
    PROBLEM = "PROBLEM", _("Recurring problem")


class OrderStatus(models.TextChoices):
    OPEN = "OPEN", _("Awaiting reply")
    REPLIED = "REPLIED", _("Replied")
    CLOSED = "CLOSED", _("Closed")


class Order(FSMModelMixin, models.Model):
    """督办: an order to act on one subject by a deadline, answered in writing."""

    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="supervision_orders", verbose_name=_("node")
    )
    subject = models.CharField(_("subject"), max_length=12, choices=Subject.choices)
    petition = models.ForeignKey(
        "petitions.Petition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    whistle = models.ForeignKey(
        "petitions.Whistle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    resolution = models.ForeignKey(
        "deliberation.Resolution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    title = models.CharField(_("title"), max_length=120)
    instruction = models.TextField(_("instruction"), max_length=4000)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
        verbose_name=_("handler"),
    )
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
        verbose_name=_("department"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    due_at = models.DateTimeField(_("reply due"))
    warn_at = models.DateTimeField(_("due soon from"))
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = FSMField(
        _("status"), max_length=8, choices=OrderStatus.choices, default=OrderStatus.OPEN, protected=True
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    replied_by = actor_field(_("replied by"))
    replied_late = models.BooleanField(_("replied late"), null=True, blank=True)
    returns = models.PositiveIntegerField(_("sent back"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["node", "status"], name="order_node_status"),
            models.Index(fields=["due_at"], condition=Q(status="OPEN"), name="order_open_due"),
            models.Index(fields=["handler", "status"], name="order_handler_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("warn_at")), name="order_warn_before_due"
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject="PETITION", petition__isnull=False)
                    | Q(subject="WHISTLE", whistle__isnull=False)
                    | Q(subject="RESOLUTION", resolution__isnull=False)
                    | Q(subject="PROBLEM")
                ),
                name="order_subject_present",
            ),
            models.CheckConstraint(
                condition=Q(handler__isnull=False) | Q(department__isnull=False), name="order_has_handler"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:order", args=[self.pk])

    # --- the state machine: called only from supervision.services ---------------------------
    @transition(field=status, source=OrderStatus.OPEN, target=OrderStatus.REPLIED)
    def answer(self):
        pass

    @transition(field=status, source=OrderStatus.REPLIED, target=OrderStatus.OPEN)
    def send_back(self):
        pass

    @transition(field=status, source=OrderStatus.REPLIED, target=OrderStatus.CLOSED)
    def close(self):
        pass


class OrderEvent(models.Model):
    """The history of an order: issued, replied, sent back (with the issuer's note), closed."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=12)
    actor = actor_field(_("by"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("supervision event")
        verbose_name_plural = _("supervision events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.action}"


class CaseKind(models.TextChoices):
    OVERDUE = "OVERDUE", _("Overdue step")
    CHECKIN = "CHECKIN", _("Late check-in")


class Outcome(models.TextChoices):
    PENDING = "PENDING", _("To review")
    EXCUSED = "EXCUSED", _("Excused")
    WARNED = "WARNED", _("Warned")
    PENALISED = "PENALISED", _("Penalised")


class ExcuseReason(models.TextChoices):
    PAUSED = "PAUSED", _("Paused or waiting on others")
    MISROUTED = "MISROUTED", _("Misrouted")
    FORCE_MAJEURE = "FORCE_MAJEURE", _("Force majeure")


class Case(FSMModelMixin, models.Model):
    """追责: one missed deadline (an Overdue row or a late check-in) and a head's review of it."""

    kind = models.CharField(_("kind"), max_length=8, choices=CaseKind.choices)
    overdue = models.OneToOneField(
        "petitions.Overdue", on_delete=models.CASCADE, null=True, blank=True, related_name="case"
    )
    checkin = models.OneToOneField(
        "petitions.CheckIn", on_delete=models.CASCADE, null=True, blank=True, related_name="case"
    )
    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("node")
    )
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountability_cases",
        verbose_name=_("responsible worker"),
    )
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountability_cases",
        verbose_name=_("department"),
    )
    due_at = models.DateTimeField(_("was due"))
    opened_at = models.DateTimeField(_("opened"))
    outcome = FSMField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING, protected=True
    )
    reason = models.CharField(_("excuse"), max_length=16, choices=ExcuseReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    reviewed_by = actor_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["node", "outcome"], name="case_node_outcome"),
            models.Index(fields=["department", "due_at"], name="case_department_due"),
            models.Index(fields=["user", "due_at"], name="case_user_due"),
            models.Index(fields=["outcome"], condition=Q(outcome="EXCUSED"), name="case_excused"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="OVERDUE", overdue__isnull=False, checkin__isnull=True)
                | Q(kind="CHECKIN", checkin__isnull=False, overdue__isnull=True),
                name="case_one_source",
            ),
            models.CheckConstraint(
                condition=Q(outcome="EXCUSED", reason__gt="") | (~Q(outcome="EXCUSED") & Q(reason="")),
                name="case_excuse_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_at:%Y-%m-%d}"

    @property
    def counted(self) -> bool:
        """Whether the case counts in assessments: every case not excused (pending included)."""
        return self.outcome != Outcome.EXCUSED

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.EXCUSED)
    def excuse(self):
        pass

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.WARNED)
    def warn(self):
        pass

    @transition(field=outcome, source=Outcome.PENDING, target=Outcome.PENALISED)
    def penalise(self):
        pass


class NoticeKind(models.TextChoices):
    ISSUED = "ISSUED", _("A supervision order for you")
    REPLIED = "REPLIED", _("A reply to your supervision order")
    SENT_BACK = "SENT_BACK", _("Your reply was sent back")
    RED = "RED", _("A supervision order is overdue")


class Notice(models.Model):
    """The app's inbox (the petitions' inbox belongs to petitions): one row per recipient and
    event, written in the transaction of the change or by the sweep against `dedupe_key`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_notices"
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    dedupe_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="supervision_notice_unread"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"
