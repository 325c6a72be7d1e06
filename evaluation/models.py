"""Assessment of grid workers (测评): periods, indicators, inspections, results, bonuses.

A `Scheme` is the editable template (indicators, grade and star thresholds, bonus rule);
every save of a scheme bumps its version. Opening a `Period` copies the scheme into the
period's own `Indicator` rows and its `BonusRule`, so editing the scheme later never
changes an opened period. The period's status is a django-fsm state machine whose
transitions are only called from evaluation.services, on a row locked with
select_for_update.

Results are snapshots: an `Assessment` (one current row per worker and period) with one
`AssessmentLine` per indicator (raw value, points, the rule that turned one into the
other). Recomputing supersedes the current rows (kept, `is_current=False`); an accepted
appeal adds a corrected row that points at the original. Money lives in the append-only
`BonusPayment` ledger: corrections are new rows, never edits.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from grids.models import city_field

# Money is Decimal yuan, rounded once, here, to the fen (0.01) half up.
FEN = Decimal("0.01")
MONEY_ROUNDING = ROUND_HALF_UP


def to_fen(amount: Decimal) -> Decimal:
    """The one rounding of money in the app: to the fen, half up."""
    return Decimal(amount).quantize(FEN, rounding=MONEY_ROUNDING)


class MoneySum(Coalesce):
    """SUM of a money column, 0.00 over no rows, exact to the fen on every database.

    SQLite adds decimal columns as floats (489998.879999970); the total is rounded back
    to the fen here, once, so pages, exports and tests see the same exact amount.
    """

    def __init__(self, field: str, **extra):
        super().__init__(
            Sum(field, **extra),
            Value(Decimal("0.00")),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        )

    def convert_value(self, value, expression, connection):
        return None if value is None else to_fen(value)


def to_points(value: Decimal) -> Decimal:
    """Scores, raw values and points are kept to two decimals, half up."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk UPDATE and DELETE: the rows are a record, not state."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows cannot be changed")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")


class PeriodKind(models.TextChoices):
    MONTH = "MONTH", _("Monthly")
    QUARTER = "QUARTER", _("Quarterly")
    YEAR = "YEAR", _("Yearly")


class Source(models.TextChoices):
    """Where an indicator's raw value comes from."""

    ON_TIME = "ON_TIME", _("Petitions resolved on time (%)")
    SATISFACTION = "SATISFACTION", _("Callback satisfaction (%)")
    REWORK = "REWORK", _("Rework (reopened) rate (%)")
    OVERDUE = "OVERDUE", _("Overdue steps (count)")
    HOUSEHOLD_COVERAGE = "HOUSEHOLD_COVERAGE", _("Household visit coverage (%)")
    KEY_VISITS = "KEY_VISITS", _("Key people visited within interval (%)")
    WINDOW_SERVICES = "WINDOW_SERVICES", _("Services handled at a window (count)")
    MEDIATION_SUCCESS = "MEDIATION_SUCCESS", _("Disputes settled by mediation (%)")
    REPORT_PUNCTUALITY = "REPORT_PUNCTUALITY", _("Monthly dispute reports on time (%)")
    INSPECTION = "INSPECTION", _("Inspection score (manual)")


class Rule(models.TextChoices):
    LINEAR = "LINEAR", _("Linear between bounds")
    THRESHOLDS = "THRESHOLDS", _("Thresholds")
    PENALTY = "PENALTY", _("Penalty per item")


class Method(models.TextChoices):
    LISTEN = "LISTEN", _("Listen (听)")
    RATE = "RATE", _("Resident rating (评)")
    LOOK = "LOOK", _("On-site inspection (看)")
    DELIBERATE = "DELIBERATE", _("Deliberation (议)")


class Mode(models.TextChoices):
    OPEN = "OPEN", _("Open (明察)")
    COVERT = "COVERT", _("Covert (暗访)")


class Grade(models.TextChoices):
    EXCELLENT = "EXCELLENT", _("Excellent (优秀)")
    GOOD = "GOOD", _("Good (良好)")
    PASS = "PASS", _("Pass (合格)")
    FAIL = "FAIL", _("Fail (不合格)")


GRADE_ORDER = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL]


class HeadMode(models.TextChoices):
    AVERAGE_COEFFICIENT = "AVERAGE_COEFFICIENT", _("Base × average coefficient of the grid's workers")
    AVERAGE_TOTAL_GRADE = "AVERAGE_TOTAL_GRADE", _("Base × coefficient of the grade of the workers' average")


class Scheme(models.Model):
    """A city's editable template a period copies when it opens (indicators, thresholds, bonus
    rule)."""

    city = city_field()
    name = models.CharField(_("name"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    excellent_min = models.DecimalField(
        _("excellent from (points)"), max_digits=5, decimal_places=2, default=90
    )
    good_min = models.DecimalField(_("good from (points)"), max_digits=5, decimal_places=2, default=80)
    pass_min = models.DecimalField(_("pass from (points)"), max_digits=5, decimal_places=2, default=60)
    star_thresholds = models.JSONField(
        _("stars from (points, for 5, 4, 3 and 2 stars)"), default=list, help_text="[95, 85, 75, 60]"
    )
    min_tenure_percent = models.PositiveSmallIntegerField(
        _("minimum share of the period in post (%)"), default=50
    )
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (days)"), default=7)
    worker_base = models.DecimalField(
        _("worker bonus base (yuan)"), max_digits=10, decimal_places=2, default=80
    )
    coefficients = models.JSONField(
        _("coefficient per grade"), default=dict, help_text='{"EXCELLENT": "1.2", "GOOD": "1.0", ...}'
    )
    head_base = models.DecimalField(
        _("grid head bonus base (yuan)"), max_digits=10, decimal_places=2, default=60
    )
    head_mode = models.CharField(
        _("grid head bonus"), max_length=24, choices=HeadMode.choices, default=HeadMode.AVERAGE_COEFFICIENT
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="scheme_name_per_city")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SchemeIndicator(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    method = models.CharField(
        _("inspection method"),
        max_length=16,
        choices=Method.choices,
        blank=True,
        help_text=_("Manual indicators only: count only inspections of this method (blank: all)."),
    )
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    params = models.JSONField(_("rule parameters"), default=dict)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="schemeindicator_code")]

    def __str__(self) -> str:
        return self.name


class PeriodStatus(models.TextChoices):
    DRAFT = "DRAFT", pgettext_lazy("period status", "Draft")
    OPEN = "OPEN", pgettext_lazy("period status", "Open")
    COMPUTED = "COMPUTED", pgettext_lazy("period status", "Computed")
    PUBLISHED = "PUBLISHED", pgettext_lazy("period status", "Published")


class Period(FSMModelMixin, models.Model):
    """A city's assessment period: its workers, rankings, star board and bonuses are the city's."""

    city = city_field()
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    status = FSMField(
        _("status"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT, protected=True
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="periods", verbose_name=_("scheme")
    )
    # Frozen when the period opens (copied from the scheme).
    scheme_version = models.PositiveIntegerField(_("scheme version"), null=True, blank=True, editable=False)
    excellent_min = models.DecimalField(max_digits=5, decimal_places=2, null=True, editable=False)
    good_min = models.DecimalField(max_digits=5, decimal_places=2, null=True, editable=False)
    pass_min = models.DecimalField(max_digits=5, decimal_places=2, null=True, editable=False)
    star_thresholds = models.JSONField(default=list, editable=False)
    min_tenure_percent = models.PositiveSmallIntegerField(default=50, editable=False)
    appeal_days = models.PositiveSmallIntegerField(default=7, editable=False)
    run = models.PositiveIntegerField(_("computation run"), default=0, editable=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True, editable=False)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Closing early (evaluation.services.period_close_early): the period's data ends then, and
    # it may be computed as final and published before `ends_on`; who, when and why are kept.
    closed_early_at = models.DateTimeField(_("closed early"), null=True, blank=True, editable=False)
    closed_early_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("closed early by"),
    )
    close_early_reason = models.TextField(_("reason for closing early"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="period_name_per_city"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="period_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # --- the state machine: called only from evaluation.services ---------------------------
    @transition(field=status, source=PeriodStatus.DRAFT, target=PeriodStatus.OPEN)
    def open(self):
        pass

    @transition(field=status, source=[PeriodStatus.OPEN, PeriodStatus.COMPUTED], target=PeriodStatus.COMPUTED)
    def compute(self):
        pass

    @transition(field=status, source=PeriodStatus.COMPUTED, target=PeriodStatus.PUBLISHED)
    def publish(self):
        pass


class Indicator(models.Model):
    """A period's frozen copy of a scheme indicator."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    method = models.CharField(_("inspection method"), max_length=16, choices=Method.choices, blank=True)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    params = models.JSONField(_("rule parameters"), default=dict)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["period", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="indicator_code_per_period")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_automatic(self) -> bool:
        return self.source != Source.INSPECTION


class BonusRule(models.Model):
    """A period's frozen bonus rule: base and coefficient per grade; the grid head's link."""

    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="bonus_rule")
    worker_base = models.DecimalField(_("worker bonus base (yuan)"), max_digits=10, decimal_places=2)
    coefficients = models.JSONField(_("coefficient per grade"), default=dict)
    head_base = models.DecimalField(_("grid head bonus base (yuan)"), max_digits=10, decimal_places=2)
    head_mode = models.CharField(_("grid head bonus"), max_length=24, choices=HeadMode.choices)

    class Meta:
        verbose_name = _("bonus rule")
        verbose_name_plural = _("bonus rules")

    def __str__(self) -> str:
        return f"{self.period} · {self.worker_base}"

    def coefficient(self, grade: str) -> Decimal:
        return Decimal(str(self.coefficients.get(grade, "0")))


class Inspection(models.Model):
    """An inspector's score of a worker (听·评·看·议; 明察 open or 暗访 covert)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="inspections")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections_received",
        verbose_name=_("worker"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.OPEN)
    score = models.DecimalField(_("score (0–100)"), max_digits=5, decimal_places=2)
    notes = models.TextField(_("notes"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections_made",
        verbose_name=_("inspector"),
    )
    inspected_at = models.DateTimeField(_("inspected at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_at", "-id"]
        indexes = [models.Index(fields=["period", "worker"], name="inspection_period_worker")]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_method_display()} · {self.score}"


def _evidence_path(instance, filename: str) -> str:
    import uuid

    # the cleaner (hlgrid.photos) names the file after the format it re-encoded
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"evaluation/{instance.inspection.period_id}/{uuid.uuid4().hex}.{ext}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_evidence_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    def __str__(self) -> str:
        return self.image.name

    def get_absolute_url(self) -> str:
        """The checked view (who may see the inspection), never the file's /media/ address."""
        return reverse("evaluation:photo", args=[self.pk])


class Assessment(models.Model):
    """One worker's result for a period. One current row per worker and period; superseded
    rows (recomputations, appeal originals) are kept with is_current=False."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("worker"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    street = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    run = models.PositiveIntegerField(_("run"))
    is_current = models.BooleanField(_("current"), default=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    rank_street = models.PositiveIntegerField(_("rank in street"), null=True, blank=True)
    rank_city = models.PositiveIntegerField(_("rank in city"), null=True, blank=True)
    bonus = models.DecimalField(_("bonus (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    insufficient_data = models.BooleanField(_("too little data"), default=False)
    insufficient_reason = models.CharField(_("why"), max_length=200, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    created_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["period", "rank_city", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "worker"], condition=Q(is_current=True), name="assessment_one_current"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5) | Q(stars__isnull=True), name="assessment_stars_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "is_current", "grid"], name="assessment_period_grid"),
            models.Index(fields=["worker", "period"], name="assessment_worker"),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.worker} · {self.total}"


class AssessmentLine(models.Model):
    """One indicator of one assessment: raw value → points by the stated rule (snapshotted)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="lines")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    raw = models.DecimalField(_("raw value"), max_digits=9, decimal_places=2, null=True, blank=True)
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    has_data = models.BooleanField(default=True)
    explanation = models.CharField(_("how"), max_length=300)

    class Meta:
        verbose_name = _("assessment line")
        verbose_name_plural = _("assessment lines")
        ordering = ["assessment", "indicator__order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="assessmentline_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.points}"


class HeadBonus(models.Model):
    """A grid head's bonus, derived from the results of the grid's workers."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="head_bonuses")
    head = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    run = models.PositiveIntegerField()
    is_current = models.BooleanField(default=True)
    workers = models.PositiveIntegerField(_("workers counted"))
    factor = models.DecimalField(_("coefficient"), max_digits=8, decimal_places=4)
    amount = models.DecimalField(_("bonus (yuan)"), max_digits=10, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("grid head bonus")
        verbose_name_plural = _("grid head bonuses")
        ordering = ["period", "grid__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "grid"], condition=Q(is_current=True), name="headbonus_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.grid} · {self.amount}"


class Role(models.TextChoices):
    WORKER = "WORKER", _("Grid worker")
    HEAD = "HEAD", _("Grid head")


class PaymentKind(models.TextChoices):
    PAYMENT = "PAYMENT", _("Payment")
    CORRECTION = "CORRECTION", _("Correction")


class BonusPayment(models.Model):
    """The bonus ledger. Never edited: a correction is a new row with the difference."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="payments")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bonus_payments"
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    grid = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("kind"), max_length=12, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    head_bonus = models.ForeignKey(
        HeadBonus, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"))

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("bonus payment")
        verbose_name_plural = _("bonus payments")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["period", "street"], name="payment_period_street"),
            models.Index(fields=["recipient", "created_at"], name="payment_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("a payment is never edited; record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("a payment is never deleted; record a correction instead")


class AppealStatus(models.TextChoices):
    PENDING = "PENDING", pgettext_lazy("appeal status", "Pending")
    ACCEPTED = "ACCEPTED", pgettext_lazy("appeal status", "Accepted")
    REJECTED = "REJECTED", pgettext_lazy("appeal status", "Rejected")


def _not_yet_saved(appeal) -> bool:
    return appeal._state.adding


class Appeal(FSMModelMixin, models.Model):
    """A worker's appeal of a published result; its status moves only through the
    transitions below, called from evaluation.services on a locked row."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="appeals")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    status = FSMField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING, protected=True
    )
    submitted_at = models.DateTimeField(_("submitted"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    corrected = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected result"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=Q(status="PENDING"), name="appeal_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_status_display()}"

    # A new appeal is submitted once and waits (PENDING); an assessor then decides it once.
    @transition(
        field=status, source=AppealStatus.PENDING, target=AppealStatus.PENDING, conditions=[_not_yet_saved]
    )
    def submit(self):
        pass

    @transition(field=status, source=AppealStatus.PENDING, target=AppealStatus.ACCEPTED)
    def accept(self):
        pass

    @transition(field=status, source=AppealStatus.PENDING, target=AppealStatus.REJECTED)
    def reject(self):
        pass


class Notice(models.Model):
    """Publication notices to the street's head and each grid head (an in-app inbox row)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluation_notices"
    )
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="notices")
    node = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "period", "node"], name="notice_once")]

    def __str__(self) -> str:
        return self.text


# --- departments: the street's rating (评价权) and the department assessment -----------------


class DepartmentRating(models.Model):
    """A street's quarterly rating of a department that worked in it (五项权力 评价权):
    a score out of 100 with comments, given by a head or official of the street. One row
    per street, department and period; it can be changed until the period's department
    assessment is published."""

    street = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    department = models.ForeignKey(
        "grids.Department", on_delete=models.PROTECT, related_name="ratings", verbose_name=_("department")
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="department_ratings", verbose_name=_("period")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    comments = models.TextField(_("comments"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rated by")
    )
    rated_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("department rating")
        verbose_name_plural = _("department ratings")
        ordering = ["period", "street", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "department", "period"], name="department_rating_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="department_rating_score_0_100"
            ),
        ]
        indexes = [models.Index(fields=["period", "department"], name="department_rating_period")]

    def __str__(self) -> str:
        return f"{self.period} · {self.street_id} · {self.department_id} · {self.score}"


class DepartmentWeights(models.Model):
    """The city's weights of the league and of the streets' ratings in a department's
    assessment (percent, adding up to 100)."""

    city = models.OneToOneField(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    league_weight = models.PositiveSmallIntegerField(_("league weight (%)"), default=70)
    rating_weight = models.PositiveSmallIntegerField(_("streets' rating weight (%)"), default=30)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("department assessment weights")
        verbose_name_plural = _("department assessment weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(league_weight__lte=100) & Q(rating_weight__lte=100),
                name="department_weights_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.city_id}: {self.league_weight}/{self.rating_weight}"


class DepartmentBoard(models.Model):
    """The published department assessment of a city for a period (部门考核公示): the weights
    it used, who published it and when; its rows are `DepartmentAssessment`."""

    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="department_boards", verbose_name=_("period")
    )
    city = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    league_weight = models.PositiveSmallIntegerField(_("league weight (%)"))
    rating_weight = models.PositiveSmallIntegerField(_("streets' rating weight (%)"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("department assessment")
        verbose_name_plural = _("department assessments")
        ordering = ["-period__starts_on", "city"]
        constraints = [models.UniqueConstraint(fields=["period", "city"], name="department_board_once")]

    def __str__(self) -> str:
        return f"{self.period} · {self.city_id}"


class DepartmentAssessment(models.Model):
    """One department's published result: its league figures and score, the average of the
    streets' ratings, the weighted total and its rank in the city."""

    board = models.ForeignKey(DepartmentBoard, on_delete=models.CASCADE, related_name="rows")
    department = models.ForeignKey(
        "grids.Department", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("department")
    )
    league_score = models.DecimalField(_("league score"), max_digits=5, decimal_places=2)
    rating_score = models.DecimalField(
        _("streets' rating"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    ratings = models.PositiveSmallIntegerField(_("ratings"), default=0)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    figures = models.JSONField(_("league figures"), default=dict)

    class Meta:
        verbose_name = _("department result")
        verbose_name_plural = _("department results")
        ordering = ["board", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["board", "department"], name="department_assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.board} · {self.department_id} · {self.total}"
