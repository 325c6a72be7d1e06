"""The delivery log (后台管理 → Messages sent): every SMS and WeChat Work message, its status,
channel, purpose, masked address, attempts and last error, filtered; a failed one can be sent
again by hand.

Who: officials and administrators (grids.access.may_view_configuration); each sees the
deliveries concerning the nodes its OFFICIAL/ADMIN posts cover (Delivery.node_id, one
subquery through the policy); only a superuser sees those that name no node. Others get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids import access
from grids.models import GridNode, PostKind
from hlgrid.errors import DomainError
from hlgrid.ids import in_range
from hlgrid.notifier.models import Channel, Delivery, DeliveryStatus, Purpose
from hlgrid.notifier.services import delivery_retry

LOG_KINDS = [PostKind.OFFICIAL, PostKind.ADMIN]
PAGE_SIZE = 50
FILTERS = {"status": DeliveryStatus, "channel": Channel, "purpose": Purpose}


def delivery_scope(*, user) -> QuerySet:
    """The deliveries the user may see in the log."""
    if not access.may_view_configuration(user):
        return Delivery.objects.none()
    if user.is_superuser:
        return Delivery.objects.all()
    nodes = access.scope_queryset(user, GridNode.objects.all(), node_path="", post_kinds=LOG_KINDS)
    return Delivery.objects.filter(node_id__in=Subquery(nodes.values("pk")))


def delivery_list(*, user, status: str = "", channel: str = "", purpose: str = "") -> QuerySet:
    queryset = delivery_scope(user=user)
    for name, value in (("status", status), ("channel", channel), ("purpose", purpose)):
        if value:
            queryset = queryset.filter(**{name: value})
    return queryset.defer("address").order_by("-created_at", "-pk")


@login_required
def deliveries(request):
    if not access.may_view_configuration(request.user):
        raise Http404()
    chosen = {
        name: request.GET.get(name, "") if request.GET.get(name, "") in choices.values else ""
        for name, choices in FILTERS.items()
    }
    page = Paginator(delivery_list(user=request.user, **chosen), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = [(name, choices.choices, chosen[name]) for name, choices in FILTERS.items()]
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return render(
        request,
        "settings/deliveries.html",
        {"page": page, "filters": filters, "query": query, "failed": DeliveryStatus.FAILED},
    )


@login_required
@require_POST
def delivery_resend(request, pk: int):
    if not in_range(pk):
        raise Http404()
    delivery = delivery_scope(user=request.user).filter(pk=pk).first()
    if delivery is None:
        raise Http404()
    try:
        delivery_retry(delivery=delivery)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Message %(id)s is queued again.") % {"id": delivery.pk})
    return redirect(request.POST.get("next") or "settings_deliveries")
