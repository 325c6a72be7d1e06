"""The Party organisation chain over the grids (一核) and the two drives sunk into them:
volunteer service (爱心时间银行) and the general social workers at the service windows (全科社工).

Every model that a user sees carries a `node` (or `grid`) foreign key to the grids.GridNode
under which it lives, so grids.access filters it with one EXISTS.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from hlgrid.crypto import EncryptedTextField, mask_phone

# --- the chain (一核) ------------------------------------------------------------------------


class OrgKind(models.TextChoices):
    WORKING_COMMITTEE = "WORKING_COMMITTEE", _("Street Party working committee")
    GENERAL_BRANCH = "GENERAL_BRANCH", _("Community Party general branch")
    GRID_BRANCH = "GRID_BRANCH", _("Grid Party branch")
    BUILDING_GROUP = "BUILDING_GROUP", _("Building Party group")
    CENTRAL_HOUSEHOLD = "CENTRAL_HOUSEHOLD", _("Party member central household")


ORG_KIND_ORDER = [
    OrgKind.WORKING_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.GRID_BRANCH,
    OrgKind.BUILDING_GROUP,
    OrgKind.CENTRAL_HOUSEHOLD,
]
ORG_CHILD_KIND = {ORG_KIND_ORDER[i]: ORG_KIND_ORDER[i + 1] for i in range(len(ORG_KIND_ORDER) - 1)}


class PartyOrganization(MPTTModel):
    """One organisation of the five-level chain, with the territory it covers.

    Territory by kind: a working committee covers a STREET (`node`), a general branch a
    COMMUNITY (`node`), a grid branch one or more GRIDs (`grids`), a building group one or
    more buildings (`buildings`), a central household one household (`household`) and the
    neighbouring households it keeps contact with (`contact_households`). `node` is always
    the lowest grid node that holds the whole territory (the anchor used for scoping).
    Write only through party.services (tree lock, kind and territory checks).
    """

    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="party_organizations",
        verbose_name=_("grid node"),
    )
    grids = models.ManyToManyField(
        "grids.GridNode",
        blank=True,
        related_name="party_branches",
        verbose_name=_("grids"),
    )
    buildings = models.ManyToManyField(
        "residents.Building",
        blank=True,
        related_name="party_groups",
        verbose_name=_("buildings"),
    )
    household = models.ForeignKey(
        "residents.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="central_household_orgs",
        verbose_name=_("household"),
    )
    contact_households = models.ManyToManyField(
        "residents.Household",
        blank=True,
        related_name="party_contacts",
        verbose_name=_("households in contact"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")
        indexes = [
            models.Index(fields=["tree_id", "lft", "rght"], name="partyorg_subtree"),
            models.Index(fields=["kind"], name="partyorg_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="CENTRAL_HOUSEHOLD", household__isnull=False)
                | (~Q(kind="CENTRAL_HOUSEHOLD") & Q(household__isnull=True)),
                name="partyorg_household_iff_central_household",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    SECRETARY = "SECRETARY", _("Secretary")
    DEPUTY = "DEPUTY", _("Deputy secretary")
    COMMITTEE = "COMMITTEE", _("Committee member")
    MEMBER = "MEMBER", _("Member")


class PartyMember(models.Model):
    """A Party member belonging to an organisation of the chain (a resident, or a cadre
    without a residence record, such as a working committee's secretary)."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    resident = models.OneToOneField(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_membership",
        verbose_name=_("resident"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["organization_id", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role="SECRETARY", is_active=True),
                name="partymember_one_secretary",
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- alliances, units, in-service members, joint projects --------------------------------------


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


class InServiceRecord(models.Model):
    """A service an in-service member gave in the grid they reported to."""

    member = models.ForeignKey(
        InServiceMember, on_delete=models.PROTECT, related_name="records", verbose_name=_("member")
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    served_on = models.DateField(_("served on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=200)
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


# Which status may follow which (party.services.project_set_status enforces it).
PROJECT_TRANSITIONS = {
    ProjectStatus.PLANNED: {ProjectStatus.IN_PROGRESS, ProjectStatus.SUSPENDED},
    ProjectStatus.IN_PROGRESS: {ProjectStatus.COMPLETED, ProjectStatus.SUSPENDED},
    ProjectStatus.SUSPENDED: {ProjectStatus.IN_PROGRESS},
    ProjectStatus.COMPLETED: set(),
}


class JointProject(models.Model):
    """A joint project (共建项目) of an alliance, with the units and grids involved."""

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
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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


# --- the volunteer time bank (爱心时间银行) ---------------------------------------------------


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


class Activity(models.Model):
    """A service activity volunteers sign up for; hours confirmed become points at
    `points_per_hour` (the configured rate, copied from settings when created)."""

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
    status = models.CharField(
        _("status"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
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


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "SIGNED_UP", _("Signed up")
    CONFIRMED = "CONFIRMED", _("Attended")
    ABSENT = "ABSENT", _("Absent")
    CANCELLED = "CANCELLED", _("Cancelled")


class SignUp(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="signups", verbose_name=_("activity")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED_UP
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


# --- general social workers and service windows (全科社工) ----------------------------------


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
    served_at = models.DateTimeField(_("served at"), db_index=True)
    minutes = models.PositiveIntegerField(_("time taken (minutes)"))
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
