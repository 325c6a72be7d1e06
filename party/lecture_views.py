"""The pages of the theme Party lecture rota (主题党课轮值): the year's rota with the generator,
and one lecture's page to change its lecturer, swap, move it and record its attendance.
Thin: party.selectors read, party.services.lectures write."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError, InvalidInput
from party import selectors
from party.services.lectures import (
    lecture_assign,
    lecture_attendance,
    lecture_move,
    lecture_rota_generate,
    lecture_swap,
)

DEFAULT_THEMES = [
    "学习贯彻党的二十大精神",
    "党章党规党纪学习",
    "基层治理与网格服务",
    "铸牢中华民族共同体意识",
    "乡村振兴与边境繁荣",
    "作风建设与廉洁自律",
    "安全生产与防灾减灾",
    "党史学习教育",
    "法治宣传与矛盾调解",
    "志愿服务与时间银行",
    "生态文明建设",
    "年终总结与组织生活会",
]


def _error(request, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
def lectures(request):
    year = _year(request)
    slots = list(selectors.lecture_list(user=request.user, year=year))
    branches = list(selectors.lecture_branches(user=request.user))
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    grid = {(s.month, s.branch_id): s for s in slots}
    rows = [(month, [grid.get((month, b.pk)) for b in branches]) for month in months]
    context = {
        "year": year,
        "branches": branches,
        "rows": rows,
        "themes": "\n".join(DEFAULT_THEMES),
        "planned": len(slots),
        "unassigned": sum(1 for s in slots if s.lecturer_id is None),
        "lecturers": len({s.lecturer_id for s in slots if s.lecturer_id}),
    }
    return render(request, "party/lectures.html", context)


@login_required
@require_POST
def lectures_generate(request):
    year = _year(request)
    first = parse_date(request.POST.get("first_month") or "") or datetime.date(year, 1, 1)
    themes = [t.strip() for t in (request.POST.get("themes") or "").splitlines() if t.strip()][:24]
    try:
        day = int(request.POST.get("day") or 15)
    except ValueError:
        day = 15
    branches = list(selectors.lecture_branches(user=request.user))
    lecturers = list(selectors.lecturer_pool(user=request.user))
    try:
        created = lecture_rota_generate(
            actor=request.user,
            branches=branches,
            lecturers=lecturers,
            first_month=first,
            themes=themes,
            day_of_month=day,
            place=(request.POST.get("place") or "").strip(),
        )
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("%(n)d lectures planned.") % {"n": len(created)})
    return redirect(f"{reverse('party:lectures')}?year={first.year}")


@login_required
def lecture(request, pk):
    slot = selectors.lecture_get(user=request.user, pk=pk)
    same_month = [
        s for s in selectors.lecture_list(user=request.user, year=slot.month.year) if s.month == slot.month
    ]
    busy = {s.lecturer_id for s in same_month if s.pk != slot.pk}
    pool = [m for m in selectors.lecturer_pool(user=request.user) if m.pk not in busy]
    context = {
        "slot": slot,
        "others": [s for s in same_month if s.pk != slot.pk],
        "pool": pool,
        "members": list(selectors.branch_members(slot=slot)),
        "attended": set(slot.attendees.values_list("pk", flat=True)),
        "past": slot.scheduled_on <= timezone.localdate(),
    }
    return render(request, "party/lecture.html", context)


@login_required
@require_POST
def lecture_edit(request, pk):
    slot = selectors.lecture_get(user=request.user, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "assign":
            pool = {str(m.pk): m for m in selectors.lecturer_pool(user=request.user)}
            lecture_assign(
                actor=request.user, slot=slot, lecturer=pool.get(request.POST.get("lecturer") or "")
            )
        elif action == "swap":
            other = selectors.lecture_get(user=request.user, pk=request.POST.get("other"))
            lecture_swap(actor=request.user, slot=slot, other=other)
        elif action == "move":
            day = parse_date(request.POST.get("scheduled_on") or "")
            if day is None:
                raise InvalidInput.field("scheduled_on", _("Give a date."))
            lecture_move(actor=request.user, slot=slot, day=day, place=request.POST.get("place", slot.place))
        elif action == "attendance":
            members = {str(m.pk): m for m in selectors.branch_members(slot=slot)}
            chosen = [members[i] for i in request.POST.getlist("attendees") if i in members]
            try:
                count = int(request.POST.get("attendance") or len(chosen))
            except ValueError:
                raise InvalidInput.field("attendance", _("Give a number.")) from None
            lecture_attendance(actor=request.user, slot=slot, attendees=chosen, count=count)
        else:
            raise InvalidInput.field("action", _("Unknown action."))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("party:lecture", pk=slot.pk)
