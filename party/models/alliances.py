"""Party-building alliances (城市基层党建联盟): member units paired with grids, in-service
Party members who report to the grid where they live, and joint projects with their reports."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.crypto import EncryptedTextField, mask_phone
from party.models.chain import PartyOrganization
from party.models.common import created_by_field


class Alliance(models.Model):
    """A Party-building alliance (城市基层党建联盟) led by an organisation of the chain."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("led by")
    )
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = created_by_field()

    class Meta:
        verbose_name = _("Party-building alliance")
        verbose_name_plural = _("Party-building alliances")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    ORGAN = "ORGAN", _("Government organ")
    ENTERPRISE = "ENTERPRISE", _("Enterprise")
    INSTITUTION = "INSTITUTION", _("Public institution")
    SOCIAL = "SOCIAL", _("Social organisation")


class MemberUnit(models.Model):
    """A member unit of an alliance (机关企事业单位), paired with the grids it serves."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="units", verbose_name=_("alliance")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    grids = models.ManyToManyField(
        "grids.GridNode", blank=True, related_name="paired_units", verbose_name=_("paired grids")
    )
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    # The unit's contact (联络员) logs in to see its in-service members and their records.
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_units",
        verbose_name=_("contact account"),
    )
    created_by = created_by_field(_("added by"))

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        ordering = ["alliance_id", "name"]

    def __str__(self) -> str:
        return self.name


class InServiceMember(models.Model):
    """An in-service Party member (在职党员) of a member unit, who reports (报到) to the grid
    where they live and serves there."""

    unit = models.ForeignKey(
        MemberUnit, on_delete=models.PROTECT, related_name="in_service_members", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=64)
    phone = EncryptedTextField(_("phone"), blank=True)
    resident = models.OneToOneField(
        "residents.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="in_service_membership",
        verbose_name=_("resident"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="in_service_membership",
        verbose_name=_("account"),
    )
    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="in_service_members",
        verbose_name=_("reported to grid"),
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    created_by = created_by_field(_("added by"))

    class Meta:
        verbose_name = _("in-service Party member")
        verbose_name_plural = _("in-service Party members")
        ordering = ["unit_id", "name", "id"]
        indexes = [models.Index(fields=["grid", "reported_at"], name="inservice_grid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(grid__isnull=True, reported_at__isnull=True)
                | Q(grid__isnull=False, reported_at__isnull=False),
                name="inservice_reported_has_grid_and_time",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


def inservice_photo_path(instance, filename: str) -> str:
    return f"party/in-service/{instance.grid_id}/{filename}"


class InServiceRecord(models.Model):
    """A service an in-service member gave in the grid they reported to: logged by the member
    (`recorded_by` is the member's account) or by the grid's staff, with a photo optionally."""

    member = models.ForeignKey(
        InServiceMember, on_delete=models.PROTECT, related_name="records", verbose_name=_("member")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    served_on = models.DateField(_("served on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=200)
    # Cleaned by hlgrid.photos (EXIF stripped, re-encoded); served by party.inservice_views.photo.
    photo = models.FileField(_("photo"), upload_to=inservice_photo_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("in-service record")
        verbose_name_plural = _("in-service records")
        ordering = ["-served_on", "-id"]
        indexes = [models.Index(fields=["grid", "served_on"], name="inservicerecord_grid")]

    def __str__(self) -> str:
        return f"{self.member} · {self.served_on}"


class ProjectStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    COMPLETED = "COMPLETED", _("Completed")
    SUSPENDED = "SUSPENDED", _("Suspended")


class JointProject(FSMModelMixin, models.Model):
    """A joint project (共建项目) of an alliance, with the units and grids involved.

    The status is a django-fsm state machine (PLANNED → IN_PROGRESS → COMPLETED, and
    SUSPENDED in between); its transitions are called only from party.services.alliances,
    inside a transaction, on a row locked with select_for_update.
    """

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="projects", verbose_name=_("alliance")
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField(MemberUnit, blank=True, related_name="projects", verbose_name=_("units"))
    grids = models.ManyToManyField(
        "grids.GridNode", blank=True, related_name="party_projects", verbose_name=_("grids")
    )
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("grid node"),
    )
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    status = FSMField(
        _("status"),
        max_length=16,
        choices=ProjectStatus.choices,
        default=ProjectStatus.PLANNED,
        protected=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = created_by_field()

    class Meta:
        verbose_name = _("joint project")
        verbose_name_plural = _("joint projects")
        ordering = ["alliance_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gte=0), name="jointproject_budget_not_negative"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="jointproject_progress_le_100"),
        ]

    def __str__(self) -> str:
        return self.name

    # --- the state machine: called only from party.services.alliances -----------------------
    @transition(
        field=status,
        source=[ProjectStatus.PLANNED, ProjectStatus.SUSPENDED],
        target=ProjectStatus.IN_PROGRESS,
    )
    def start(self):
        """Work begins (the first progress report), or a suspended project resumes."""

    @transition(
        field=status,
        source=[ProjectStatus.PLANNED, ProjectStatus.IN_PROGRESS],
        target=ProjectStatus.SUSPENDED,
    )
    def suspend(self):
        pass

    @transition(field=status, source=ProjectStatus.IN_PROGRESS, target=ProjectStatus.COMPLETED)
    def complete(self):
        self.progress = 100


class ProjectReport(models.Model):
    """A progress report on a joint project (append-only)."""

    project = models.ForeignKey(
        JointProject, on_delete=models.PROTECT, related_name="reports", verbose_name=_("project")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    spent = models.DecimalField(
        _("spent so far (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    text = models.TextField(_("report"))

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.progress}%"
