"""Supervision's sweep, registered with hlgrid.sweeps (Celery beat, every minute).

A fixed number of statements however many rows: the open orders' lights by compare-and-swap
UPDATEs (the rows a sweep turned red are recognised by its own `now`, and their handlers get
one notice per deadline by INSERT ... SELECT against the notices' unique key); then the
accountability cases for the Overdue rows and late check-ins that have none
(services.cases_open, two INSERT ... SELECT statements).
"""

from datetime import datetime

from django.db import connection, transaction

from grids.access import SYSTEM
from hlgrid.lights import Light
from supervision.models import Notice, NoticeKind, Order, OrderStatus
from supervision.services import cases_open


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def sweep(*, now: datetime) -> dict:
    open_rows = Order.objects.filter(status=OrderStatus.OPEN)
    counts: dict[str, int] = {}
    with transaction.atomic():
        counts["order_green"] = (
            open_rows.filter(warn_at__gt=now)
            .exclude(light=Light.GREEN)
            .update(light=Light.GREEN, light_changed_at=now)
        )
        counts["order_yellow"] = (
            open_rows.filter(warn_at__lte=now, due_at__gt=now)
            .exclude(light=Light.YELLOW)
            .update(light=Light.YELLOW, light_changed_at=now)
        )
        counts["order_red"] = (
            open_rows.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        counts["order_notified"] = _notify_red(now) if counts["order_red"] else 0
    counts.update(cases_open(actor=SYSTEM, now=now))
    return counts


def _notify_red(now: datetime) -> int:
    """A notice to the handler of each order this sweep turned red (the key holds the deadline)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    N, O_ = _q(Notice._meta.db_table), _q(Order._meta.db_table)
    columns = ", ".join(_q(c) for c in ("recipient_id", "order_id", "kind", "dedupe_key", "created_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {N} ({columns}) "
            f"SELECT o.{_q('handler_id')}, o.id, %s, "
            f"'red:' || o.id || ':' || o.{_q('returns')} || ':' || o.{_q('handler_id')}, %s "
            f"FROM {O_} o WHERE o.{_q('light_changed_at')} = %s AND o.{_q('light')} = %s "
            f"AND o.{_q('status')} = %s AND o.{_q('handler_id')} IS NOT NULL ON CONFLICT DO NOTHING",
            [NoticeKind.RED, stamp, stamp, Light.RED, OrderStatus.OPEN],
        )
        return max(cursor.rowcount, 0)
