"""Residents' requests (诉求) and their five-step workflow, timers, accountability and escalation.

The statuses (of a petition, a handling request, a whistle) are django-fsm state machines
whose transitions are only ever called from petitions.services, inside a transaction, on a
row locked with select_for_update. The current step's due and warn times are stored on the
row; the light is a pure function of them and the clock (hlgrid.lights), stored by the
sweep for cheap filtering and recomputed on every read so a late sweep never shows a
wrong light.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from grids.models import city_field
from hlgrid.crypto import EncryptedTextField
from hlgrid.lights import Light


class Level(models.TextChoices):
    GRID = "GRID", _("Grid")
    COMMUNITY = "COMMUNITY", _("Community")
    STREET = "STREET", _("Street")
    DEPARTMENT = "DEPARTMENT", _("Department")


class Rung(models.TextChoices):
    """The escalation ladder a red petition climbs, one rung per interval of working hours."""

    GRID = "GRID", _("Grid")
    COMMUNITY = "COMMUNITY", _("Community")
    STREET = "STREET", _("Street")
    CITY = "CITY", _("City supervision")


class Urgency(models.TextChoices):
    """研判: how urgent the verifier judges a petition; the category's rules shorten its limits."""

    NORMAL = "NORMAL", _("Ordinary")
    URGENT = "URGENT", _("Urgent")
    CRITICAL = "CRITICAL", _("Extra urgent")


class Risk(models.TextChoices):
    """研判: the risks the verifier records (each a column of the petition, see RISK_FIELDS)."""

    SAFETY = "SAFETY", _("Safety risk")
    STABILITY = "STABILITY", _("Stability risk")
    VULNERABLE = "VULNERABLE", _("Vulnerable person involved")


RISK_FIELDS = {
    Risk.SAFETY: "risk_safety",
    Risk.STABILITY: "risk_stability",
    Risk.VULNERABLE: "risk_vulnerable",
}


class LimitUnit(models.TextChoices):
    HOURS = "HOURS", _("hours")
    WORKDAYS = "WORKDAYS", _("working days")


class Category(models.Model):
    """A two-level catalogue (市容环境 › 垃圾清运) with keywords, department, level and time limits."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    city = city_field()
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by spaces or commas.")
    )
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("responsible department"),
    )
    level = models.CharField(_("handling level"), max_length=16, choices=Level.choices, default=Level.GRID)
    verify_hours = models.PositiveIntegerField(_("verify within (hours)"), default=24)
    handle_limit = models.PositiveIntegerField(_("handle within"), default=3)
    handle_unit = models.CharField(
        _("handle limit unit"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS
    )
    callback_days = models.PositiveIntegerField(_("call back within (days)"), default=3)
    # 研判: an urgent or extra urgent petition is handled within these hours at the most
    # (never later than the ordinary limit would give).
    urgent_hours = models.PositiveIntegerField(_("handle within when urgent (hours)"), default=24)
    critical_hours = models.PositiveIntegerField(_("handle within when extra urgent (hours)"), default=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="category_code_per_city"),
            models.CheckConstraint(condition=Q(handle_limit__gt=0), name="category_positive_handle_limit"),
            models.CheckConstraint(condition=Q(verify_hours__gt=0), name="category_positive_verify_hours"),
            models.CheckConstraint(
                condition=Q(critical_hours__gt=0) & Q(critical_hours__lte=models.F("urgent_hours")),
                name="category_urgency_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.replace("，", ",").replace(",", " ").split() if k]


class Source(models.TextChoices):
    RESIDENT = "RESIDENT", _("Resident (web)")
    VISIT = "VISIT", _("Worker visit")
    HOTLINE = "HOTLINE", _("Hotline")
    WINDOW = "WINDOW", _("Service window")
    WALK_IN = "WALK_IN", _("Walk-in")
    PARTNER = "PARTNER", _("12345 hotline platform")
    HEAD = "HEAD", _("Building or unit head")


class Status(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    RECEIVED = "RECEIVED", _("Received")
    VERIFIED = "VERIFIED", _("Verified, awaiting classification")
    ESCALATED = "ESCALATED", _("Handed up")
    HANDLING = "HANDLING", _("Being handled")
    PAUSED = "PAUSED", _("Paused")
    RESOLVED = "RESOLVED", _("Resolved, awaiting callback")
    CLOSED = "CLOSED", _("Closed")
    REJECTED = "REJECTED", _("Rejected")
    MERGED = "MERGED", _("Merged")


# Statuses whose current step runs a clock (PAUSED stops it; DRAFT has not started it).
OPEN_STATUSES = [Status.RECEIVED, Status.VERIFIED, Status.ESCALATED, Status.HANDLING, Status.RESOLVED]
# Everything not finished (the queues show these).
ACTIVE_STATUSES = [*OPEN_STATUSES, Status.PAUSED]
FINAL_STATUSES = [Status.CLOSED, Status.REJECTED, Status.MERGED]


class Step(models.TextChoices):
    VERIFY = "VERIFY", _("Verify")
    CLASSIFY = "CLASSIFY", _("Classify")
    HANDLE = "HANDLE", _("Handle")
    CALLBACK = "CALLBACK", _("Call back")


STEP_OF_STATUS = {
    Status.RECEIVED: Step.VERIFY,
    Status.VERIFIED: Step.CLASSIFY,
    Status.ESCALATED: Step.CLASSIFY,
    Status.HANDLING: Step.HANDLE,
    Status.PAUSED: Step.HANDLE,
    Status.RESOLVED: Step.CALLBACK,
}


class Satisfaction(models.TextChoices):
    SATISFIED = "SATISFIED", _("Satisfied")
    PARTLY = "PARTLY", _("Partly satisfied")
    UNSATISFIED = "UNSATISFIED", _("Unsatisfied")


class Petition(FSMModelMixin, models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, protected=True
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("category"),
        db_index=False,  # petition_category_status leads with it
    )
    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("grid"),
        db_index=False,  # petition_grid_status leads with it
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The reporter's contact: optional, encrypted at rest, masked everywhere, revealed with a log row.
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True, default="")
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True, default="")
    reporter_phone_hint = models.CharField(_("phone (masked)"), max_length=16, blank=True)
    # The keyed hash finds a petition by the exact phone without decrypting every row.
    reporter_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    # The reporter asked to be told by SMS (the tracking code, "resolved, please rate", the result).
    reporter_notify = models.BooleanField(_("keep me informed by SMS"), default=False)

    level = models.CharField(_("handling level"), max_length=16, choices=Level.choices, default=Level.GRID)
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("department"),
        db_index=False,  # petition_department_status leads with it
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_petitions",
        verbose_name=_("responsible worker"),
        db_index=False,  # petition_assignee_status leads with it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken in by"),
    )
    visit_id = models.BigIntegerField(_("visit"), null=True, blank=True, unique=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
        db_index=False,  # petition_merged_into: the few merged ones
    )

    # Timer of the current step.
    step = models.CharField(_("step"), max_length=16, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(_("step started"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning from"), null=True, blank=True)
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_changed_at = models.DateTimeField(null=True, blank=True)
    # The ladder: where a red petition has climbed to, and when it reached that rung.
    rung = models.CharField(_("escalation level"), max_length=16, choices=Rung.choices, default=Rung.GRID)
    rung_changed_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # A level the petition climbed to took it over (接管) and reassigned it.
    taken_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken over by"),
        db_index=False,  # petition_taken_over: the few taken over
    )
    taken_over_at = models.DateTimeField(_("taken over at"), null=True, blank=True)

    # 研判 at verification: urgency and risks, and the key person (重点人群) involved.
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    risk_safety = models.BooleanField(_("safety risk"), default=False)
    risk_stability = models.BooleanField(_("stability risk"), default=False)
    risk_vulnerable = models.BooleanField(_("vulnerable person involved"), default=False)
    # A residents.KeyMembership (residents is optional for petitions: no foreign key).
    key_person_id = models.BigIntegerField(_("key person"), null=True, blank=True)

    # Milestones (the assessment reads these).
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    classified_at = models.DateTimeField(_("classified"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    rework_count = models.PositiveIntegerField(_("rework"), default=0)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        # No default ordering: aggregates and subqueries over this large table stay unordered.
        indexes = [
            models.Index(fields=["grid", "status"], name="petition_grid_status"),
            # No index holds `light` or `light_changed_at`: the sweep rewrites them in place
            # (a HOT update) instead of touching every index of a million-row table. A row
            # whose page is full is written elsewhere and gets an entry in every index whose
            # condition it meets, so the foreign keys have no index of their own where a
            # composite one leads with them, and the rare ones are partial (their PROTECT
            # checks, `x = id`, use them).
            models.Index(
                fields=["merged_into"], name="petition_merged_into", condition=Q(merged_into__isnull=False)
            ),
            models.Index(
                fields=["taken_over_by"], name="petition_taken_over", condition=Q(taken_over_by__isnull=False)
            ),
            models.Index(fields=["assignee", "status"], name="petition_assignee_status"),
            models.Index(fields=["department", "status"], name="petition_department_status"),
            models.Index(fields=["received_at"], name="petition_received"),
            models.Index(fields=["category", "status"], name="petition_category_status"),
            models.Index(
                fields=["reporter_phone_hash"],
                name="petition_reporter_phone",
                condition=~Q(reporter_phone_hash=""),
            ),
            # The sweep scans only rows whose clock runs.
            models.Index(fields=["due_at"], name="petition_open_due", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(
                fields=["warn_at"], name="petition_open_warn", condition=Q(status__in=OPEN_STATUSES)
            ),
            # The dashboards' and the assessment's windows.
            models.Index(
                fields=["resolved_at"], name="petition_resolved", condition=Q(resolved_at__isnull=False)
            ),
            models.Index(fields=["closed_at"], name="petition_closed", condition=Q(status=Status.CLOSED)),
            # The hotspots' "came back after closing": the closed ones at a grid, of a category,
            # by when (a few rows per petition instead of the category's every row).
            models.Index(
                fields=["grid", "category", "closed_at"],
                name="petition_closed_place",
                condition=Q(status=Status.CLOSED),
            ),
            # The inbox's and the API's urgency filter: the few judged urgent.
            models.Index(
                fields=["urgency", "status"], name="petition_urgent", condition=~Q(urgency=Urgency.NORMAL)
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def risks(self) -> list[str]:
        """The risks recorded at verification (Risk values), in their order."""
        return [risk for risk, field in RISK_FIELDS.items() if getattr(self, field)]

    @property
    def judged(self) -> bool:
        return self.urgency != Urgency.NORMAL or bool(self.risks)

    # --- the state machine: called only from petitions.services ---------------------------
    @transition(field=status, source=Status.DRAFT, target=Status.RECEIVED)
    def submit(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.VERIFIED)
    def verify(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=[Status.RECEIVED, Status.VERIFIED], target=Status.MERGED)
    def merge(self):
        pass

    @transition(field=status, source=[Status.VERIFIED, Status.ESCALATED], target=Status.HANDLING)
    def classify(self):
        pass

    @transition(
        field=status, source=[Status.VERIFIED, Status.ESCALATED, Status.HANDLING], target=Status.ESCALATED
    )
    def escalate(self):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.PAUSED)
    def pause(self):
        pass

    @transition(field=status, source=Status.PAUSED, target=Status.HANDLING)
    def resume(self):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.HANDLING)
    def extend(self):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.VERIFIED)
    def give_back(self):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.RESOLVED)
    def resolve(self):
        pass

    @transition(
        field=status, source=[Status.VERIFIED, Status.ESCALATED, Status.HANDLING], target=Status.HANDLING
    )
    def take_over(self):
        pass

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED)
    def close(self):
        pass

    @transition(field=status, source=Status.RESOLVED, target=Status.HANDLING)
    def reopen(self):
        pass


class PetitionJoin(models.Model):
    """A resident who met the same problem and joined an open report (我也遇到了) instead of
    filing a duplicate: their own tracking code, the same updates, their own rating."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="joins")
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True, default="")
    reporter_phone_hint = models.CharField(_("phone (masked)"), max_length=16, blank=True)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, default="", editable=False)
    reporter_notify = models.BooleanField(_("keep me informed by SMS"), default=False)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("joined report")
        verbose_name_plural = _("joined reports")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["reporter_phone_hash"],
                name="petitionjoin_phone",
                condition=~Q(reporter_phone_hash=""),
            )
        ]

    def __str__(self) -> str:
        return self.tracking_code


class PetitionEvent(models.Model):
    """One row per transition (and per progress note): who, when, from, to, why."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The department a return (退单) came from: the petition's own department is cleared on
    # return, so the league counts returns per department from this column.
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["petition", "at"], name="petitionevent_petition_at"),
            models.Index(
                fields=["department", "at"],
                name="petitionevent_department_at",
                condition=Q(department__isnull=False),
            ),
            models.Index(
                fields=["actor", "at"], name="petitionevent_actor_at", condition=Q(actor__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Overdue(models.Model):
    """Accountability: a step that went past its due time, and who was responsible then."""

    # The sweep writes these by the million in a mass expiry: no index of their own where the
    # constraint or an index below leads with them.
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="overdues", db_index=False)
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overdues",
        verbose_name=_("responsible worker"),
        db_index=False,
    )
    department = models.ForeignKey(
        "grids.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overdues",
        db_index=False,
    )
    grid = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("was due"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("overdue record")
        verbose_name_plural = _("overdue records")
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "step", "due_at"], name="overdue_once_per_deadline")
        ]
        indexes = [
            models.Index(fields=["user", "due_at"], name="overdue_user_due"),
            models.Index(fields=["department", "due_at"], name="overdue_department_due"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.step} {self.due_at:%Y-%m-%d}"


class Pause(models.Model):
    """Every pause (挂起): the clock's remaining time is kept and the due time moves on resume."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="pauses")
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    due_remaining = models.DurationField()
    warn_remaining = models.DurationField()

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition"], condition=Q(ended_at__isnull=True), name="pause_one_open_per_petition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.started_at:%Y-%m-%d}"


class RequestKind(models.TextChoices):
    PAUSE = "PAUSE", _("Pause")
    EXTEND = "EXTEND", _("Extension")


class RequestStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    GRANTED = "GRANTED", _("Granted")
    DENIED = "DENIED", _("Denied")


class HandlingRequest(FSMModelMixin, models.Model):
    """A handler's request for a pause or an extension; the head above grants or denies it."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(_("kind"), max_length=8, choices=RequestKind.choices)
    reason = models.TextField(_("reason"))
    hours = models.PositiveIntegerField(_("extra hours"), null=True, blank=True)
    status = FSMField(
        _("status"),
        max_length=8,
        choices=RequestStatus.choices,
        default=RequestStatus.PENDING,
        protected=True,
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handling request")
        verbose_name_plural = _("handling requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind"],
                condition=Q(status="PENDING"),
                name="request_one_pending_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind} {self.status}"

    @transition(field=status, source=RequestStatus.PENDING, target=RequestStatus.GRANTED)
    def grant(self):
        pass

    @transition(field=status, source=RequestStatus.PENDING, target=RequestStatus.DENIED)
    def deny(self):
        pass


class AttachmentKind(models.TextChoices):
    INTAKE = "INTAKE", _("Report photo")
    RESOLUTION = "RESOLUTION", _("Resolution photo")


def attachment_path(instance, filename: str) -> str:
    return f"petitions/{instance.petition_id}/{filename}"


class Attachment(models.Model):
    """A photo, checked to be a real image and stored without its EXIF metadata."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    content_type = models.CharField(max_length=32)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name

    def get_absolute_url(self) -> str:
        """For staff: the checked view (scope of the petition), never the file's /media/ address.
        Reporters reach their photos through the tracking code instead (`tracking_url`)."""
        return reverse("petitions:attachment", args=[self.pk])

    def tracking_url(self, code: str) -> str:
        return reverse("petitions:track_photo", args=[code, self.pk])


class IdempotencyKey(models.Model):
    """The first answer to a public request with an Idempotency-Key.

    The row is inserted in the same transaction that creates the petition: a concurrent
    retry blocks on the unique key until the first commits, then reads its answer.
    """

    key = models.CharField(max_length=128, unique=True)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=201)
    response = models.JSONField(default=dict)
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key


class NotificationKind(models.TextChoices):
    YELLOW = "YELLOW", _("Due soon")
    RED = "RED", _("Overdue")
    ASSIGNED = "ASSIGNED", _("Assigned to you")
    ESCALATED = "ESCALATED", _("Handed up")
    REQUEST = "REQUEST", _("Request to decide")
    REOPENED = "REOPENED", _("Reopened")
    WHISTLE = "WHISTLE", _("Whistle: check in")
    CHECKIN_LATE = "CHECKIN_LATE", _("Check-in late")
    CLIMBED = "CLIMBED", _("Overdue petition climbed to your level")
    CRITICAL = "CRITICAL", _("Extra urgent petition")


class Notification(models.Model):
    """The in-app inbox. `dedupe_key` makes a notification idempotent (the sweep may run twice)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    whistle = models.ForeignKey("Whistle", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.CharField(_("text"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
            models.Index(fields=["recipient", "created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class WhistleStatus(models.TextChoices):
    OPEN = "OPEN", _("Open")
    CLOSED = "CLOSED", _("Closed")


class Whistle(FSMModelMixin, models.Model):
    """街区吹哨: a street official summons departments on a petition or a problem of its own."""

    street = models.ForeignKey("grids.GridNode", on_delete=models.PROTECT, related_name="whistles")
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, null=True, blank=True, related_name="whistles"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(_("blown at"))
    deadline = models.DateTimeField(_("check in by"))
    status = FSMField(
        _("status"), max_length=8, choices=WhistleStatus.choices, default=WhistleStatus.OPEN, protected=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-blown_at"]
        indexes = [models.Index(fields=["street", "status"], name="whistle_street_status")]

    def __str__(self) -> str:
        return self.title

    @transition(field=status, source=WhistleStatus.OPEN, target=WhistleStatus.CLOSED)
    def close(self):
        pass


class CheckIn(models.Model):
    """部门报到: one summoned department, its own deadline and light, then its action report."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="checkins")
    department = models.ForeignKey("grids.Department", on_delete=models.PROTECT, related_name="checkins")
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning from"))
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_changed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    report = models.TextField(_("action report"), blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["whistle", "department__code"]
        constraints = [
            models.UniqueConstraint(fields=["whistle", "department"], name="checkin_once_per_department")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="checkin_pending_due", condition=Q(checked_in_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id} {self.department_id}"

    @property
    def late(self) -> bool:
        return self.checked_in_at is not None and self.checked_in_at > self.due_at
