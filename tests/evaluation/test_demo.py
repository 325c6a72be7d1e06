from decimal import Decimal

import pytest

from evaluation import selectors, services
from evaluation.models import Assessment, BonusPayment, HeadBonus, Inspection, MoneySum, Period, PeriodStatus
from grids.access import SYSTEM
from grids.models import Post
from hlgrid.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(helong):
    """The demo city, loaded once and shared (tests/demo.py); each test's writes are rolled back."""
    return helong


def test_the_demo_has_five_years_of_published_quarters_with_the_reports_shares_and_payments(demo):
    published = Period.objects.filter(status=PeriodStatus.PUBLISHED).order_by("starts_on")
    assert published.count() == 20
    assessor = User.objects.get(username="assessor")
    shares = [row["share"] for row in selectors.excellent_share_over_periods(user=assessor)]
    assert shares[0] == Decimal("72.5") and shares[-1] == Decimal("97.8")
    assert shares == sorted(shares)
    assert [selectors.excellent_share(period=p) for p in (published.first(), published.last())] == [
        Decimal("72.5"),
        Decimal("97.8"),
    ]
    for period in (published.first(), published.last()):
        assert Assessment.objects.filter(period=period, is_current=True).count() == 269

    # payments add up to about 490,000 yuan
    paid = selectors.running_total(user=SYSTEM)
    assert abs(paid - Decimal("490000")) < 5
    workers = Assessment.objects.filter(period__status=PeriodStatus.PUBLISHED, is_current=True).aggregate(
        t=MoneySum("bonus")
    )["t"]
    heads = HeadBonus.objects.filter(is_current=True).aggregate(t=MoneySum("amount"))["t"]
    assert paid == workers + heads == BonusPayment.objects.aggregate(t=MoneySum("amount"))["t"]

    # each result's lines add up to its total, and its grade follows the thresholds
    period = published.first()
    for a in Assessment.objects.filter(period=period).prefetch_related("lines")[:50]:
        assert sum(line.points for line in a.lines.all()) == a.total
        assert services.grade_for(period, a.total) == a.grade


def test_the_demo_has_an_accepted_and_a_rejected_appeal_with_the_original_kept(demo):
    from evaluation.models import Appeal

    appeals = {a.status: a for a in Appeal.objects.select_related("corrected", "assessment")}
    assert set(appeals) == {"ACCEPTED", "REJECTED"}
    accepted = appeals["ACCEPTED"]
    assert accepted.corrected.corrects_id == accepted.assessment_id
    assert not accepted.assessment.is_current and accepted.corrected.is_current
    assert accepted.corrected.total == accepted.assessment.total + 1


def test_computing_the_demo_citys_open_quarter_gives_one_result_per_active_worker(demo):
    current = Period.objects.get(status=PeriodStatus.OPEN)
    assert Inspection.objects.filter(period=current).exists()
    assessor = User.objects.get(username="assessor")
    services.period_compute(actor=assessor, period=current)
    active = set(Post.objects.filter(kind="WORKER", is_active=True).values_list("user_id", flat=True))
    results = Assessment.objects.filter(period=current, is_current=True).prefetch_related("lines")
    assert {a.worker_id for a in results} == active and len(active) == 269
    first = {}
    for a in results:
        assert sum(line.points for line in a.lines.all()) == a.total
        first[a.worker_id] = (
            a.total,
            a.grade,
            a.stars,
            a.bonus,
            [(ln.raw, ln.points) for ln in a.lines.all()],
        )
    services.period_compute(actor=assessor, period=current)
    again = Assessment.objects.filter(period=current, is_current=True).prefetch_related("lines")
    assert {
        a.worker_id: (a.total, a.grade, a.stars, a.bonus, [(ln.raw, ln.points) for ln in a.lines.all()])
        for a in again
    } == first
