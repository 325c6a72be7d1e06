"""Supervision's reads, scoped through grids.access: orders and cases are seen by territory
(their node) and, for department staff, by their department; aggregates in SQL."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from grids import access
from grids.models import Post, PostKind
from hlgrid.lights import rank_expression
from supervision.models import Case, CaseKind, Notice, Order, OrderStatus, Outcome

ORDER_FILTERS = ("light", "status", "mine")
CASE_FILTERS = ("outcome", "kind", "department", "user", "node", "reason")


def orders_visible(user) -> QuerySet:
    """The orders the user may see: its subtree's, its department's and those it must answer."""
    scoped = access.scope_queryset(
        user,
        Order.objects.all(),
        node_path="node",
        department_path="department",
        post_kinds=access.TERRITORIAL_KINDS,
    )
    if getattr(user, "pk", None) is None:
        return scoped
    return Order.objects.filter(Q(pk__in=scoped.values("pk")) | Q(handler_id=user.pk))


def order_list(*, user, now: datetime.datetime, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = orders_visible(user).select_related("node", "handler", "department", "issued_by", "petition")
    qs = annotate_light(qs, now)
    if filters.get("light"):
        qs = qs.filter(light_now=filters["light"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("mine") == "handle":
        qs = qs.filter(
            Q(handler_id=user.pk)
            | Q(
                department_id__in=Post.objects.filter(
                    user_id=user.pk, kind=PostKind.DEPARTMENT, is_active=True
                ).values("department_id")
            )
        )
    elif filters.get("mine") == "issued":
        qs = qs.filter(issued_by_id=user.pk)
    return qs.order_by("light_rank", "due_at", "id")


def annotate_light(qs: QuerySet, now: datetime.datetime) -> QuerySet:
    """`light_now`: an open order's light from the clock; a replied or closed one keeps its
    stored light (the clock stopped when the reply came)."""
    from django.db.models import Case as SqlCase
    from django.db.models import CharField, F, Value, When

    from hlgrid.lights import Light

    light = SqlCase(
        When(~Q(status=OrderStatus.OPEN), then=F("light")),
        When(due_at__lte=now, then=Value(Light.RED)),
        When(warn_at__lte=now, then=Value(Light.YELLOW)),
        default=Value(Light.GREEN),
        output_field=CharField(),
    )
    return qs.annotate(light_now=light).annotate(light_rank=rank_expression("light_now"))


def order_counts(*, user, now: datetime.datetime) -> dict:
    """Open orders by light and the replied ones awaiting the issuer (one query)."""
    row = annotate_light(orders_visible(user), now).aggregate(
        red=Count("id", filter=Q(status=OrderStatus.OPEN, light_now="RED")),
        yellow=Count("id", filter=Q(status=OrderStatus.OPEN, light_now="YELLOW")),
        green=Count("id", filter=Q(status=OrderStatus.OPEN, light_now="GREEN")),
        replied=Count("id", filter=Q(status=OrderStatus.REPLIED)),
        closed=Count("id", filter=Q(status=OrderStatus.CLOSED)),
    )
    return row


def order_get(*, user, pk) -> Order:
    from django.http import Http404

    from hlgrid.ids import in_range

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not in_range(pk):
        raise Http404
    order = (
        orders_visible(user)
        .select_related(
            "node", "handler", "department", "issued_by", "replied_by", "petition", "whistle", "resolution"
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def orders_for(*, user, subject: str, obj, now: datetime.datetime) -> list[Order]:
    """The orders the user may see on one petition, whistle or resolution (subject: the field name)."""
    return list(
        annotate_light(orders_visible(user).filter(**{subject: obj}), now)
        .select_related("handler", "issued_by")
        .order_by("-issued_at")
    )


def unread_notices(user) -> int:
    if getattr(user, "pk", None) is None:
        return 0
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


# --- accountability cases -----------------------------------------------------------------------


def cases_visible(user) -> QuerySet:
    return access.scope_queryset(
        user,
        Case.objects.all(),
        node_path="node",
        department_path="department",
        post_kinds=access.TERRITORIAL_KINDS,
    )


def case_list(*, user, filters: dict | None = None) -> QuerySet:
    filters = filters or {}
    qs = cases_visible(user).select_related("node", "user", "department", "petition", "reviewed_by")
    for key in ("outcome", "kind", "reason"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("department"):
        qs = qs.filter(department_id=filters["department"])
    if filters.get("user"):
        qs = qs.filter(user_id=filters["user"])
    if filters.get("charged") == "department":
        qs = qs.filter(department__isnull=False)
    elif filters.get("charged") == "worker":
        qs = qs.filter(user__isnull=False)
    if filters.get("since"):
        qs = qs.filter(due_at__gte=filters["since"])
    if filters.get("until"):
        qs = qs.filter(due_at__lt=filters["until"])
    return qs.order_by("-due_at", "-id")


def case_counts(queryset: QuerySet) -> dict:
    return queryset.aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(outcome=Outcome.PENDING)),
        excused=Count("id", filter=Q(outcome=Outcome.EXCUSED)),
        warned=Count("id", filter=Q(outcome=Outcome.WARNED)),
        penalised=Count("id", filter=Q(outcome=Outcome.PENALISED)),
    )


# --- what counts in assessments -----------------------------------------------------------------


def excused_overdue(outer: str = "pk") -> Exists:
    """EXISTS an excused case for the outer Overdue row (evaluation excludes those)."""
    return Exists(
        Case.objects.filter(kind=CaseKind.OVERDUE, overdue_id=OuterRef(outer), outcome=Outcome.EXCUSED)
    )


def excused_checkin(outer: str = "pk") -> Exists:
    """EXISTS an excused case for the outer CheckIn row."""
    return Exists(
        Case.objects.filter(kind=CaseKind.CHECKIN, checkin_id=OuterRef(outer), outcome=Outcome.EXCUSED)
    )


def counted_overdues(queryset: QuerySet) -> QuerySet:
    """The Overdue rows of `queryset` that count: those without an excused case."""
    return queryset.exclude(excused_overdue())


def counted_checkins(queryset: QuerySet) -> QuerySet:
    """The check-ins of `queryset` that count in punctuality: those without an excused case."""
    return queryset.exclude(excused_checkin())
