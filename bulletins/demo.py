"""Demo bulletins: the last three weeks and the last two months, for the city and every street.

Snapshots taken as the beat would have taken them, but bulk-created without messages (the demo
sends nothing on its own)."""

import datetime

from django.utils import timezone

from bulletins.models import Bulletin, Kind
from bulletins.services import BULLETIN_NODE_KINDS, last_finished, period_of, snapshot
from grids.models import GridNode

WEEKS = 3
MONTHS = 2


def _periods(kind: str, count: int, today: datetime.date):
    first, last = last_finished(kind, today)
    for _ in range(count):
        yield first, last
        first, last = period_of(kind, first - datetime.timedelta(days=1))


def load(ctx) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    nodes = list(
        GridNode.objects.filter(kind__in=BULLETIN_NODE_KINDS).defer("boundary").order_by("tree_id", "lft")
    )
    rows = []
    for kind, count in ((Kind.WEEK, WEEKS), (Kind.MONTH, MONTHS)):
        for first, last in _periods(kind, count, today):
            # Taken on the morning after the period, as Celery beat does.
            taken = min(
                now,
                timezone.make_aware(datetime.datetime.combine(last, datetime.time(7, 30)))
                + datetime.timedelta(days=1),
            )
            for node in nodes:
                figures = snapshot(node=node, kind=kind, first_day=first, last_day=last, now=taken)
                rows.append(
                    Bulletin(
                        node=node,
                        kind=kind,
                        first_day=first,
                        last_day=last,
                        figures=figures,
                        generated_at=taken,
                        published_at=taken,
                    )
                )
    Bulletin.objects.bulk_create(rows, ignore_conflicts=True)
    ctx.log(f"    {len(rows)} bulletins ({WEEKS} weeks and {MONTHS} months, {len(nodes)} nodes)")
