"""The key groups' settings page: every official reads, those who configure the city edit."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import access, cities
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from residents import key_groups
from residents.models import KeyGroup


class KeyGroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=32)
    visit_interval_days = forms.IntegerField(label=gettext_lazy("visit interval (days)"), min_value=1)
    description = forms.CharField(label=gettext_lazy("description"), max_length=200, required=False)
    order = forms.IntegerField(label=gettext_lazy("order"), min_value=0, initial=0)


def _viewer(request) -> bool:
    if not access.may_view_configuration(request.user):
        raise Http404()
    return access.may_configure(request.user)


def _groups(user):
    return (
        access.scope_to_cities(user, KeyGroup.objects.select_related("city"))
        .annotate(members=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("city__code", "order", "id")
    )


@login_required
def key_group_list(request):
    may_change = _viewer(request)
    form = KeyGroupForm(request.POST or None)
    cities.add_city_field(form, request.user)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied()
        if form.is_valid():
            try:
                group = key_groups.key_group_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The key group %(name)s was created.") % {"name": group.name})
                return redirect("residents:settings_key_groups")
    return render(
        request,
        "residents/settings_key_groups.html",
        {
            "groups": _groups(request.user),
            "form": form,
            "may_change": may_change,
            "show_city": cities.shows_city(request.user),
        },
    )


@login_required
def key_group_edit(request, pk: int):
    _viewer(request)
    group = get_object_or_404(_groups(request.user), pk=pk)
    if not access.may_configure(request.user, group.city):
        raise PermissionDenied()
    form = KeyGroupForm(
        request.POST or None, initial={name: getattr(group, name) for name in key_groups.FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = key_groups.key_group_update(actor=request.user, group=group, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The key group %(name)s was saved. A new interval applies to new members and from "
                    "each member's next visit; the %(n)d current members keep their due dates."
                )
                % {"name": saved.name, "n": group.members},
            )
            return redirect("residents:settings_key_groups")
    return render(request, "residents/settings_key_group.html", {"form": form, "group": group})
