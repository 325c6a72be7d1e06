"""The departments' settings pages: every official reads, those who configure the city edit."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grids import access, cities, departments
from grids.models import Department
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error


class DepartmentForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("name"), max_length=64)
    phone = forms.CharField(label=gettext_lazy("phone"), max_length=32, required=False)
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)


def _viewer(request) -> bool:
    if not access.may_view_configuration(request.user):
        raise Http404()
    return access.may_configure(request.user)


@login_required
def department_list(request):
    may_change = _viewer(request)
    rows = (
        access.scope_to_cities(request.user, Department.objects.select_related("city"))
        .annotate(staff=Count("posts", filter=Q(posts__is_active=True), distinct=True))
        .order_by("city__code", "code")
    )
    form = DepartmentForm(request.POST or None)
    cities.add_city_field(form, request.user)
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied()
        if form.is_valid():
            try:
                department = departments.department_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("The department %(name)s was created.") % {"name": department.name}
                )
                return redirect("grids:departments")
    return render(
        request,
        "grids/departments.html",
        {
            "departments": rows,
            "form": form,
            "may_change": may_change,
            "show_city": cities.shows_city(request.user),
        },
    )


@login_required
def department_edit(request, pk: int):
    _viewer(request)
    department = get_object_or_404(access.scope_to_cities(request.user, Department.objects.all()), pk=pk)
    if not access.may_configure(request.user, department.city):
        raise PermissionDenied()
    form = DepartmentForm(
        request.POST or None, initial={name: getattr(department, name) for name in departments.FIELDS}
    )
    if request.method == "POST" and form.is_valid():
        try:
            department = departments.department_update(
                actor=request.user, department=department, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("The department %(name)s was saved.") % {"name": department.name})
            return redirect("grids:departments")
    return render(request, "grids/department_form.html", {"form": form, "department": department})
