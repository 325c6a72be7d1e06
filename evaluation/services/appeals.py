"""Appeals: a worker appeals its published result within the window; an assessor whose
posts cover the worker's grid accepts it (a corrected result replaces the original, which
stays in history, and the bonus differences go to the ledger) or rejects it. The appeal's
status moves only through its guarded transitions."""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from evaluation.models import (
    Appeal,
    AppealStatus,
    Assessment,
    AssessmentLine,
    BonusRule,
    Period,
    PeriodStatus,
    Role,
    to_fen,
    to_points,
)
from evaluation.policy import ASSESSOR_KINDS, require_assessor
from evaluation.services.grading import grade_for, stars_for
from evaluation.services.money import correction_write, head_recompute
from evaluation.services.periods import lock_period
from grids import access
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed


def appeal_deadline(period: Period) -> datetime | None:
    if period.published_at is None:
        return None
    return period.published_at + timedelta(days=period.appeal_days)


def appeal_submit(*, actor, assessment: Assessment, reason: str, now: datetime | None = None) -> Appeal:
    """Only the worker whose result it is may appeal it (anyone else: 404); SYSTEM may file
    it on the worker's behalf (the demo loader)."""
    if actor is None:
        raise NotFound()
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", _("Say why the result is wrong."))
    with transaction.atomic():
        period = lock_period(assessment.period_id)
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not access.is_system(actor) and assessment.worker_id != actor.pk:
            raise NotFound()
        if period.status != PeriodStatus.PUBLISHED:
            raise TransitionNotAllowed(_("Only a published result can be appealed."))
        if now > appeal_deadline(period):
            raise TransitionNotAllowed(
                _("The appeal window closed on %(date)s.") % {"date": appeal_deadline(period)}
            )
        if not assessment.is_current:
            raise TransitionNotAllowed(_("This result has been replaced; appeal the current one."))
        if Appeal.objects.filter(assessment=assessment, status=AppealStatus.PENDING).exists():
            raise TransitionNotAllowed(_("An appeal of this result is already pending."))
        appeal = Appeal(
            assessment=assessment,
            worker_id=assessment.worker_id,
            grid_id=assessment.grid_id,
            reason=reason,
            submitted_at=now,
        )
        appeal.submit()
        appeal.save()
        return appeal


def _decide(actor, appeal: Appeal, verdict: str) -> tuple[Appeal, Period]:
    """The appeal locked (after its period), in the actor's scope, still open to `verdict`."""
    require_assessor(actor)
    try:
        period_id = Appeal.objects.values_list("assessment__period_id", flat=True).get(pk=appeal.pk)
    except Appeal.DoesNotExist:
        raise NotFound() from None
    period = lock_period(period_id)
    appeal = Appeal.objects.select_for_update().select_related("assessment__grid").get(pk=appeal.pk)
    access.must_cover(actor, appeal.assessment.grid, kinds=ASSESSOR_KINDS)
    if not can_proceed(getattr(appeal, verdict)):
        raise TransitionNotAllowed(_("This appeal has already been decided."))
    return appeal, period


def appeal_reject(*, actor, appeal: Appeal, decision: str, now: datetime | None = None) -> Appeal:
    decision = (decision or "").strip()
    if not decision:
        raise InvalidInput.field("decision", _("Give the reason for rejecting the appeal."))
    with transaction.atomic():
        appeal, _period = _decide(actor, appeal, "reject")
        appeal.reject()
        appeal.decision = decision
        appeal.decided_by, appeal.decided_at = access.recorded(actor), now or timezone.now()
        appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    return appeal


def _corrected_points(points: dict, by_code: dict) -> dict[str, Decimal]:
    unknown = set(points) - set(by_code)
    if unknown:
        raise InvalidInput.field(
            "points", _("Unknown indicator %(code)s.") % {"code": ", ".join(sorted(unknown))}
        )
    corrected = {}
    for code, value in points.items():
        try:
            value = to_points(Decimal(str(value)))
        except InvalidOperation:
            raise InvalidInput.field("points", _("Points are numbers.")) from None
        if not 0 <= value <= by_code[code].indicator.weight:
            raise InvalidInput.field(
                "points",
                _("%(name)s scores between 0 and its weight.") % {"name": by_code[code].indicator.name},
            )
        corrected[code] = value
    return corrected


def appeal_accept(
    *, actor, appeal: Appeal, points: dict[str, Decimal], decision: str, now: datetime | None = None
) -> Appeal:
    """Accept with corrected points for some indicators (by code). The original result is
    kept; a corrected result replaces it, and the bonus differences (the worker's and the
    grid head's) are recorded in the ledger as correction rows."""
    now = now or timezone.now()
    decision = (decision or "").strip()
    if not decision:
        raise InvalidInput.field("decision", _("Say what was corrected and why."))
    if not points:
        raise InvalidInput.field("points", _("Give the corrected points of at least one indicator."))
    with transaction.atomic():
        appeal, period = _decide(actor, appeal, "accept")
        original = Assessment.objects.select_for_update().get(pk=appeal.assessment_id)
        if not original.is_current:
            raise TransitionNotAllowed(_("This result has already been replaced."))
        lines = list(original.lines.select_related("indicator"))
        corrected_points = _corrected_points(points, {line.indicator.code: line for line in lines})
        rule = BonusRule.objects.get(period=period)
        total = sum((corrected_points.get(line.indicator.code, line.points) for line in lines), Decimal(0))
        corrected = Assessment(
            period=period,
            worker_id=original.worker_id,
            grid_id=original.grid_id,
            street_id=original.street_id,
            run=original.run,
            is_current=True,
            total=to_points(total),
            corrects=original,
            created_at=now,
            insufficient_data=original.insufficient_data,
            insufficient_reason=original.insufficient_reason,
        )
        if not corrected.insufficient_data:
            corrected.grade = grade_for(period, corrected.total)
            corrected.stars = stars_for(period, corrected.total)
            corrected.bonus = to_fen(rule.worker_base * rule.coefficient(corrected.grade))
            others = Assessment.objects.filter(
                period=period, is_current=True, insufficient_data=False
            ).exclude(pk=original.pk)
            corrected.rank_city = others.filter(total__gt=corrected.total).count() + 1
            corrected.rank_street = (
                others.filter(street_id=original.street_id, total__gt=corrected.total).count() + 1
            )
        Assessment.objects.filter(pk=original.pk).update(is_current=False)
        corrected.save()
        AssessmentLine.objects.bulk_create(
            [
                AssessmentLine(
                    assessment=corrected,
                    indicator=line.indicator,
                    raw=line.raw,
                    numerator=line.numerator,
                    denominator=line.denominator,
                    has_data=line.has_data,
                    points=corrected_points.get(line.indicator.code, line.points),
                    explanation=(
                        _("corrected on appeal: %(decision)s") % {"decision": decision}
                        if line.indicator.code in corrected_points
                        else line.explanation
                    )[:300],
                )
                for line in lines
            ]
        )
        note = _("appeal %(id)s") % {"id": appeal.pk}
        correction_write(
            period,
            corrected.worker_id,
            Role.WORKER,
            corrected,
            corrected.bonus - original.bonus,
            actor,
            now,
            note,
            assessment=corrected,
        )
        head_recompute(period, rule, original.grid_id, actor, now, note)
        appeal.accept()
        appeal.decision, appeal.corrected = decision, corrected
        appeal.decided_by, appeal.decided_at = access.recorded(actor), now
        appeal.save(update_fields=["status", "decision", "corrected", "decided_by", "decided_at"])
    return appeal
