"""General social workers at the comprehensive service windows (全科社工): service items,
windows, qualifications, the duty rotation (轮岗) and the services handled at a window."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from party.models.common import created_by_field


class ServiceItem(models.Model):
    """A service item (民政, 残联, ...) residents come to a window for."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=32)
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_items",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceWindow(models.Model):
    """A comprehensive service window (综合窗口) where any item can be served."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="service_windows",
        verbose_name=_("grid node"),
    )
    place = models.CharField(_("place"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SocialWorker(models.Model):
    """A general social worker (全科社工): qualified for some items, rotating between window
    duty and duty in a home grid."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="social_worker",
        verbose_name=_("account"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="social_workers", verbose_name=_("home grid")
    )
    items = models.ManyToManyField(
        ServiceItem, blank=True, related_name="qualified_workers", verbose_name=_("qualified for")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = created_by_field(_("added by"))

    class Meta:
        verbose_name = _("social worker")
        verbose_name_plural = _("social workers")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class DutyKind(models.TextChoices):
    WINDOW = "WINDOW", _("Window duty")
    GRID = "GRID", _("Grid duty")


class DutyShift(models.Model):
    """A stretch of duty in the rotation (轮岗): at a window, or in a grid. `node` is the
    window's node or the grid, for scoping."""

    worker = models.ForeignKey(
        SocialWorker, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("social worker")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DutyKind.choices)
    window = models.ForeignKey(
        ServiceWindow,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("window"),
    )
    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid node")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    created_by = created_by_field(_("scheduled by"))

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "window_id", "worker_id"]
        indexes = [
            models.Index(fields=["window", "starts_at", "ends_at"], name="shift_window_time"),
            models.Index(fields=["worker", "starts_at"], name="shift_worker_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="WINDOW", window__isnull=False) | Q(kind="GRID", window__isnull=True),
                name="dutyshift_window_iff_window_duty",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="dutyshift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_kind_display()} · {self.starts_at:%Y-%m-%d %H:%M}"


class ServiceOutcome(models.TextChoices):
    DONE = "DONE", _("Done on the spot")
    ACCEPTED = "ACCEPTED", _("Accepted, to be finished")
    REFERRED = "REFERRED", _("Referred to a department")
    ADVISED = "ADVISED", _("Advice given")
    MISSING = "MISSING", _("Papers missing, to come back")


class WindowService(models.Model):
    """A service handled at a window: counted by the evaluation like a visit (by `worker`
    and `served_at`)."""

    window = models.ForeignKey(
        ServiceWindow, on_delete=models.PROTECT, related_name="services", verbose_name=_("window")
    )
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="services", verbose_name=_("service item")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="window_services",
        verbose_name=_("worker"),
    )
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="window_services",
        verbose_name=_("resident"),
    )
    # Who came, when they are not picked from the register (a name as they gave it).
    visitor_name = models.CharField(_("who came"), max_length=64, blank=True)
    served_at = models.DateTimeField(_("served at"), db_index=True)
    minutes = models.PositiveIntegerField(_("time taken (minutes)"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ServiceOutcome.choices, default=ServiceOutcome.DONE
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("window service")
        verbose_name_plural = _("window services")
        ordering = ["-served_at", "-id"]
        indexes = [
            models.Index(fields=["worker", "served_at"], name="windowservice_worker_time"),
            models.Index(fields=["window", "served_at"], name="windowservice_window_time"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.served_at:%Y-%m-%d %H:%M}"
