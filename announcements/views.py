"""Announcement pages for staff (list, new, edit, withdraw) and the checked photo view.

Thin: selectors read, services write; a refusal from a service shows in the form (or as 404
to an outsider). Residents read announcements on the public 我的网格 page (portal.public)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from announcements import forms, selectors, services
from grids import access
from grids.models import GridNode
from hlgrid import media
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.forms import add_domain_error

PAGE_SIZE = 30


def _announcing_nodes(user) -> list[GridNode]:
    """The nodes the user may post for (a head's or official's subtree), top first (one query)."""
    return list(
        access.scope_queryset(
            user,
            GridNode.objects.only("pk", "name", "kind", "level"),
            node_path="",
            post_kinds=access.ANNOUNCING_KINDS,
        ).order_by("tree_id", "lft")
    )


def _refuse(error: DomainError):
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error.detail)) from None
    raise Http404 from None


@login_required
def announcement_list(request):
    rows = list(selectors.announcement_list(user=request.user)[: PAGE_SIZE + 1])
    context = {
        "announcements": rows[:PAGE_SIZE],
        "more": len(rows) > PAGE_SIZE,
        "page_size": PAGE_SIZE,
        "now": timezone.now(),
        "may_post": access.holds(request.user, access.ANNOUNCING_KINDS),
    }
    return render(request, "announcements/list.html", context)


@login_required
def announcement_new(request):
    nodes = _announcing_nodes(request.user)
    if not nodes:
        raise Http404
    by_pk = {n.pk: n for n in nodes}
    if request.method == "POST":
        form = forms.AnnouncementForm(request.POST, request.FILES, nodes=nodes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.announcement_publish(
                    actor=request.user,
                    node=by_pk[data["node"]],
                    title=data["title"],
                    body=data["body"],
                    photo=data["photo"],
                    expires_at=data["expires_at"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The announcement is published."))
                return redirect("announcements:list")
    else:
        initial = {}
        wanted = request.GET.get("node", "")
        if wanted.isdigit() and int(wanted) in by_pk:
            initial["node"] = int(wanted)
        form = forms.AnnouncementForm(nodes=nodes, initial=initial)
    return render(request, "announcements/form.html", {"form": form, "announcement": None})


@login_required
def announcement_edit(request, pk: int):
    announcement = selectors.announcement_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = forms.AnnouncementForm(request.POST, request.FILES, nodes=[], editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.announcement_update(
                    actor=request.user,
                    announcement=announcement,
                    title=data["title"],
                    body=data["body"],
                    photo=data["photo"],
                    remove_photo=data["remove_photo"],
                    expires_at=data["expires_at"],
                )
            except (NotFound, Forbidden) as error:
                _refuse(error)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("The announcement is saved."))
                return redirect("announcements:list")
    else:
        form = forms.AnnouncementForm(
            nodes=[],
            editing=True,
            initial={
                "title": announcement.title,
                "body": announcement.body,
                "expires_at": announcement.expires_at,
            },
        )
    return render(request, "announcements/form.html", {"form": form, "announcement": announcement})


@login_required
@require_POST
def announcement_withdraw(request, pk: int):
    announcement = selectors.announcement_get(user=request.user, pk=pk)
    try:
        services.announcement_withdraw(actor=request.user, announcement=announcement)
    except (NotFound, Forbidden) as error:
        _refuse(error)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The announcement is withdrawn."))
    return redirect("announcements:list")


def announcement_photo(request, pk: int):
    """A live announcement's photo is public; staff also see those of their scope's past ones."""
    announcement = selectors.public_announcement(pk=pk)
    if announcement is None:
        if not request.user.is_authenticated:
            raise Http404
        announcement = selectors.announcement_get(user=request.user, pk=pk)
    return media.file_response(announcement.photo, content_type=announcement.photo_content_type)
