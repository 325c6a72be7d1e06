"""Evaluation test data, built through the services (the same path as the pages and the API)."""

import datetime
from decimal import Decimal

from evaluation import services
from evaluation.models import Mode, Rule, Source
from evaluation.services import IndicatorSpec
from grids.access import SYSTEM
from grids.models import Post
from tests.factories import UserFactory, default_city

LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

# A scheme whose only scoring indicator is the inspection (plus penalties): results are easy
# to reason about in tests that do not involve petitions or visits.
INSPECTION_ONLY = [
    IndicatorSpec(
        "inspection", "明察暗访", Source.INSPECTION, Decimal(100), Rule.LINEAR, {"low": 0, "high": 100}
    ),
]


def backdate_posts() -> None:
    """Everyone has held their posts for years (joining mid-period marks a worker)."""
    Post.objects.update(created_at=LONG_AGO)


def scheme(name="测试方案", indicators=None, actor=SYSTEM, **options):
    if actor is SYSTEM:
        options.setdefault("city", default_city())  # SYSTEM assesses every city: it must choose
    return services.scheme_save(actor=actor, name=name, indicators=indicators or INSPECTION_ONLY, **options)


def period(actor, *, name="2026年第一季度", starts_on=datetime.date(2026, 1, 1),
           ends_on=datetime.date(2026, 3, 31), scheme_obj=None, open_it=True):  # fmt: skip
    created = services.period_create(
        actor=actor, name=name, starts_on=starts_on, ends_on=ends_on, scheme=scheme_obj or scheme()
    )
    if open_it:
        created = services.period_open(actor=actor, period=created)
    return created


def inspect(actor, period_obj, worker, score, *, method="LOOK", mode=Mode.OPEN, notes=""):
    return services.inspection_record(
        actor=actor, period=period_obj, worker=worker, method=method, score=score, mode=mode, notes=notes
    )


def worker_in(grid, username):
    from grids.models import PostKind
    from grids.services import post_assign

    user = UserFactory(username=username)
    post_assign(actor=SYSTEM, user=user, kind=PostKind.WORKER, node=grid)
    return user
