"""Reads of the exchange, scoped through grids.access: partners by their city (the posts that
configure it), deliveries by their petition's grid (officials and administrators over it)."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from exchange.models import DeliveryStatus, OrderState, Partner, PartnerDelivery, PartnerOrder
from grids import access
from grids.models import PostKind
from hlgrid.errors import NotFound
from hlgrid.lights import light_at
from petitions.models import Status

OUTBOX_KINDS = [PostKind.OFFICIAL, PostKind.ADMIN]
FAILED_PAGE_SIZE = 200


def partners(*, user) -> QuerySet:
    queryset = Partner.objects.select_related("city", "default_grid").annotate(
        order_count=Count("orders", distinct=True),
        failed_count=Count("orders__deliveries", filter=Q(orders__deliveries__status=DeliveryStatus.FAILED)),
    )
    return access.scope_queryset(user, queryset, node_path="city", post_kinds=OUTBOX_KINDS).order_by(
        "name", "pk"
    )


def partner_get(*, user, pk: int) -> Partner:
    return access.get_scoped_or_404(
        user,
        Partner.objects.select_related("city", "default_grid"),
        node_path="city",
        post_kinds=OUTBOX_KINDS,
        pk=pk,
    )


def deliveries(*, user, status: str = DeliveryStatus.FAILED) -> QuerySet:
    """The deliveries of the petitions in the user's area (an official's or administrator's), newest first."""
    queryset = PartnerDelivery.objects.filter(status=status).select_related(
        "order__partner", "order__petition"
    )
    scoped = access.scope_queryset(user, queryset, node_path="order__petition__grid", post_kinds=OUTBOX_KINDS)
    return scoped.order_by("-created_at", "-pk")


def delivery_counts(*, user) -> dict[str, int]:
    queryset = access.scope_queryset(
        user, PartnerDelivery.objects.all(), node_path="order__petition__grid", post_kinds=OUTBOX_KINDS
    )
    counts = queryset.aggregate(
        **{status.lower(): Count("pk", filter=Q(status=status)) for status in DeliveryStatus.values}
    )
    return counts


def order_panel(petition, user):
    """The petition page's panel (hlgrid.panels): the hotline's order, its deadlines and
    their lights, what was pushed and how it went. None for a petition of no order."""
    order = PartnerOrder.objects.filter(petition_id=petition.pk).select_related("partner").first()
    if order is None:
        return None
    now = timezone.now()
    accept_open = order.state == OrderState.RECEIVED
    finish_open = order.state in (OrderState.RECEIVED, OrderState.ACCEPTED)
    standing = access.standing(user, petition.grid, department_id=petition.department_id)
    context = {
        "order": order,
        "accept_light": light_at(due_at=order.accept_due_at, warn_at=order.accept_warn_at, now=now)
        if accept_open and order.accept_due_at
        else "",
        "finish_light": light_at(due_at=order.finish_due_at, warn_at=order.finish_warn_at, now=now)
        if finish_open and order.finish_due_at
        else "",
        "accepted_late": bool(
            order.accepted_at and order.accept_due_at and order.accepted_at > order.accept_due_at
        ),
        "replied_late": bool(
            order.replied_at and order.finish_due_at and order.replied_at > order.finish_due_at
        ),
        "deliveries": list(order.deliveries.order_by("created_at", "pk")),
        "may_return": accept_open and petition.status == Status.RECEIVED and standing.field_staff,
        "may_retry": access.covers(user, petition.grid, kinds=OUTBOX_KINDS),
    }
    return "exchange/_panel.html", context


def partner_order(*, actor, order_no: str) -> PartnerOrder:
    """One of the calling partner's own orders by its number; another partner's, or none: 404."""
    from exchange.services import PartnerCaller

    if not isinstance(actor, PartnerCaller):
        raise NotFound()
    order = (
        PartnerOrder.objects.select_related("petition__grid")
        .filter(partner_id=actor.partner.pk, order_no=(order_no or "").strip())
        .first()
    )
    if order is None:
        raise NotFound()
    return order
