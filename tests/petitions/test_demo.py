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
    # ...and open work of its own, in a red light too (the journeys of supervision start there)
    own = Petition.objects.filter(assignee__username="worker", status__in=ACTIVE_STATUSES)
    assert own.exists() and own.annotate(current=light_expression(now)).filter(current="RED").exists()
    assert Whistle.objects.count() >= 3 and CheckIn.objects.filter(checked_in_at__isnull=True).exists()
    # The stored lights agree with the clock: a sweep right after loading changes nothing.
    counts = sweep(now=now)
    assert counts["red"] == counts["yellow"] == counts["green"] == 0


def test_some_demo_petitions_carry_a_judgement_and_a_few_are_extra_urgent_and_announced(helong):
    from petitions.models import Notification, NotificationKind, Urgency

    judged = Petition.objects.exclude(urgency=Urgency.NORMAL)
    assert judged.filter(urgency=Urgency.URGENT).count() > judged.filter(urgency=Urgency.CRITICAL).count() > 0
    open_critical = judged.filter(urgency=Urgency.CRITICAL, status__in=ACTIVE_STATUSES)
    assert 1 <= open_critical.count() <= 10
    assert open_critical.filter(grid__posts__user__username="worker").exists()
    assert (
        Petition.objects.filter(risk_safety=True).exists()
        and Petition.objects.filter(risk_stability=True).exists()
    )
    assert Petition.objects.filter(risk_vulnerable=True, key_person_id__isnull=False).exists()
    told = Notification.objects.filter(kind=NotificationKind.CRITICAL, petition__in=open_critical)
    assert told.filter(recipient__username="official").exists()
    assert Petition.objects.filter(status=Status.RECEIVED).exclude(urgency=Urgency.NORMAL).count() == 0
    assert Category.objects.get(code="AQ02").critical_hours == 2
