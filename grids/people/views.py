"""Pages where officials and administrators manage the people of their subtree (desktop).

Thin: grids.people.selectors read (scoped), grids.people.services and grids.services write.
A page of someone outside the manager's scope is a 404; an action on someone in scope whose
posts reach beyond the manager (or a kind of post it may not grant) is a 403 with the reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids import access
from grids import selectors as grid_selectors
from grids import services as grid_services
from grids.people import exports, forms, importer, selectors, services
from hlgrid import xlsx
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.forms import add_domain_error

PAGE_SIZE = 30


def _manager(request):
    if not access.manages_people(request.user):
        raise Http404
    return request.user


def _raise_refusal(error: DomainError) -> None:
    """A refusal is the site's 404 or 403 page; other errors are the caller's to show."""
    if isinstance(error, NotFound):
        raise Http404
    if isinstance(error, Forbidden):
        raise PermissionDenied(error.detail)


def _filter_form(request):
    nodes = list(selectors.managed_nodes(user=request.user))
    return forms.StaffFilterForm(request.GET or None, nodes=nodes)


@login_required
def staff_list(request):
    _manager(request)
    form = _filter_form(request)
    accounts = selectors.account_list(user=request.user, **form.filters())
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grids/people/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def staff_export(request):
    _manager(request)
    form = _filter_form(request)
    accounts = selectors.account_list(user=request.user, **form.filters())
    return xlsx.response(exports.staff_workbook(accounts), "staff.xlsx")


def _grant_choices(request) -> dict:
    return {
        "nodes": list(selectors.managed_nodes(user=request.user)),
        "departments": list(grid_selectors.department_list(user=request.user)),
    }


@login_required
def account_new(request):
    _manager(request)
    form = forms.AccountForm(request.POST or None, **_grant_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.account_create(
                actor=request.user,
                username=data["username"],
                name=data["name"],
                phone=data["phone"],
                password=data["password"] or None,
                kind=data["kind"],
                node=form.node(),
                department=form.department(),
            )
        except DomainError as error:
            if isinstance(error, NotFound):
                raise Http404 from None
            add_domain_error(form, error)
        else:
            return render(request, "grids/people/password.html", {"result": created, "new": True})
    return render(
        request, "grids/people/form.html", {"form": form, "title": _("New account"), "testid": "account-form"}
    )


@login_required
def account_detail(request, pk: int):
    _manager(request)
    account = selectors.account_get(user=request.user, pk=pk)
    history = selectors.account_history(user=request.user, account=account)
    for post in history.posts:  # only the posts it may end get the buttons (a few, one query each)
        post.may_end = post.is_active and access.may_grant_kind(request.user, post.node, post.kind)
    refusal = access.account_refusal(request.user, account)
    return render(
        request,
        "grids/people/detail.html",
        {
            "account": account,
            "history": history,
            "may_manage": refusal is None,
            "is_self": account.pk == request.user.pk,
        },
    )


@login_required
def post_grant(request, pk: int):
    _manager(request)
    account = selectors.account_get(user=request.user, pk=pk)
    form = forms.GrantForm(request.POST or None, **_grant_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            post = grid_services.post_assign(
                actor=request.user,
                user=account,
                kind=form.cleaned_data["kind"],
                node=form.node(),
                department=form.department(),
            )
        except DomainError as error:
            if isinstance(error, NotFound):
                raise Http404 from None
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now %(post)s at %(node)s.")
                % {"name": account.display_name, "post": post.title, "node": post.node.name},
            )
            return redirect("grids:people_detail", pk=account.pk)
    return render(
        request,
        "grids/people/form.html",
        {"form": form, "account": account, "title": _("Grant a post"), "testid": "grant-form"},
    )


@login_required
def post_move(request, pk: int):
    _manager(request)
    post = selectors.post_get(user=request.user, pk=pk)
    form = forms.MoveForm(request.POST or None, **_grant_choices(request))
    if request.method == "POST" and form.is_valid():
        try:
            moved = grid_services.post_move(
                actor=request.user, post=post, node=form.node(), department=form.department()
            )
        except DomainError as error:
            _raise_refusal(error)
            add_domain_error(form, error)
        else:
            messages.success(request, _("The post was moved to %(node)s.") % {"node": moved.node.name})
            return redirect("grids:people_detail", pk=post.user_id)
    return render(
        request,
        "grids/people/form.html",
        {"form": form, "account": post.user, "post": post, "title": _("Move a post"), "testid": "move-form"},
    )


@login_required
@require_POST
def post_end(request, pk: int):
    _manager(request)
    post = selectors.post_get(user=request.user, pk=pk)
    try:
        grid_services.post_end(actor=request.user, post=post)
    except DomainError as error:
        _raise_refusal(error)
        messages.error(request, error.detail)
    else:
        messages.success(
            request,
            _("The post %(post)s at %(node)s was ended.") % {"post": post.title, "node": post.node.name},
        )
    return redirect("grids:people_detail", pk=post.user_id)


def _account_action(request, pk: int, service, done: str):
    _manager(request)
    account = selectors.account_get(user=request.user, pk=pk)
    try:
        service(actor=request.user, account=account)
    except DomainError as error:
        _raise_refusal(error)
        messages.error(request, error.detail)
    else:
        messages.success(request, done % {"name": account.display_name})
    return redirect("grids:people_detail", pk=account.pk)


@login_required
@require_POST
def account_deactivate(request, pk: int):
    return _account_action(
        request, pk, services.account_deactivate, _("%(name)s was deactivated and its posts ended.")
    )


@login_required
@require_POST
def account_activate(request, pk: int):
    return _account_action(request, pk, services.account_activate, _("%(name)s can log in again."))


@login_required
def account_reset_password(request, pk: int):
    _manager(request)
    account = selectors.account_get(user=request.user, pk=pk)
    form = forms.ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.account_reset_password(
                actor=request.user, account=account, password=form.cleaned_data["password"] or None
            )
        except DomainError as error:
            _raise_refusal(error)
            add_domain_error(form, error)
        else:
            return render(request, "grids/people/password.html", {"result": result, "new": False})
    return render(
        request,
        "grids/people/form.html",
        {"form": form, "account": account, "title": _("Reset the password"), "testid": "reset-form"},
    )


@login_required
def staff_import(request):
    _manager(request)
    result = None
    form = forms.StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = importer.staff_import(actor=request.user, file=form.cleaned_data["file"])
    return render(request, "grids/people/import.html", {"form": form, "result": result})


@login_required
def staff_import_template(request):
    _manager(request)
    return xlsx.response(importer.template_bytes(), "staff-import-template.xlsx")
