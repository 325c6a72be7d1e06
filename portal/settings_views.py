"""The office's own settings: the hub that lists the configuration pages a user may open, and
the working calendar of a year (add a local holiday, a make-up working day, remove one; see
which open deadlines a change moves before confirming it).

Who: every official reads (grids.access.may_view_configuration); administrators, city-level
officials and superusers change (may_configure). Others get 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grids import access, calendar, cities
from hlgrid import workdays
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.forms import add_domain_error
from hlgrid.models import DayKind

# The configuration pages, each in its own app: (URL name, title, what it holds).
PAGES = [
    (
        "grids:people_list",
        gettext_lazy("People and posts"),
        gettext_lazy("Accounts of the staff, their posts in the grid tree, staff import and export."),
    ),
    (
        "settings_calendar",
        gettext_lazy("Working calendar"),
        gettext_lazy("Statutory holidays, local holidays and make-up working days, per year."),
    ),
    (
        "petitions:settings_categories",
        gettext_lazy("Categories and time limits"),
        gettext_lazy("The petition categories, their departments, handling levels and time limits."),
    ),
    (
        "grids:departments",
        gettext_lazy("Departments"),
        gettext_lazy("The functional departments that handle petitions and answer whistles."),
    ),
    (
        "residents:settings_key_groups",
        gettext_lazy("Key groups"),
        gettext_lazy("The key groups of residents and how often their members are visited."),
    ),
    (
        "evaluation:settings_schemes",
        gettext_lazy("Assessment schemes"),
        gettext_lazy("Indicator weights and bonus rules of the assessment periods."),
    ),
    (
        "settings_deliveries",
        gettext_lazy("Messages sent"),
        gettext_lazy("Text messages and WeChat Work group messages: sent, failed, opted out; send again."),
    ),
    (
        "exchange:partners",
        gettext_lazy("12345 hotline exchange"),
        gettext_lazy("The hotline platforms that send work orders, their keys, and the failed pushes."),
    ),
    (
        "open311:settings_clients",
        gettext_lazy("Open311 clients"),
        gettext_lazy("The API keys of civic apps that file requests through Open311 GeoReport v2."),
    ),
]


def _refuse(error: DomainError):
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error))
    if isinstance(error, NotFound):
        raise Http404(str(error))


def _viewer(request) -> bool:
    """404 for those who may not read the settings; whether the user may change them."""
    if not access.may_view_configuration(request.user):
        raise Http404()
    return access.may_configure(request.user)


@login_required
def settings_hub(request):
    may_change = _viewer(request)
    pages = []
    for name, title, text in PAGES:
        try:
            pages.append({"url": reverse(name), "title": title, "text": text})
        except NoReverseMatch:
            continue  # that app's page is not installed
    return render(request, "settings/hub.html", {"pages": pages, "may_change": may_change})


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=pgettext_lazy("calendar day", "Name"), max_length=calendar.NAME_MAX)


class RemoveForm(forms.Form):
    date = forms.DateField()


@login_required
def calendar_today(request):
    _viewer(request)
    city = _calendar_city(request)
    return redirect(_year_page(timezone.localdate().year, city))


def _year_or_404(year: int) -> int:
    try:
        return calendar.check_year(year)
    except DomainError:
        raise Http404() from None


def _calendar_city(request):
    """The city whose calendar the page shows (`city` of the query or the form; else the first
    of the user's): 404 for a city that is not the user's."""
    raw = (request.POST if request.method == "POST" else request.GET).get("city") or None
    try:
        return calendar.calendar_city(request.user, raw)
    except DomainError:
        raise Http404() from None


def _year_page(year: int, city) -> str:
    return f"{reverse('settings_calendar_year', args=[year])}?city={city.pk}"


@login_required
def calendar_year(request, year: int):
    """GET: the year's days off and make-up days of a city. POST `action`: load (copy the
    statutory year), preview (a change: what moves) and apply (the change, confirmed)."""
    _viewer(request)
    year = _year_or_404(year)
    city = _calendar_city(request)
    may_change = access.may_configure(request.user, city)
    form = CalendarDayForm(initial={"kind": DayKind.HOLIDAY})
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied()
        action = request.POST.get("action", "")
        if action == "load":
            try:
                calendar.calendar_year_load(actor=request.user, city=city, year=year)
            except DomainError as error:
                _refuse(error)
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("The statutory calendar of %(year)d was loaded.") % {"year": year}
                )
            return redirect(_year_page(year, city))
        if action in ("preview", "apply", "preview_remove", "apply_remove"):
            removing = action.endswith("_remove")
            form = RemoveForm(request.POST) if removing else CalendarDayForm(request.POST)
            if form.is_valid():
                day, kind, name = (
                    form.cleaned_data["date"],
                    None if removing else form.cleaned_data["kind"],
                    "" if removing else form.cleaned_data["name"],
                )
                try:
                    if action.startswith("preview"):
                        effects = calendar.calendar_change_preview(
                            actor=request.user, city=city, day=day, kind=kind, name=name
                        )
                        return render(
                            request,
                            "settings/calendar_confirm.html",
                            {
                                "year": year,
                                "city": city,
                                "day": day,
                                "kind": kind,
                                "kind_label": DayKind(kind).label if kind else "",
                                "name": name,
                                "removing": removing,
                                "effects": effects,
                                "moved": sum(effect.count for effect in effects),
                            },
                        )
                    if removing:
                        moved = calendar.calendar_day_remove(actor=request.user, city=city, day=day)
                    else:
                        _row, moved = calendar.calendar_day_set(
                            actor=request.user, city=city, day=day, kind=kind, name=name
                        )
                except DomainError as error:
                    _refuse(error)
                    if removing:
                        messages.error(request, str(error))
                        return redirect(_year_page(year, city))
                    add_domain_error(form, error)
                else:
                    messages.success(
                        request,
                        _("The calendar was changed; %(n)d open deadlines moved.")
                        % {"n": sum(moved.values())},
                    )
                    return redirect(_year_page(day.year, city))
            elif removing:
                return redirect(_year_page(year, city))
        else:
            raise Http404()
    days = calendar.calendar_year(year, city=city)
    return render(
        request,
        "settings/calendar.html",
        {
            "year": year,
            "city": city,
            "city_choices": list(cities.visible_cities(request.user)),
            "days": days,
            "loaded": workdays.current(city.pk).is_loaded(year),
            "form": form,
            "may_change": may_change,
            "previous": year - 1 if year > calendar.FIRST_YEAR else None,
            "next": year + 1 if year < calendar.LAST_YEAR else None,
        },
    )
