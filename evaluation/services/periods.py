"""Periods: create and edit a draft, open it (freezing the scheme's copy). Also the period
lock and state checks that every other use case of the app takes first."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed

from evaluation.models import BonusRule, Indicator, Period, PeriodKind, PeriodStatus, Scheme
from evaluation.policy import assessor_city, require_assessor
from evaluation.services.schemes import clean_indicators, scheme_default, scheme_specs
from grids import access
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed


def lock_period(period: Period | int) -> Period:
    """The period row, locked (select_for_update): what hangs off it changes one writer at a time."""
    pk = period.pk if isinstance(period, Period) else period
    try:
        return Period.objects.select_for_update().get(pk=pk)
    except Period.DoesNotExist:
        raise NotFound() from None


def fire(period: Period, transition: str) -> None:
    """Run one of the period's guarded transitions; a wrong state answers 409 with its name."""
    try:
        getattr(period, transition)()
    except FSMTransitionNotAllowed:
        messages = {
            "open": _("Only a draft period can be opened; this one is %(status)s."),
            "compute": _("Only an open or computed period can be computed; this one is %(status)s."),
            "publish": _("Only a computed period can be published; this one is %(status)s."),
        }
        raise TransitionNotAllowed(
            messages[transition] % {"status": PeriodStatus(period.status).label}
        ) from None


def require_changeable(period: Period) -> None:
    if period.status == PeriodStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This period is published and locked; nothing in it can change."))


def period_create(
    *,
    actor,
    name: str,
    starts_on: date,
    ends_on: date,
    kind: str = PeriodKind.QUARTER,
    scheme: Scheme | None = None,
    city=None,
) -> Period:
    """A draft period of `city` (the scheme's, else the one city the actor assesses)."""
    city = assessor_city(actor, city if city is not None else (scheme.city if scheme is not None else None))
    if scheme is not None and scheme.city_id != city.pk:
        raise InvalidInput.field("scheme", _("Choose one of this city's schemes."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput.field("name", _("A name is required."))
    if kind not in PeriodKind.values:
        raise InvalidInput.field("kind", _("Unknown kind of period."))
    if not starts_on or not ends_on or ends_on < starts_on:
        raise InvalidInput.field("ends_on", _("A period ends on or after the day it starts."))
    if Period.objects.filter(city=city, name=name).exists():
        raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name})
    try:
        return Period.objects.create(
            city=city,
            name=name,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            scheme=scheme or scheme_default(actor=actor, city=city),
        )
    except IntegrityError:
        raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name}) from None


def period_update(
    *,
    actor,
    period: Period,
    name: str | None = None,
    starts_on=None,
    ends_on=None,
    scheme: Scheme | None = None,
) -> Period:
    """Only a draft may be edited: once open, its dates and scheme are part of the results."""
    require_assessor(actor, period.city)
    with transaction.atomic():
        period = lock_period(period)
        require_changeable(period)
        if period.status != PeriodStatus.DRAFT:
            raise TransitionNotAllowed(_("Only a draft period can be edited."))
        if name is not None:
            if not name.strip():
                raise InvalidInput.field("name", _("A name is required."))
            if Period.objects.filter(city=period.city_id, name=name.strip()).exclude(pk=period.pk).exists():
                raise InvalidInput.field("name", _("The name %(name)s is already used.") % {"name": name})
            period.name = name.strip()
        period.starts_on = starts_on or period.starts_on
        period.ends_on = ends_on or period.ends_on
        if period.ends_on < period.starts_on:
            raise InvalidInput.field("ends_on", _("A period ends on or after the day it starts."))
        if scheme is not None:
            if scheme.city_id != period.city_id:
                raise InvalidInput.field("scheme", _("Choose one of this city's schemes."))
            period.scheme = scheme
        period.save(update_fields=["name", "starts_on", "ends_on", "scheme"])
    return period


def period_open(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Open for inspections; freeze the scheme's indicators, thresholds and bonus rule."""
    require_assessor(actor, period.city)
    now = now or timezone.now()
    with transaction.atomic():
        period = lock_period(period)
        require_changeable(period)
        fire(period, "open")
        scheme = Scheme.objects.select_for_update().get(pk=period.scheme_id)
        specs = clean_indicators(scheme_specs(scheme))
        Indicator.objects.bulk_create(
            [
                Indicator(
                    period=period,
                    code=s.code,
                    name=s.name,
                    source=s.source,
                    method=s.method,
                    weight=s.weight,
                    rule=s.rule,
                    params=s.params,
                    order=i,
                )
                for i, s in enumerate(specs)
            ]
        )
        BonusRule.objects.create(
            period=period,
            worker_base=scheme.worker_base,
            coefficients=scheme.coefficients,
            head_base=scheme.head_base,
            head_mode=scheme.head_mode,
        )
        period.scheme_version = scheme.version
        period.excellent_min, period.good_min, period.pass_min = (
            scheme.excellent_min,
            scheme.good_min,
            scheme.pass_min,
        )
        period.star_thresholds = list(scheme.star_thresholds)
        period.min_tenure_percent, period.appeal_days = scheme.min_tenure_percent, scheme.appeal_days
        period.opened_at = now
        period.save()
    return period


# --- the end of a period: it ends on its last day, or is closed early with a reason ----------


def period_end(period: Period) -> datetime:
    """The moment the period ends: the start of the day after `ends_on` (local time)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(period.ends_on + timedelta(days=1), time.min, tzinfo=tz)


def period_over(period: Period, *, now: datetime | None = None) -> bool:
    """Whether the period's time is up: its end date is past, or it was closed early."""
    return period.closed_early_at is not None or (now or timezone.now()) >= period_end(period)


def computed_as_final(period: Period) -> bool:
    """Whether the current results were computed after the period was over (not a preview
    computed while it still ran)."""
    if period.computed_at is None:
        return False
    if period.computed_at >= period_end(period):
        return True
    return period.closed_early_at is not None and period.computed_at > period.closed_early_at


def require_final(period: Period, *, now: datetime) -> None:
    """Publishing needs results computed once the period is over (409 otherwise, saying why)."""
    if not period_over(period, now=now):
        raise TransitionNotAllowed(
            _(
                "The period runs until %(date)s: it cannot be published before then unless it is "
                "closed early, with a reason."
            )
            % {"date": period.ends_on.isoformat()}
        )
    if not computed_as_final(period):
        raise TransitionNotAllowed(
            _(
                "The results were computed while the period was still running: "
                "compute them again, then publish."
            )
        )


def period_close_early(*, actor, period: Period, reason: str, now: datetime | None = None) -> Period:
    """Close an open period before its end date, with the reason: its data ends now, and it
    may then be computed as final and published. Who, when and why are kept on the period."""
    require_assessor(actor, period.city)
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        period = lock_period(period)
        require_changeable(period)
        if period.status not in (PeriodStatus.OPEN, PeriodStatus.COMPUTED):
            raise TransitionNotAllowed(_("Only an open or computed period can be closed early."))
        if period.closed_early_at is not None:
            raise TransitionNotAllowed(_("This period was already closed early."))
        if now >= period_end(period):
            raise TransitionNotAllowed(_("This period has already ended: there is nothing to close early."))
        if not reason:
            raise InvalidInput.field("reason", _("Say why the period closes before its end date."))
        period.closed_early_at = now
        period.closed_early_by = access.recorded(actor)
        period.close_early_reason = reason[:2000]
        period.save(update_fields=["closed_early_at", "closed_early_by", "close_early_reason"])
    return period
