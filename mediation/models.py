"""Disputes found and settled in the grid (矛盾纠纷排查调解, 枫桥经验).

A `Case` is registered from a visit, a petition, a hotline call or a walk-in, with its
parties (registered residents, whose personal data stays in residents.Resident, or outside
parties whose name and phone are encrypted here the same way), graded low / medium / high
(研判), mediated in sessions, settled by an agreement (调解协议) or referred on (司法所,
派出所, 法院 诉调对接), and closed only when the follow-up (回访) confirms the agreement
holds. Its status is a django-fsm state machine whose transitions are only ever called
from mediation.services, inside a transaction, on a row locked with select_for_update;
every step writes a `CaseEvent` with its actor.

The current step's due and warn times are stored on the case; the light is a pure
function of them and the clock (hlgrid.lights), stored by the sweep for cheap filtering.

Every GRID reports its month (`MonthlyReport`, 排查): the disputes registered that month or
an explicit zero report (零报告). The sweep records a grid that missed the deadline.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from hlgrid.crypto import EncryptedTextField, mask_name, mask_phone
from hlgrid.fields import actor_field
from hlgrid.lights import Light


class Kind(models.TextChoices):
    NEIGHBOUR = "NEIGHBOUR", _("Neighbours")
    FAMILY = "FAMILY", _("Marriage and family")
    PROPERTY_MANAGEMENT = "PROPERTY", _("Property management")
    LABOUR = "LABOUR", _("Labour and wages")
    LAND_HOUSING = "LAND", _("Land and housing")
    DEBT = "DEBT", _("Debts and contracts")
    OTHER = "OTHER", _("Other")


class Source(models.TextChoices):
    VISIT = "VISIT", _("Household visit")
    PETITION = "PETITION", _("Petition")
    HOTLINE = "HOTLINE", _("Hotline call")
    WALK_IN = "WALK_IN", _("Walk-in")


class Risk(models.TextChoices):
    LOW = "LOW", _("Low risk")
    MEDIUM = "MEDIUM", _("Medium risk")
    HIGH = "HIGH", _("High risk")


class Status(models.TextChoices):
    REGISTERED = "REGISTERED", _("Registered")
    GRADED = "GRADED", _("Graded")
    MEDIATING = "MEDIATING", _("Mediating")
    AGREED = "AGREED", _("Agreement reached")
    CLOSED = "CLOSED", _("Closed (settled)")
    REFERRED = "REFERRED", _("Referred on")


OPEN_STATUSES = (Status.REGISTERED, Status.GRADED, Status.MEDIATING, Status.AGREED)


class ReferredTo(models.TextChoices):
    JUDICIAL = "JUDICIAL", _("Judicial office (司法所)")
    POLICE = "POLICE", _("Police station (派出所)")
    COURT = "COURT", _("Court (诉调对接)")


class MediatorKind(models.TextChoices):
    GRID_WORKER = "GRID_WORKER", _("Grid worker")
    MEDIATOR = "MEDIATOR", _("People's mediator (调解员)")
    JUDICIAL = "JUDICIAL", _("Judicial office (司法所)")


class Case(FSMModelMixin, models.Model):
    grid = models.ForeignKey(
        "grids.GridNode",
        on_delete=models.PROTECT,
        related_name="mediation_cases",
        limit_choices_to={"kind": "GRID"},
        verbose_name=_("grid"),
    )
    status = FSMField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED, protected=True
    )
    kind = models.CharField(_("kind of dispute"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("found through"), max_length=16, choices=Source.choices)
    description = models.TextField(_("description"))
    visit = models.OneToOneField(
        "residents.Visit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediation_case",
        verbose_name=_("visit"),
    )
    # By string: mediation never imports petitions (the portal turns a petition into a case).
    petition = models.OneToOneField(
        "petitions.Petition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediation_case",
        verbose_name=_("petition"),
    )
    registered_at = models.DateTimeField(_("registered"))
    registered_by = actor_field(_("registered by"))

    risk = models.CharField(_("risk"), max_length=8, choices=Risk.choices, blank=True)
    risk_reasons = models.TextField(_("reasons for the risk grade"), blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)

    referred_to = models.CharField(_("referred to"), max_length=16, choices=ReferredTo.choices, blank=True)
    referral_reason = models.TextField(_("reason for referral"), blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)

    # Timer of the current step.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    light = models.CharField(_("light"), max_length=8, choices=Light.choices, default=Light.GREEN)
    light_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dispute case")
        verbose_name_plural = _("dispute cases")
        indexes = [
            models.Index(fields=["grid", "status"], name="mediationcase_grid_status"),
            models.Index(fields=["grid", "registered_at"], name="mediationcase_grid_registered"),
            models.Index(fields=["concluded_at"], name="mediationcase_concluded"),
            models.Index(
                fields=["due_at"], name="mediationcase_open_due", condition=Q(status__in=OPEN_STATUSES)
            ),
            models.Index(
                fields=["risk"],
                name="mediationcase_open_high",
                condition=Q(status__in=OPEN_STATUSES, risk="HIGH"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="REFERRED") | ~Q(referred_to=""),
                name="mediationcase_referral_names_where",
            ),
            models.CheckConstraint(
                condition=Q(status="REGISTERED") | ~Q(risk=""), name="mediationcase_graded_has_risk"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- the state machine: called only from mediation.services ---------------------------
    @transition(field=status, source=Status.REGISTERED, target=Status.GRADED)
    def grade(self):
        pass

    @transition(field=status, source=[Status.GRADED, Status.MEDIATING], target=Status.MEDIATING)
    def mediate(self):
        pass

    @transition(field=status, source=Status.MEDIATING, target=Status.AGREED)
    def agree(self):
        pass

    @transition(field=status, source=[Status.GRADED, Status.MEDIATING], target=Status.REFERRED)
    def refer(self):
        pass

    @transition(field=status, source=Status.AGREED, target=Status.CLOSED)
    def close(self):
        pass

    @transition(field=status, source=Status.AGREED, target=Status.MEDIATING)
    def reopen(self):
        pass


class PartyRole(models.TextChoices):
    APPLICANT = "APPLICANT", _("Applicant")
    RESPONDENT = "RESPONDENT", _("Respondent")
    OTHER = "OTHER", _("Other party")


class Party(models.Model):
    """A party to a dispute: a registered resident (personal data stays in the register and is
    revealed through residents.services), or an outside party (a company, a landlord from
    elsewhere) whose name and phone are encrypted here and revealed with an access-log row."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)
    resident = models.ForeignKey(
        "residents.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mediation_parties",
        verbose_name=_("resident"),
    )
    name = EncryptedTextField(_("name"), blank=True, default="")
    phone = EncryptedTextField(_("phone"), blank=True, default="")

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "resident"], condition=Q(resident__isnull=False), name="mediationparty_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name_masked

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident_id else self.name

    @property
    def name_masked(self) -> str:
        return mask_name(self.display_name)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.resident.phone if self.resident_id else self.phone)


ACTIONS = {
    "register": _("Registered"),
    "grade": _("Risk graded"),
    "session": _("Mediation session"),
    "agreement": _("Agreement signed"),
    "refer": _("Referred on"),
    "follow_up": _("Followed up"),
    "reschedule": _("Deadline moved by the working calendar"),
}


class CaseEvent(models.Model):
    """One row per step (registration, grading, session, agreement, referral, follow-up)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="mediationevent_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))

    @property
    def to_label(self) -> str:
        return str(Status(self.to_status).label) if self.to_status in Status.values else ""


class Session(models.Model):
    """A mediation session: when, where, who mediated, what was said and agreed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("case"))
    held_at = models.DateTimeField(_("held at"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    # [{"kind": MediatorKind, "name": str}], validated by mediation.services
    mediators = models.JSONField(_("mediators"), default=list)
    summary = models.TextField(_("what was discussed and agreed"))
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A mediation agreement (调解协议): its terms, the signatures noted, and when to follow up."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("case")
    )
    terms = models.TextField(_("terms"))
    signatures = models.CharField(_("signed by"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    follow_up_days = models.PositiveSmallIntegerField(_("follow up after (days)"))
    follow_up_from = models.DateField(_("follow-up from"))
    follow_up_due = models.DateField(_("follow-up due"))
    recorded_by = actor_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["signed_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(follow_up_days__gte=1), name="agreement_follow_up_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.signed_on}"


class FollowUp(models.Model):
    """A follow-up (回访) of an agreement: does it hold?"""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("agreement")
    )
    held_at = models.DateTimeField(_("followed up at"))
    holds = models.BooleanField(_("the agreement holds"))
    notes = models.TextField(_("notes"), blank=True)
    on_time = models.BooleanField(_("on time"))
    recorded_by = actor_field(_("recorded by"))

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.held_at:%Y-%m-%d}"


class ReportStatus(models.TextChoices):
    REPORTED = "REPORTED", _("Disputes reported")
    ZERO = "ZERO", _("Zero report (none found)")
    MISSED = "MISSED", _("Not reported by the deadline")


class MonthlyReport(models.Model):
    """A grid's monthly 排查 report: the disputes registered in the month, or an explicit zero.

    `month` is the first day of the month. The sweep writes a MISSED row for a grid that
    had not reported at the deadline; a late report turns it into a report with on_time False.
    """

    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="mediation_reports", verbose_name=_("grid")
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices)
    cases_found = models.PositiveIntegerField(_("disputes found"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), default=False)
    due_at = models.DateTimeField(_("due"))
    reported_by = actor_field(_("reported by"))

    class Meta:
        verbose_name = _("monthly dispute report")
        verbose_name_plural = _("monthly dispute reports")
        constraints = [
            models.UniqueConstraint(fields=["grid", "month"], name="mediationreport_once_per_month"),
            models.CheckConstraint(
                condition=Q(status="MISSED") | Q(reported_at__isnull=False),
                name="mediationreport_reported_when",
            ),
        ]
        indexes = [models.Index(fields=["month", "status"], name="mediationreport_month_status")]

    def __str__(self) -> str:
        return f"{self.grid_id} · {self.month:%Y-%m} · {self.status}"


class NoticeKind(models.TextChoices):
    HIGH_RISK = "HIGH_RISK", _("High-risk dispute")
    OVERDUE = "OVERDUE", _("Dispute step overdue")
    REPORT_MISSED = "REPORT_MISSED", _("Monthly report missed")


class Notice(models.Model):
    """The mediation inbox. The ground floor has no notification of its own and petitions'
    inbox belongs to petitions, so this app keeps its own; `dedupe_key` makes it idempotent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mediation_notices"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    grid = models.ForeignKey("grids.GridNode", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("text"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("sent"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation notice")
        verbose_name_plural = _("mediation notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "created_at"], name="mediationnotice_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"
