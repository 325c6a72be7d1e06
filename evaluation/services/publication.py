"""Publishing a period: it locks, the bonus ledger is written and each street's Party working
committee secretary (evaluation.recipients: the street head where the secretary has no account)
and each grid head get one notice summarising their people's results."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Assessment, Grade, Notice, Period
from evaluation.policy import require_assessor
from evaluation.recipients import street_recipients
from evaluation.services.money import payments_write
from evaluation.services.periods import fire, lock_period, require_final
from grids import access
from grids.models import NodeKind, Post, PostKind


def period_publish(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Lock the period, write the bonus ledger, notify the streets' Party secretaries and the grid heads."""
    require_assessor(actor, period.city)
    now = now or timezone.now()
    with transaction.atomic():
        period = lock_period(period)
        fire(period, "publish")
        require_final(period, now=now)
        payments_write(period, actor=actor, now=now)
        notices_write(period, now)
        period.published_at, period.published_by = now, access.recorded(actor)
        period.save(update_fields=["status", "published_at", "published_by"])
    return period


def notices_write(period: Period, now) -> int:
    """One notice per street (to its Party secretary, else its head) and per grid head,
    summarising their people's results.

    A step of publishing (the demo's bulk load calls it for the quarter it publishes last).
    """
    current = Assessment.objects.filter(period=period, is_current=True)
    summary, streets = {}, set()
    for key in ("street_id", "grid_id"):
        for row in (
            current.values(key)
            .annotate(
                n=Count("id"),
                excellent=Count("id", filter=Q(grade=Grade.EXCELLENT)),
                bonus=Sum("bonus"),
            )
            .order_by()
        ):
            summary[row[key]] = row
            if key == "street_id":
                streets.add(row[key])
    heads = list(
        Post.objects.filter(
            kind=PostKind.HEAD, is_active=True, node_id__in=list(summary), node__kind=NodeKind.GRID
        ).values_list("user_id", "node_id")
    )
    heads += [(user_id, node_id) for node_id, user_id in street_recipients(streets).items()]
    notices = [
        Notice(
            recipient_id=user_id,
            period=period,
            node_id=node_id,
            text=(
                _(
                    "%(period)s results are published: %(n)s workers, "
                    "%(excellent)s excellent, bonuses %(bonus)s yuan."
                )
                % {
                    "period": period.name,
                    "n": summary[node_id]["n"],
                    "excellent": summary[node_id]["excellent"],
                    "bonus": summary[node_id]["bonus"] or Decimal("0.00"),
                }
            )[:300],
            created_at=now,
        )
        for user_id, node_id in heads
    ]
    Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(notices)
