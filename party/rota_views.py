"""The pages of the general social workers' duty rota (全科社工轮岗) and of the services at the
windows: the week's rota (who is at which window or in which grid when) with the month's
generator and the day's edits (swap, remove, add a shift); a window's services of a day; and
the social worker's own phone page, where the one on window duty records who came, for what
and with what outcome. Thin: party.selectors read, party.services.windows write."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError, InvalidInput
from hlgrid.ids import parse_id
from party import selectors
from party.models import DutyKind, ServiceOutcome
from party.services.windows import (
    duty_rota_generate,
    duty_shift_add,
    duty_shift_remove,
    duty_shift_swap,
    window_service_record,
)

MAX_PER_WINDOW = 10


def _error(request, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _rota_url(day: datetime.date) -> str:
    return f"{reverse('party:rota')}?day={day.isoformat()}"


@login_required
def rota(request):
    """The week's rota (a table: windows and grid duty by day) and the chosen day's shifts to edit."""
    day = parse_date(request.GET.get("day") or "") or timezone.localdate()
    monday = _monday(day)
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    windows = list(selectors.window_list(user=request.user))
    shifts = selectors.rota_shifts(user=request.user, start=monday, days=7)
    # the week: per window and day, who sits there; per day, how many are on grid duty
    table = {(w.pk, d): [] for w in windows for d in days}
    grid_duty = dict.fromkeys(days, 0)
    todays = []
    for shift in shifts:
        shift_day = timezone.localtime(shift.starts_at).date()
        if shift.window_id is not None and (shift.window_id, shift_day) in table:
            table[(shift.window_id, shift_day)].append(shift)
        elif shift.kind == DutyKind.GRID and shift_day in grid_duty:
            grid_duty[shift_day] += 1
        if shift_day == day:
            todays.append(shift)
    # the day's shifts, with the shifts at the same time each may be swapped with
    by_time: dict[tuple, list] = {}
    for shift in todays:
        by_time.setdefault((shift.starts_at, shift.ends_at), []).append(shift)
    now = timezone.now()
    day_rows = [
        (
            shift,
            [o for o in by_time[(shift.starts_at, shift.ends_at)] if o.worker_id != shift.worker_id],
            shift.starts_at > now,
        )
        for shift in todays
    ]
    first_of_month = day.replace(day=1)
    next_month = (first_of_month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    context = {
        "day": day,
        "days": days,
        "previous_week": monday - datetime.timedelta(days=7),
        "next_week": monday + datetime.timedelta(days=7),
        "windows": windows,
        "week": [(w, [table[(w.pk, d)] for d in days]) for w in windows],
        "grid_duty": [grid_duty[d] for d in days],
        "window_rows": [r for r in day_rows if r[0].kind == DutyKind.WINDOW],
        "grid_rows": [r for r in day_rows if r[0].kind == DutyKind.GRID],
        "workers": list(selectors.socialworker_list(user=request.user)),
        "this_month": first_of_month,
        "next_month": next_month,
        "kinds": DutyKind.choices,
    }
    return render(request, "party/rota.html", context)


@login_required
@require_POST
def rota_generate(request):
    """Generate a month's rota over the windows and the social workers the planner sees, from
    the month's first day (or today, for the month under way) to its end."""
    month = parse_date((request.POST.get("month") or "") + "-01")
    today = timezone.localdate()
    try:
        if month is None:
            raise InvalidInput.field("month", _("Choose a month."))
        per_window = parse_id(request.POST.get("per_window") or "") or 0
        if not 1 <= per_window <= MAX_PER_WINDOW:
            raise InvalidInput.field("per_window", _("Between 1 and 10 workers per window."))
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        start = max(month, today)
        if start >= end:
            raise InvalidInput.field("month", _("This month is over."))
        shifts = duty_rota_generate(
            actor=request.user,
            start=start,
            days=(end - start).days,
            per_window=per_window,
            windows=list(selectors.window_list(user=request.user)),
            workers=list(selectors.socialworker_list(user=request.user)),
        )
    except DomainError as exc:
        _error(request, exc)
        return redirect(_rota_url(month or today))
    window_days = sum(1 for s in shifts if s.kind == DutyKind.WINDOW)
    messages.success(
        request,
        _("%(n)d shifts planned (%(w)d at the windows, the rest in the grids).")
        % {"n": len(shifts), "w": window_days},
    )
    first = min((s.starts_at for s in shifts), default=None)
    return redirect(_rota_url(timezone.localtime(first).date() if first else start))


@login_required
@require_POST
def shift_edit(request, pk: int):
    shift = selectors.shift_get(user=request.user, pk=pk)
    day = timezone.localtime(shift.starts_at).date()
    action = request.POST.get("action")
    try:
        if action == "swap":
            other = selectors.shift_get(user=request.user, pk=parse_id(request.POST.get("other") or "") or 0)
            duty_shift_swap(actor=request.user, shift=shift, other=other)
            messages.success(
                request,
                _("%(a)s and %(b)s swapped.")
                % {"a": shift.worker.user.display_name, "b": other.worker.user.display_name},
            )
        elif action == "remove":
            duty_shift_remove(actor=request.user, shift=shift)
            messages.success(request, _("The shift was taken off the rota."))
        else:
            raise InvalidInput.field("action", _("Unknown action."))
    except DomainError as exc:
        _error(request, exc)
    return redirect(_rota_url(day))


@login_required
@require_POST
def shift_add(request):
    post = request.POST
    day = parse_date(post.get("day") or "")
    try:
        worker = next(
            (w for w in selectors.socialworker_list(user=request.user) if str(w.pk) == post.get("worker")),
            None,
        )
        if worker is None:
            raise InvalidInput.field("worker", _("Choose a social worker."))
        if day is None:
            raise InvalidInput.field("day", _("Give a date."))
        begin, end = parse_time(post.get("starts") or ""), parse_time(post.get("ends") or "")
        if begin is None or end is None:
            raise InvalidInput.field("starts", _("Give the times."))
        window = None
        if post.get("kind") == DutyKind.WINDOW:
            window = (
                selectors.window_list(user=request.user)
                .filter(pk=parse_id(post.get("window") or "") or 0)
                .first()
            )
            if window is None:
                raise InvalidInput.field("window", _("Choose a window."))
        tz = timezone.get_current_timezone()
        duty_shift_add(
            actor=request.user,
            worker=worker,
            kind=post.get("kind", ""),
            window=window,
            starts_at=datetime.datetime.combine(day, begin, tzinfo=tz),
            ends_at=datetime.datetime.combine(day, end, tzinfo=tz),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The shift was added."))
    return redirect(_rota_url(day or timezone.localdate()))


@login_required
def window_services(request, pk: int):
    """A window's services of a day, for the staff over it."""
    window = selectors.window_get(user=request.user, pk=pk)
    day = parse_date(request.GET.get("day") or "") or timezone.localdate()
    services = selectors.window_services_of_day(window=window, day=day)
    counts = {value: 0 for value, _label in ServiceOutcome.choices}
    for service in services:
        counts[service.outcome] += 1
    context = {
        "window": window,
        "windows": list(selectors.window_list(user=request.user)),
        "day": day,
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
        "services": services,
        "minutes": sum(s.minutes for s in services),
        "outcomes": [(label, counts[value]) for value, label in ServiceOutcome.choices],
    }
    return render(request, "party/window_services.html", context)


@login_required
def my_duty(request):
    """The social worker's phone page: this week's duty and, on window duty now, the form to
    record a service at that window, with what they recorded today."""
    worker = selectors.socialworker_of(request.user)
    if worker is None:
        raise Http404
    now = timezone.now()
    today = timezone.localdate(now)
    monday = _monday(today)
    tz = timezone.get_current_timezone()
    week_start = datetime.datetime.combine(monday, datetime.time(), tzinfo=tz)
    shifts = selectors.worker_shifts(
        worker=worker, start=week_start, end=week_start + datetime.timedelta(days=7)
    )
    current = next((s for s in shifts if s.kind == DutyKind.WINDOW and s.starts_at <= now < s.ends_at), None)
    form = {"minutes": "10", "outcome": ServiceOutcome.DONE}
    if request.method == "POST":
        post = request.POST
        form = {k: post.get(k, "") for k in ("visitor_name", "item", "minutes", "outcome", "notes")}
        try:
            if current is None:
                raise InvalidInput.field("window", _("You are not on window duty now."))
            item = worker.items.filter(pk=parse_id(post.get("item") or "") or 0).first()
            if item is None:
                raise InvalidInput.field("item", _("Choose the service."))
            minutes = parse_id(post.get("minutes") or "")
            if minutes is None:
                raise InvalidInput.field("minutes", _("Give the minutes it took."))
            window_service_record(
                actor=request.user,
                window=current.window,
                item=item,
                minutes=minutes,
                visitor_name=post.get("visitor_name", ""),
                outcome=post.get("outcome", ""),
                notes=post.get("notes", ""),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The service was recorded."))
            return redirect("party:my_duty")
    recorded = (
        selectors.window_services_of_day(window=current.window, day=today) if current is not None else []
    )
    context = {
        "worker": worker,
        "shifts": shifts,
        "current": current,
        "items": list(worker.items.order_by("code")) if current is not None else [],
        "outcomes": ServiceOutcome.choices,
        "mine": [s for s in recorded if s.worker_id == request.user.pk],
        "form": form,
    }
    return render(request, "party/my_duty.html", context)
