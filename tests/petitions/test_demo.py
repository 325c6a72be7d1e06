"""The Helong demo's petitions: realistic categories, five years of history, work in every light now."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from hlgrid.lights import light_at_expression as light_expression
from petitions.models import ACTIVE_STATUSES, Category, CheckIn, Overdue, Petition, Status, Whistle
from petitions.sweep import sweep

pytestmark = pytest.mark.django_db


def test_the_demo_has_five_years_of_petitions_and_open_work_in_every_light(helong):
    assert Category.objects.filter(parent=None).count() >= 5
    garbage = Category.objects.get(name="垃圾清运")
    assert garbage.parent.name == "市容环境" and garbage.department.name == "城管局" and garbage.keyword_list
    now = timezone.now()
    oldest = Petition.objects.order_by("received_at").values_list("received_at", flat=True).first()
    assert now - oldest > timedelta(days=4 * 365)
    closed = Petition.objects.filter(status=Status.CLOSED)
    assert closed.count() > 10_000
    on_time = closed.filter(resolved_on_time=True).count() / closed.count()
    assert 0.8 < on_time < 0.99  # most closed in time, some late
    assert (
        Overdue.objects.filter(petition__status=Status.CLOSED).count()
        == closed.filter(resolved_on_time=False).count()
    )
    lights = dict(
        Petition.objects.filter(status__in=ACTIVE_STATUSES)
        .exclude(status=Status.PAUSED)
        .annotate(current=light_expression(now))
        .values_list("current")
        .annotate(n=Count("id"))
    )
    assert set(lights) == {"GREEN", "YELLOW", "RED"}
    assert Petition.objects.filter(status=Status.PAUSED, pauses__isnull=False).exists()
    assert Petition.objects.filter(grid__posts__user__username="worker", status__in=ACTIVE_STATUSES).exists()
    assert Whistle.objects.count() >= 3 and CheckIn.objects.filter(checked_in_at__isnull=True).exists()
    # The stored lights agree with the clock: a sweep right after loading changes nothing.
    counts = sweep(now=now)
    assert counts["red"] == counts["yellow"] == counts["green"] == 0
