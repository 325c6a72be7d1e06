"""Pages of the exchange: the partner platforms (settings), the failed pushes, and the two
actions of the petition page's panel (return an order to the hotline, retry a push)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from exchange import conf, selectors, services
from exchange.forms import PartnerForm, ReasonForm
from exchange.models import DeliveryStatus, PartnerOrder
from grids import access
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.forms import add_domain_error


def _refuse(error: DomainError) -> None:
    if isinstance(error, NotFound):
        raise Http404(str(error))
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error))


def _viewer(request) -> bool:
    if not access.may_view_configuration(request.user):
        raise Http404()
    return access.may_configure(request.user)


@login_required
@require_safe
def partners(request):
    may_change = _viewer(request)
    return render(
        request,
        "exchange/partners.html",
        {
            "partners": list(selectors.partners(user=request.user)),
            "may_change": may_change,
            "counts": selectors.delivery_counts(user=request.user),
        },
    )


def _previous_until(partner):
    """When the previous secret stops working, if it still works now."""
    until = partner.previous_secret_until if partner is not None else None
    return until if until and until > timezone.now() else None


def _secret_page(request, partner, secret: str):
    return render(
        request,
        "exchange/secret.html",
        {"partner": partner, "secret": secret, "previous_until": _previous_until(partner)},
    )


@login_required
def partner_edit(request, pk: int | None = None):
    """Create (no pk) or edit a partner platform; a new one's secret is shown once."""
    if not _viewer(request):
        raise PermissionDenied()
    partner = selectors.partner_get(user=request.user, pk=pk) if pk is not None else None
    initial = {"is_active": True}
    if partner is not None:
        initial = {
            "name": partner.name,
            "code": partner.code,
            "callback_url": partner.callback_url,
            "default_grid": partner.default_grid.code if partner.default_grid else "",
            "is_active": partner.is_active,
            "mappings": services.mappings_text(partner),
        }
    form = PartnerForm(request.POST or None, initial=initial, user=request.user, editing=partner is not None)
    if request.method == "POST" and form.is_valid():
        try:
            if partner is None:
                partner, secret = services.partner_create(actor=request.user, **form.cleaned_data)
                return _secret_page(request, partner, secret)
            services.partner_update(actor=request.user, partner=partner, **form.cleaned_data)
        except DomainError as error:
            _refuse(error)
            add_domain_error(form, error)
        else:
            messages.success(request, _("The platform %(name)s was saved.") % {"name": partner.name})
            return redirect("exchange:partners")
    return render(
        request,
        "exchange/partner_form.html",
        {
            "form": form,
            "partner": partner,
            "grace_hours": conf.SECRET_GRACE_HOURS,
            "previous_until": _previous_until(partner),
        },
    )


@login_required
@require_POST
def partner_rotate(request, pk: int):
    try:
        partner, secret = services.partner_rotate_secret(
            actor=request.user, partner=pk, grace=request.POST.get("grace", "1") != "0"
        )
    except DomainError as error:
        _refuse(error)
        raise
    return _secret_page(request, partner, secret)


@login_required
@require_safe
def deliveries(request):
    """推送失败: the pushes that failed after their last retry, in the user's area."""
    if not access.may_view_configuration(request.user):
        raise Http404()
    status = request.GET.get("status", DeliveryStatus.FAILED)
    if status not in DeliveryStatus.values:
        raise Http404()
    rows = list(selectors.deliveries(user=request.user, status=status)[: selectors.FAILED_PAGE_SIZE])
    return render(
        request,
        "exchange/deliveries.html",
        {
            "rows": rows,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "counts": selectors.delivery_counts(user=request.user),
            "limit": selectors.FAILED_PAGE_SIZE,
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def delivery_retry(request, pk: int):
    try:
        services.delivery_retry(actor=request.user, delivery=pk)
    except DomainError as error:
        _refuse(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("The push was queued again."))
    return _back(request, "exchange:deliveries")


@login_required
@require_POST
def order_return(request, pk: int):
    """退单 from the petition page: the petition is rejected and the order returned."""
    order = PartnerOrder.objects.filter(pk=pk).select_related("petition").first()
    if order is None:
        raise Http404()
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.order_return(actor=request.user, order=order, reason=reason)
    except DomainError as error:
        _refuse(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("The order was returned to the hotline."))
    return redirect("petitions:detail", order.petition_id)
