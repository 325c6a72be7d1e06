"""Pages of a grid's WeChat groups (专属微信群): list and add, edit, send a test message."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from hlgrid.ordering import numbered
from residents import chat_groups
from residents.models import Building, Unit
from residents.selectors import grid_get


class ChatGroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Group name"), max_length=chat_groups.NAME_MAX)
    building = forms.ModelChoiceField(
        label=gettext_lazy("Building (optional)"), queryset=Building.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit (optional)"), queryset=Unit.objects.none(), required=False
    )
    webhook_url = forms.CharField(label=gettext_lazy("Robot webhook URL"), max_length=500, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)

    def __init__(self, *args, grid, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(grid=grid).order_by(
            *numbered("number"), "pk"
        )
        self.fields["building"].label_from_instance = lambda b: (
            _("Building %(number)s") % {"number": b.number}
        )
        self.fields["unit"].queryset = (
            Unit.objects.filter(building__grid=grid)
            .select_related("building")
            .order_by(*numbered("building__number"), *numbered("number"))
        )
        self.fields["unit"].label_from_instance = lambda u: (
            _("Building %(b)s, unit %(u)s")
            % {
                "b": u.building.number,
                "u": u.number,
            }
        )
        if editing:
            self.fields["webhook_url"].help_text = _("Leave empty to keep the current robot.")
        else:
            self.fields["webhook_url"].required = True
            del self.fields["is_active"]


@login_required
def grid_groups(request, pk: int):
    grid = grid_get(user=request.user, pk=pk)
    form = ChatGroupForm(grid=grid)
    if request.method == "POST":
        form = ChatGroupForm(request.POST, grid=grid)
        if form.is_valid():
            data = form.cleaned_data
            try:
                chat_groups.chat_group_create(
                    actor=request.user,
                    grid=grid,
                    name=data["name"],
                    webhook_url=data["webhook_url"],
                    building=data["building"],
                    unit=data["unit"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The group was added."))
                return redirect("residents:chat_groups", pk=grid.pk)
    groups = list(chat_groups.chat_group_list(user=request.user, grid=grid))
    return render(request, "residents/chat_groups.html", {"grid": grid, "groups": groups, "form": form})


@login_required
def group_edit(request, pk: int):
    group = chat_groups.chat_group_get(user=request.user, pk=pk)
    initial = {
        "name": group.name,
        "building": group.building,
        "unit": group.unit,
        "is_active": group.is_active,
    }
    form = ChatGroupForm(initial=initial, grid=group.grid, editing=True)
    if request.method == "POST":
        form = ChatGroupForm(request.POST, grid=group.grid, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                chat_groups.chat_group_update(actor=request.user, group=group, **data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The group was saved."))
                return redirect("residents:chat_groups", pk=group.grid_id)
    return render(request, "residents/chat_group_edit.html", {"group": group, "form": form})


@login_required
@require_POST
def group_test(request, pk: int):
    group = chat_groups.chat_group_get(user=request.user, pk=pk)
    chat_groups.chat_group_test(actor=request.user, group=group)
    messages.success(request, _("A test message is on its way to %(group)s.") % {"group": group.name})
    return redirect("residents:chat_groups", pk=group.grid_id)
