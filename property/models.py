"""Compounds (小区), their property service, the 红心物业 system and old-compound renovation.

A `Compound` is a place over residents.Building rows (`CompoundBuilding`: a building belongs
to at most one compound), registered at a COMMUNITY node; it may span buildings of several
grids of that community. It is served by a `PropertyFirm`, managed by its residents (自管) or
by nobody (无物业).

A firm is in the 红心物业 system from the day it joins (`party_joined_on`), with a Party branch
of its own or a Party-building instructor (党建指导员), and may sit on the joint Party-building
committee (党建联席). Firms are registered at the STREET that supervises them.

Each quarter a street computes a `FirmRating` for each of its firms (property.rating) into a
`StarBoard`; a street official publishes the board (评星公示), after which it is read-only
and visible to all staff of the street.

A `RenovationProject` (老旧小区改造) belongs to one compound: its scope, budget lines by
funding source, spending entries, milestones with before/after photos, an optional
deliberation topic (a string FK: property never imports deliberation) and residents'
survey answers. Money is Decimal yuan with two places.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hlgrid.crypto import EncryptedTextField
from hlgrid.fields import actor_field

MONEY = {"max_digits": 14, "decimal_places": 2}


class CompoundKind(models.TextChoices):
    COMMERCIAL = "COMMERCIAL", _("Commercial housing (商品房)")
    OLD = "OLD", _("Old compound (老旧小区)")
    SCATTERED = "SCATTERED", _("Scattered buildings (散居楼)")
    DORMITORY = "DORMITORY", _("Work-unit dormitory (单位宿舍)")
    ABANDONED = "ABANDONED", _("Abandoned compound (弃管小区)")


class Service(models.TextChoices):
    FIRM = "FIRM", _("Property firm")
    SELF = "SELF", _("Self-managed (自管)")
    NONE = "NONE", _("No property service (无物业)")


class PartyForm(models.TextChoices):
    BRANCH = "BRANCH", _("Party branch of its own")
    INSTRUCTOR = "INSTRUCTOR", _("Party-building instructor (党建指导员)")


class PropertyFirm(models.Model):
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    street = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="property_firms",
        limit_choices_to={"kind": "STREET"},
        verbose_name=_("supervising street"),
    )
    contact_name = models.CharField(_("staff contact"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    contact_phone_hint = models.CharField(_("contact phone (masked)"), max_length=16, blank=True)
    contact_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # 红心物业: joined on a day, with a branch of its own or an instructor.
    party_joined_on = models.DateField(_("joined 红心物业 on"), null=True, blank=True)
    party_form = models.CharField(
        _("Party organisation"), max_length=16, choices=PartyForm.choices, blank=True
    )
    party_instructor = models.CharField(_("Party-building instructor"), max_length=50, blank=True)
    in_joint_committee = models.BooleanField(_("member of the joint Party-building committee"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("property firm")
        verbose_name_plural = _("property firms")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_joined_on__isnull=True) | ~Q(party_form=""),
                name="propertyfirm_joined_has_form",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("property:firm", args=[self.pk])

    @property
    def red_heart(self) -> bool:
        return self.party_joined_on is not None


class Compound(models.Model):
    name = models.CharField(_("name"), max_length=100)
    community = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"kind": "COMMUNITY"},
        verbose_name=_("community"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CompoundKind.choices)
    year_built = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    service = models.CharField(_("property service"), max_length=8, choices=Service.choices)
    firm = models.ForeignKey(
        PropertyFirm,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compounds",
        verbose_name=_("property firm"),
    )
    buildings = models.ManyToManyField(
        "residents.Building", through="CompoundBuilding", related_name="+", verbose_name=_("buildings")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service="FIRM", firm__isnull=False) | (~Q(service="FIRM") & Q(firm__isnull=True)),
                name="compound_firm_iff_service_firm",
            ),
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("property:compound", args=[self.pk])


class CompoundBuilding(models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="links")
    building = models.OneToOneField(
        "residents.Building",
        on_delete=models.CASCADE,
        related_name="compound_link",
        verbose_name=_("building"),
    )

    class Meta:
        verbose_name = _("building of a compound")
        verbose_name_plural = _("buildings of compounds")

    def __str__(self) -> str:
        return f"{self.compound_id}: {self.building_id}"


class PropertyCategory(models.Model):
    """A petition category that counts against the property firm of the place (垃圾清运, 供暖...).

    Configured here, not in petitions: the rating reads petitions in these categories."""

    category = models.OneToOneField(
        "petitions.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("petition category")
    )

    class Meta:
        verbose_name = _("property petition category")
        verbose_name_plural = _("property petition categories")

    def __str__(self) -> str:
        return str(self.category)


SCORE_1_5 = [MinValueValidator(1), MaxValueValidator(5)]


class FirmSatisfactionSample(models.Model):
    """One resident's score (1–5) of a firm, taken on a visit or by staff."""

    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="samples")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="samples")
    score = models.PositiveSmallIntegerField(_("score (1–5)"), validators=SCORE_1_5)
    sampled_on = models.DateField(_("sampled on"))
    visit = models.ForeignKey(
        "residents.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("satisfaction sample")
        verbose_name_plural = _("satisfaction samples")
        indexes = [models.Index(fields=["firm", "sampled_on"], name="firmsample_firm_day")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="firmsample_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} {self.sampled_on}: {self.score}"


def inspection_path(instance, filename: str) -> str:
    return f"property/inspections/{instance.firm_id}/{filename}"


class FirmInspection(models.Model):
    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="inspections")
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("inspected on"))
    inspector = actor_field(_("inspector"))
    score = models.PositiveSmallIntegerField(_("score (0–100)"), validators=[MaxValueValidator(100)])
    findings = models.TextField(_("findings"), blank=True)
    photo = models.FileField(_("photo"), upload_to=inspection_path, blank=True)
    photo_type = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("inspection of a firm")
        verbose_name_plural = _("inspections of firms")
        ordering = ["-inspected_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="firminspection_score_100")]

    def __str__(self) -> str:
        return f"{self.firm_id} {self.inspected_on}: {self.score}"


class BoardStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PUBLISHED = "PUBLISHED", _("Published")


class StarBoard(models.Model):
    """评星公示 of one street's firms for one quarter."""

    street = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="property_boards", verbose_name=_("street")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BoardStatus.choices, default=BoardStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    computed_by = actor_field(_("computed by"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = actor_field(_("published by"))

    class Meta:
        verbose_name = _("star board of property firms")
        verbose_name_plural = _("star boards of property firms")
        ordering = ["-year", "-quarter", "street_id"]
        constraints = [
            models.UniqueConstraint(fields=["street", "year", "quarter"], name="starboard_unique_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="starboard_quarter_1_4"),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def published(self) -> bool:
        return self.status == BoardStatus.PUBLISHED


class FirmRating(models.Model):
    """A firm's figures for one quarter, computed by property.rating (never typed in)."""

    board = models.ForeignKey(StarBoard, on_delete=models.CASCADE, related_name="ratings")
    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    samples = models.PositiveIntegerField(_("satisfaction samples"), default=0)
    sample_average = models.DecimalField(_("average score (1–5)"), max_digits=4, decimal_places=2, null=True)
    petitions = models.PositiveIntegerField(_("petitions against the firm"), default=0)
    petitions_resolved = models.PositiveIntegerField(default=0)
    petitions_on_time = models.PositiveIntegerField(default=0)
    petitions_rated = models.PositiveIntegerField(default=0)
    petitions_satisfied = models.PositiveIntegerField(default=0)
    on_time_rate = models.DecimalField(_("on time (%)"), max_digits=5, decimal_places=2, null=True)
    satisfaction_rate = models.DecimalField(
        _("petitioners satisfied (%)"), max_digits=5, decimal_places=2, null=True
    )
    inspections = models.PositiveIntegerField(_("inspections"), default=0)
    inspection_average = models.DecimalField(_("inspection score"), max_digits=5, decimal_places=2, null=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("quarterly rating of a firm")
        verbose_name_plural = _("quarterly ratings of firms")
        ordering = ["-stars", "-score", "firm__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["firm", "year", "quarter"], name="firmrating_unique_quarter"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__gte=1, stars__lte=5), name="firmrating_stars_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} {self.year} Q{self.quarter}: {self.stars}"


# --- old-compound renovation ------------------------------------------------------------------


class ScopeItem(models.TextChoices):
    ROOF = "ROOF", _("Roofs and waterproofing")
    WALLS = "WALLS", _("Outer walls and insulation")
    PIPES = "PIPES", _("Water, drain and heating pipes")
    GAS = "GAS", _("Gas lines")
    POWER = "POWER", _("Power lines")
    LIFTS = "LIFTS", _("Lifts")
    PARKING = "PARKING", _("Parking")
    LIGHTING = "LIGHTING", _("Lighting")
    ROADS = "ROADS", _("Roads and paving")
    GREENING = "GREENING", _("Greening")
    FIRE = "FIRE", _("Fire safety")
    ACCESS = "ACCESS", _("Barrier-free access")


class ProjectStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Planned")
    UNDERWAY = "UNDERWAY", _("Under way")
    COMPLETED = "COMPLETED", _("Completed")


class FundingSource(models.TextChoices):
    CENTRAL = "CENTRAL", _("Central government")
    PROVINCIAL = "PROVINCIAL", _("Province")
    CITY = "CITY", _("City budget")
    RESIDENTS = "RESIDENTS", _("Residents' contribution")
    REPAIR_FUND = "REPAIR_FUND", _("Property repair fund")


class RenovationProject(models.Model):
    compound = models.ForeignKey(
        Compound, on_delete=models.PROTECT, related_name="renovations", verbose_name=_("compound")
    )
    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("programme year"))
    scope = models.JSONField(_("scope"), default=list, help_text=" | ".join(ScopeItem.values))
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # By string: deliberation is a peer app below us in name only; we never import it.
    topic = models.ForeignKey(
        "deliberation.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("residents' consultation"),
    )
    created_by = actor_field(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renovation project")
        verbose_name_plural = _("renovation projects")
        ordering = ["-year", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="COMPLETED") | Q(completed_on__isnull=False),
                name="renovation_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("property:renovation", args=[self.pk])


class BudgetLine(models.Model):
    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.CharField(_("funding source"), max_length=16, choices=FundingSource.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    set_by = actor_field(_("set by"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="budgetline_one_per_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.amount}"


def voucher_path(instance, filename: str) -> str:
    return f"property/renovations/{instance.project_id}/vouchers/{filename}"


class SpendingEntry(models.Model):
    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="spending")
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    what = models.CharField(_("what for"), max_length=200)
    voucher = models.FileField(_("voucher photo"), upload_to=voucher_path, blank=True)
    voucher_type = models.CharField(max_length=32, blank=True)
    # Filled when this entry takes the spending over the budget: the explicit reason.
    over_budget_reason = models.CharField(_("reason for exceeding the budget"), max_length=300, blank=True)
    recorded_by = actor_field(_("recorded by"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("spending entry")
        verbose_name_plural = _("spending entries")
        ordering = ["spent_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spending_positive")]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.what}: {self.amount}"


class Milestone(models.Model):
    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    reached_on = models.DateField(_("reached on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["reached_on", "id"]

    def __str__(self) -> str:
        return self.title


class PhotoStage(models.TextChoices):
    BEFORE = "BEFORE", _("Before")
    AFTER = "AFTER", _("After")


def milestone_photo_path(instance, filename: str) -> str:
    return f"property/milestones/{instance.milestone_id}/{filename}"


class MilestonePhoto(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=8, choices=PhotoStage.choices)
    file = models.FileField(upload_to=milestone_photo_path)
    content_type = models.CharField(max_length=32)

    class Meta:
        ordering = ["stage", "id"]

    def __str__(self) -> str:
        return self.file.name

    def get_absolute_url(self) -> str:
        return reverse("property:photo", args=[self.pk])


class SurveyAnswer(models.Model):
    """One resident's answer to the completion survey of a renovation (satisfied or not)."""

    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="answers")
    satisfied = models.BooleanField(_("satisfied"))
    answered_on = models.DateField(_("answered on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.project_id} {self.answered_on}"
