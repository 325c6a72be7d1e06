"""Supervision's pages: the orders by light, an order (reply, send back, close), issuing one,
and the heads' review of accountability cases. Thin: forms in, services and selectors out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from deliberation import selectors as deliberation_selectors
from grids import access
from grids.models import Department
from hlgrid.errors import DomainError
from hlgrid.forms import add_domain_error
from hlgrid.ids import parse_id
from hlgrid.lights import Light
from petitions import selectors as petition_selectors
from supervision import policy, selectors, services
from supervision.forms import IssueForm, ReplyForm, ReviewForm, SendBackForm
from supervision.models import CaseKind, ExcuseReason, Notice, OrderStatus, Outcome

PAGE_SIZE = 30


@login_required
def index(request):
    now = timezone.now()
    filters = {k: request.GET.get(k, "") for k in selectors.ORDER_FILTERS}
    if filters["light"] not in ("", *Light.values):
        filters["light"] = ""
    if filters["status"] not in ("", *OrderStatus.values):
        filters["status"] = ""
    page = Paginator(selectors.order_list(user=request.user, now=now, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notices = list(
        Notice.objects.filter(recipient_id=request.user.pk, read_at__isnull=True)
        .select_related("order")
        .order_by("-created_at")[:10]
    )
    if notices:
        services.notices_read(actor=request.user, now=now)
    return render(
        request,
        "supervision/index.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.order_counts(user=request.user, now=now),
            "notices": notices,
            "lights": Light.choices,
            "statuses": OrderStatus.choices,
        },
    )


def _subject(request, source):
    """The petition, whistle or resolution named in the query or form, through its app's scoped lookup."""
    for key, getter in (
        ("petition", petition_selectors.petition_get),
        ("whistle", petition_selectors.whistle_get),
        ("resolution", deliberation_selectors.resolution_get),
    ):
        if source.get(key):
            pk = parse_id(source.get(key))
            if pk is None:
                raise Http404
            return key, getter(user=request.user, pk=pk)
    raise Http404


@login_required
def issue(request):
    kind, subject = _subject(request, request.POST if request.method == "POST" else request.GET)
    node = {"petition": lambda s: s.grid, "whistle": lambda s: s.street, "resolution": lambda s: s.node}[
        kind
    ](subject)
    if not policy.may_lead(request.user, node):
        raise Http404
    form = IssueForm(request.POST or None)
    if kind == "whistle":
        form.fields["department"].required = True
        form.fields["department"].choices = [
            (d.pk, d.name)
            for d in Department.objects.filter(checkins__whistle=subject).order_by("code").only("id", "name")
        ]
    else:
        del form.fields["department"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = (
            Department.objects.filter(pk=data.get("department")).first() if kind == "whistle" else None
        )
        try:
            order = services.order_issue(
                actor=request.user,
                instruction=data["instruction"],
                working_days=data["working_days"],
                title=data["title"],
                department=department,
                **{kind: subject},
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Supervision order issued."))
            return redirect(order)
    return render(request, "supervision/issue.html", {"form": form, "kind": kind, "subject": subject})


@login_required
def order(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    now = timezone.now()
    reply_form, back_form = ReplyForm(), SendBackForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reply":
                reply_form = ReplyForm(request.POST)
                if reply_form.is_valid():
                    services.order_reply(
                        actor=request.user, order=order, reply=reply_form.cleaned_data["reply"]
                    )
                    messages.success(request, _("Reply sent."))
                    return redirect(order)
            elif action == "send_back":
                back_form = SendBackForm(request.POST)
                if back_form.is_valid():
                    services.order_send_back(
                        actor=request.user,
                        order=order,
                        note=back_form.cleaned_data["note"],
                        working_days=back_form.cleaned_data["working_days"],
                    )
                    messages.success(request, _("Sent back to the handler."))
                    return redirect(order)
            elif action == "close":
                services.order_close(actor=request.user, order=order, note=request.POST.get("note", ""))
                messages.success(request, _("Supervision order closed."))
                return redirect(order)
        except DomainError as error:
            form = {"reply": reply_form, "send_back": back_form}.get(action)
            if form is not None and form.is_bound:
                add_domain_error(form, error)
            else:
                messages.error(request, error.detail)
                return redirect(order)
    light = order.light
    if order.status == OrderStatus.OPEN:
        from hlgrid.lights import light_at

        light = light_at(due_at=order.due_at, warn_at=order.warn_at, now=now)
    return render(
        request,
        "supervision/order.html",
        {
            "order": order,
            "light": light,
            "events": list(order.events.select_related("actor").order_by("at", "id")),
            "may_reply": order.status == OrderStatus.OPEN and policy.is_handler(request.user, order),
            "may_decide": order.status == OrderStatus.REPLIED and policy.is_issuer(request.user, order),
            "reply_form": reply_form,
            "back_form": back_form,
        },
    )


@login_required
def cases(request):
    filters = {k: request.GET.get(k, "") for k in ("outcome", "kind", "reason", "department", "charged")}
    if filters["outcome"] not in ("", *Outcome.values):
        filters["outcome"] = ""
    if filters["kind"] not in ("", *CaseKind.values):
        filters["kind"] = ""
    if filters["reason"] not in ("", *ExcuseReason.values):
        filters["reason"] = ""
    filters["department"] = parse_id(filters["department"]) or ""
    qs = selectors.case_list(user=request.user, filters=filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/cases.html",
        {
            "page": page,
            "filters": filters,
            "counts": selectors.case_counts(qs),
            "form": ReviewForm(),
            "outcomes": Outcome.choices,
            "kinds": CaseKind.choices,
            "reasons": ExcuseReason.choices,
            "departments": access.scope_to_cities(request.user, Department.objects.order_by("code")).only(
                "id", "name"
            ),
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_POST
def cases_review(request):
    form = ReviewForm(request.POST)
    ids = request.POST.getlist("ids")
    back = request.POST.get("next") or ""
    target = "supervision:cases"
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    elif not ids:
        messages.error(request, _("Choose the cases to review."))
    else:
        try:
            reviewed = services.cases_review(
                actor=request.user,
                ids=ids,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(
                request, error.detail or " ".join(str(m) for ms in error.errors.values() for m in ms)
            )
        else:
            messages.success(request, _("%(n)d case(s) reviewed.") % {"n": len(reviewed)})
    response = redirect(target)
    if back.startswith("?"):
        response["Location"] += back
    return response
