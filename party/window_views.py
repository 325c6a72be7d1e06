"""The pages of the general social workers' certificates and training records (三级教育培训):
the list with hours and certificates expiring soon, and one worker's page to keep them.
Thin: party.selectors read, party.services.training write."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.access import scope_queryset
from grids.models import GridNode, NodeKind
from hlgrid.errors import DomainError, InvalidInput
from hlgrid.ids import parse_id
from party import selectors
from party.models import CertificateKind, ServiceItem, TrainingLevel
from party.services.training import (
    EXPIRY_WARNING_DAYS,
    certificate_record,
    certificate_remove,
    expiring_soon,
    training_record,
    training_remove,
)
from party.services.windows import socialworker_create, socialworker_end, socialworker_update


def _error(request, exc: DomainError) -> None:
    details = [m for msgs in exc.errors.values() for m in msgs] or [exc.detail]
    for detail in details:
        messages.error(request, detail)


def _grids(user):
    return (
        scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
        .select_related("parent")
        .defer("boundary", "parent__boundary")
        .order_by("code")
    )


def _items(post) -> list[ServiceItem]:
    ids = [i for i in (parse_id(v) for v in post.getlist("items")) if i]
    return list(ServiceItem.objects.filter(pk__in=ids))


def _warn_before() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=EXPIRY_WARNING_DAYS)


@login_required
def social_workers(request):
    workers = list(selectors.socialworker_training_list(user=request.user, warn_before=_warn_before()))
    context = {"workers": workers, "expiring": sum(1 for w in workers if w.expiring_count)}
    return render(request, "party/social_workers.html", context)


@login_required
def social_worker_new(request):
    """Take on a social worker: an account with a one-time password (shown once), a home grid
    and the items they are qualified for."""
    grids = list(_grids(request.user))
    created, form = None, {}
    if request.method == "POST":
        post = request.POST
        form = {k: post.get(k, "") for k in ("username", "name", "phone", "grid")}
        grid = next((g for g in grids if str(g.pk) == post.get("grid")), None)
        try:
            if grid is None:
                raise InvalidInput.field("grid", _("Choose the home grid."))
            created = socialworker_create(
                actor=request.user,
                username=post.get("username", ""),
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                grid=grid,
                items=_items(post),
            )
        except DomainError as exc:
            _error(request, exc)
        else:
            form = {}
    context = {
        "grids": grids,
        "items": list(ServiceItem.objects.order_by("code")),
        "created": created,
        "form": form,
    }
    return render(request, "party/social_worker_new.html", context)


@login_required
def social_worker(request, pk):
    worker = selectors.socialworker_get(user=request.user, pk=pk)
    certificates = list(worker.certificates.order_by("kind", "-issued_on"))
    today = timezone.localdate()
    by_level = selectors.training_hours_by_level(worker=worker)
    context = {
        "worker": worker,
        "certificates": [
            (c, expiring_soon(c, today=today), c.expires_on is not None and c.expires_on < today)
            for c in certificates
        ],
        "trainings": list(worker.trainings.order_by("-held_on", "-id")),
        "levels": [(value, label, by_level.get(value, 0)) for value, label in TrainingLevel.choices],
        "kinds": CertificateKind.choices,
        "today": today,
        "grids": list(_grids(request.user)),
        "items": list(ServiceItem.objects.order_by("code")),
        "qualified": set(worker.items.values_list("pk", flat=True)),
    }
    return render(request, "party/social_worker.html", context)


def _date(value, field):
    day = parse_date(value or "")
    if day is None:
        raise InvalidInput.field(field, _("Give a date."))
    return day


@login_required
@require_POST
def social_worker_edit(request, pk):
    worker = selectors.socialworker_get(user=request.user, pk=pk)
    post = request.POST
    action = post.get("action")
    try:
        if action == "worker":
            grid = _grids(request.user).filter(pk=parse_id(post.get("grid") or "") or 0).first()
            if grid is None:
                raise InvalidInput.field("grid", _("Choose the home grid."))
            socialworker_update(actor=request.user, worker=worker, grid=grid, items=_items(post))
        elif action == "end":
            socialworker_end(actor=request.user, worker=worker)
        elif action == "certificate":
            expires = parse_date(post.get("expires_on") or "")
            certificate = None
            if post.get("certificate"):
                certificate = worker.certificates.filter(pk=parse_id(post.get("certificate")) or 0).first()
                if certificate is None:
                    raise InvalidInput.field("certificate", _("No such certificate."))
            certificate_record(
                actor=request.user,
                worker=worker,
                kind=post.get("kind", ""),
                number=post.get("number", ""),
                issued_on=_date(post.get("issued_on"), "issued_on"),
                expires_on=expires,
                certificate=certificate,
            )
        elif action == "certificate_remove":
            certificate = worker.certificates.filter(pk=post.get("certificate") or 0).first()
            if certificate is None:
                raise InvalidInput.field("certificate", _("No such certificate."))
            certificate_remove(actor=request.user, certificate=certificate)
        elif action == "training":
            record = None
            if post.get("record"):
                record = worker.trainings.filter(pk=parse_id(post.get("record")) or 0).first()
                if record is None:
                    raise InvalidInput.field("record", _("No such record."))
            training_record(
                actor=request.user,
                worker=worker,
                level=post.get("level", ""),
                title=post.get("title", ""),
                held_on=_date(post.get("held_on"), "held_on"),
                hours=post.get("hours", ""),
                record=record,
            )
        elif action == "training_remove":
            record = worker.trainings.filter(pk=post.get("record") or 0).first()
            if record is None:
                raise InvalidInput.field("record", _("No such record."))
            training_remove(actor=request.user, record=record)
        else:
            raise InvalidInput.field("action", _("Unknown action."))
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("party:social_worker", pk=worker.pk)
