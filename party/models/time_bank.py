"""The volunteer time bank (爱心时间银行): volunteers, activities and sign-ups, an append-only
points ledger, rewards and redemptions."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from party.models.alliances import InServiceMember
from party.models.chain import PartyMember, PartyOrganization
from party.models.common import created_by_field


class Volunteer(models.Model):
    """A volunteer of the time bank: a resident or an in-service member, with or without an
    account. `balance` is the sum of the ledger, kept on the row that redemptions lock."""

    name = models.CharField(_("name"), max_length=64)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("account"),
    )
    resident = models.OneToOneField(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("resident"),
    )
    in_service_member = models.OneToOneField(
        InServiceMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("in-service member"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("home grid")
    )
    balance = models.DecimalField(_("points balance"), max_digits=12, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = created_by_field(_("registered by"))

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="volunteer_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    SERVICE = "SERVICE", _("Volunteer service")
    MONTHLY_THEME = "MONTHLY_THEME", _("Monthly theme service")
    PARTY_LECTURE = "PARTY_LECTURE", _("Rotating theme Party lecture")


class ActivityStatus(models.TextChoices):
    OPEN = "OPEN", _("Open for sign-up")
    FINISHED = "FINISHED", _("Finished")
    CANCELLED = "CANCELLED", _("Cancelled")


class Activity(FSMModelMixin, models.Model):
    """A service activity volunteers sign up for; hours confirmed become points at
    `points_per_hour` (the configured rate, copied from settings when created).

    The status changes through `cancel` (party.services.time_bank) and, for activities that
    have ended, through the sweeper's one set-based UPDATE to FINISHED.
    """

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.SERVICE
    )
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organised by"),
    )
    lecturer = models.ForeignKey(
        PartyMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lectures",
        verbose_name=_("lecturer"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="party_activities", verbose_name=_("grid")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_activities",
        verbose_name=_("organiser"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), default=20)
    points_per_hour = models.DecimalField(_("points per hour"), max_digits=6, decimal_places=2)
    status = FSMField(
        _("status"),
        max_length=16,
        choices=ActivityStatus.choices,
        default=ActivityStatus.OPEN,
        protected=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "starts_at"], name="activity_grid_time"),
            models.Index(fields=["status", "ends_at"], name="activity_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(points_per_hour__gte=0), name="activity_rate_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @transition(field=status, source=ActivityStatus.OPEN, target=ActivityStatus.CANCELLED)
    def cancel(self):
        pass


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "SIGNED_UP", _("Signed up")
    CONFIRMED = "CONFIRMED", _("Attended")
    ABSENT = "ABSENT", _("Absent")
    CANCELLED = "CANCELLED", _("Cancelled")


class SignUp(FSMModelMixin, models.Model):
    """A volunteer's place in an activity. The status is a django-fsm state machine whose
    transitions are called only from party.services.time_bank, on a locked row."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="signups", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = FSMField(
        _("status"),
        max_length=16,
        choices=SignUpStatus.choices,
        default=SignUpStatus.SIGNED_UP,
        protected=True,
    )
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    signed_up_at = models.DateTimeField(_("signed up at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="signup_once_per_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} · {self.activity_id}"

    # --- the state machine: called only from party.services.time_bank ----------------------
    @transition(field=status, source=SignUpStatus.SIGNED_UP, target=SignUpStatus.CONFIRMED)
    def confirm(self):
        pass

    @transition(field=status, source=SignUpStatus.SIGNED_UP, target=SignUpStatus.ABSENT)
    def mark_absent(self):
        pass

    @transition(field=status, source=SignUpStatus.SIGNED_UP, target=SignUpStatus.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=SignUpStatus.CANCELLED, target=SignUpStatus.SIGNED_UP)
    def renew(self):
        """A volunteer who cancelled signs up again: the same row, a new place."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk UPDATE and DELETE: ledger rows are a record, corrections are new rows."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows cannot be changed")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")


class EntryKind(models.TextChoices):
    EARNED = "EARNED", _("Earned")
    REDEEMED = "REDEEMED", _("Redeemed")
    CORRECTION = "CORRECTION", _("Correction")


class PointsEntry(models.Model):
    """One line of a volunteer's points ledger. Never edited or deleted: a correction is a
    new entry that names the one it corrects. `grid` is the volunteer's grid when booked,
    so rankings per grid and period are one GROUP BY."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="entries", verbose_name=_("volunteer")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    points = models.DecimalField(_("points"), max_digits=10, decimal_places=2)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("0"))
    signup = models.ForeignKey(
        SignUp,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("sign-up"),
    )
    redemption = models.ForeignKey(
        "Redemption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("redemption"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    booked_at = models.DateTimeField(_("booked at"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-booked_at", "-id"]
        indexes = [
            models.Index(fields=["volunteer", "booked_at"], name="points_volunteer_time"),
            models.Index(fields=["grid", "booked_at"], name="points_grid_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["signup"], condition=Q(kind="EARNED"), name="points_earned_once_per_signup"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.points:+}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("a ledger entry is immutable; book a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("ledger entries cannot be deleted")


class Reward(models.Model):
    """Something points can be redeemed for."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    price = models.DecimalField(_("price (points)"), max_digits=10, decimal_places=2)
    stock = models.PositiveIntegerField(
        _("in stock"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    is_active = models.BooleanField(_("available"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["price", "name"]
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="reward_price_positive")]

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("volunteer")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    points = models.DecimalField(_("points"), max_digits=10, decimal_places=2)
    redeemed_at = models.DateTimeField(_("redeemed at"))

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.reward}"
