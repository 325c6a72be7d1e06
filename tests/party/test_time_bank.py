"""The volunteer time bank: sign-up, confirmation, points at the configured rate, an
append-only ledger, redemption within the balance and without races."""

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.errors import Forbidden, InvalidInput, TransitionNotAllowed
from party import selectors
from party.models import (
    ActivityKind,
    ActivityStatus,
    EntryKind,
    PointsEntry,
    Redemption,
    SignUpStatus,
    Volunteer,
)
from party.services.time_bank import (
    activity_close_finished,
    points_correct,
    reward_redeem,
    signup_cancel,
    signup_confirm,
    signup_create,
)
from tests.party import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(city):
    return pf.volunteer(city.grid_a1, name="王志愿")


def _earn(people, volunteer, city, hours=2, rate=None):
    activity = pf.activity(people.worker, city.grid_a1, rate=rate)
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    return signup_confirm(actor=people.worker, signup=signup, hours=hours)


def test_confirmed_hours_add_exactly_the_configured_points(people, city, volunteer, settings):
    settings.PARTY_POINTS_PER_HOUR = "12.5"
    signup, entry = _earn(people, volunteer, city, hours="2.5")
    volunteer.refresh_from_db()
    assert (
        entry.points == Decimal("31.25") and entry.kind == EntryKind.EARNED and entry.hours == Decimal("2.5")
    )
    assert volunteer.balance == Decimal("31.25")
    assert signup.status == SignUpStatus.CONFIRMED


def test_the_rate_is_fixed_when_the_activity_is_created(people, city, volunteer, settings):
    settings.PARTY_POINTS_PER_HOUR = "10"
    activity = pf.activity(people.worker, city.grid_a1)
    settings.PARTY_POINTS_PER_HOUR = "50"
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    _, entry = signup_confirm(actor=people.worker, signup=signup, hours=3)
    assert entry.points == Decimal("30.00")


def test_hours_longer_than_the_activity_or_not_in_half_hours_are_refused(people, city, volunteer):
    activity = pf.activity(people.worker, city.grid_a1, hours=3)
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    for hours, message in (("4", "lasted"), ("1.2", "half hours"), ("0", "at least"), ("x", "number")):
        with pytest.raises(InvalidInput) as exc:
            signup_confirm(actor=people.worker, signup=signup, hours=hours)
        assert message in exc.value.errors["hours"][0]
    assert not PointsEntry.objects.exists()


def test_a_sign_up_is_confirmed_once(people, city, volunteer):
    signup, _ = _earn(people, volunteer, city)
    with pytest.raises(TransitionNotAllowed):
        signup_confirm(actor=people.worker, signup=signup, hours=1)
    assert PointsEntry.objects.count() == 1


def test_attendance_is_confirmed_only_once_the_activity_has_started(people, city, volunteer):
    activity = pf.activity(people.worker, city.grid_a1, starts_at=timezone.now() + datetime.timedelta(days=1))
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    with pytest.raises(TransitionNotAllowed):
        signup_confirm(actor=people.worker, signup=signup, hours=1)


def test_someone_outside_the_grid_cannot_confirm(people, city, volunteer):
    activity = pf.activity(people.worker, city.grid_a1)
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    with pytest.raises(Forbidden):
        signup_confirm(actor=people.outsider, signup=signup, hours=1)
    signup_confirm(actor=people.gridhead, signup=signup, hours=1)  # the grid's head may


def test_a_full_activity_refuses_more_sign_ups(people, city, volunteer):
    activity = pf.activity(people.worker, city.grid_a1, capacity=1)
    signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    with pytest.raises(InvalidInput) as exc:
        signup_create(actor=SYSTEM, volunteer=pf.volunteer(city.grid_a1, name="李"), activity=activity)
    assert "full" in exc.value.errors["activity"][0]


def test_signing_up_twice_is_refused_and_cancelling_frees_the_place(people, city, volunteer):
    activity = pf.activity(
        people.worker, city.grid_a1, starts_at=timezone.now() + datetime.timedelta(hours=2)
    )
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    with pytest.raises(InvalidInput):
        signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    signup_cancel(actor=SYSTEM, signup=signup)
    again = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    assert again.pk == signup.pk and again.status == SignUpStatus.SIGNED_UP


def test_an_activity_that_has_ended_is_closed_by_the_sweep_and_refuses_sign_ups(people, city, volunteer):
    activity = pf.activity(people.worker, city.grid_a1, hours=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert activity_close_finished(now=timezone.now()) == {"finished": 1}
        with pytest.raises(TransitionNotAllowed):
            signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.FINISHED


def test_a_monthly_theme_service_has_a_theme_and_a_party_lecture_a_lecturer(people, city):
    with pytest.raises(InvalidInput) as exc:
        pf.activity(people.worker, city.grid_a1, kind=ActivityKind.MONTHLY_THEME)
    assert "theme" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        pf.activity(people.worker, city.grid_a1, kind=ActivityKind.PARTY_LECTURE)
    assert "lecturer" in exc.value.errors


def test_an_organiser_creates_activities_only_in_grids_of_their_scope(people, city):
    with pytest.raises(Exception) as exc:
        pf.activity(people.worker, city.grid_b1)
    assert exc.value.__class__.__name__ == "NotFound"


def test_ledger_entries_are_never_edited_or_deleted(people, city, volunteer):
    _, entry = _earn(people, volunteer, city)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1)
    with pytest.raises(PermissionError):
        PointsEntry.objects.all().delete()


def test_a_correction_is_a_new_entry_that_names_the_one_it_corrects(people, city, volunteer):
    _, entry = _earn(people, volunteer, city, hours=2)  # 20 points
    correction = points_correct(actor=people.worker, entry=entry, points="-5", note="多记了半小时")
    volunteer.refresh_from_db()
    assert correction.corrects == entry and correction.kind == EntryKind.CORRECTION
    assert volunteer.balance == Decimal("15.00")
    assert PointsEntry.objects.get(pk=entry.pk).points == Decimal("20.00")  # untouched
    with pytest.raises(InvalidInput):
        points_correct(actor=people.worker, entry=entry, points="-100", note="太多")


def test_the_balance_is_always_the_sum_of_the_ledger(people, city, volunteer):
    _earn(people, volunteer, city, hours=3)
    reward_redeem(actor=SYSTEM, volunteer=volunteer, reward=pf.RewardFactory(price=12))
    volunteer.refresh_from_db()
    assert volunteer.balance == sum(volunteer.entries.values_list("points", flat=True)) == Decimal("18.00")


def test_redemption_beyond_the_balance_is_refused_and_changes_nothing(people, city, volunteer):
    _earn(people, volunteer, city, hours=1)  # 10 points
    reward = pf.RewardFactory(price=Decimal("10.01"), stock=3)
    with pytest.raises(InvalidInput) as exc:
        reward_redeem(actor=SYSTEM, volunteer=volunteer, reward=reward)
    assert "Not enough points" in exc.value.errors["reward"][0]
    volunteer.refresh_from_db()
    reward.refresh_from_db()
    assert volunteer.balance == Decimal("10.00") and reward.stock == 3
    assert not Redemption.objects.exists()


def test_redemption_within_the_balance_spends_the_price_and_the_stock(people, city, volunteer):
    _earn(people, volunteer, city, hours=2)
    reward = pf.RewardFactory(price=20, stock=1)
    reward_redeem(actor=SYSTEM, volunteer=volunteer, reward=reward)
    volunteer.refresh_from_db()
    reward.refresh_from_db()
    assert volunteer.balance == 0 and reward.stock == 0
    assert volunteer.entries.get(kind=EntryKind.REDEEMED).points == Decimal("-20.00")


def test_an_out_of_stock_reward_is_refused(people, city, volunteer):
    _earn(people, volunteer, city, hours=2)
    with pytest.raises(InvalidInput) as exc:
        reward_redeem(actor=SYSTEM, volunteer=volunteer, reward=pf.RewardFactory(price=1, stock=0))
    assert "out of stock" in exc.value.errors["reward"][0]


def test_the_ranking_per_grid_and_period_counts_earned_points_in_sql(people, city, volunteer):
    other = pf.volunteer(city.grid_a2, name="李志愿")
    far = pf.volunteer(city.grid_b1, name="乙志愿")
    _earn(people, volunteer, city, hours=1)
    _earn(people, other, city, hours=3)
    reward_redeem(
        actor=SYSTEM, volunteer=other, reward=pf.RewardFactory(price=25)
    )  # spending does not lower the rank
    start, end = selectors.period_bounds("month")
    ranked = selectors.ranking(node=city.community_a, start=start, end=end)
    assert [(v.name, v.points, v.rank) for v in ranked] == [
        ("李志愿", Decimal("30.00"), 1),
        ("王志愿", Decimal("10.00"), 2),
    ]
    assert far not in ranked
    assert [v.name for v in selectors.ranking(node=city.grid_a1, start=start, end=end)] == ["王志愿"]
    grids = selectors.grid_ranking(node=city.city, start=start, end=end)
    assert [(g["grid__name"], g["points"]) for g in grids] == [("甲二网格", 30), ("甲一网格", 10)]
    last_year = start - datetime.timedelta(days=400)
    assert selectors.ranking(node=city.community_a, start=last_year, end=start) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_cannot_overdraw(city):
    from tests.factories import UserFactory

    organiser = UserFactory(username="organiser")
    from grids.models import PostKind
    from grids.services import post_assign

    post_assign(actor=SYSTEM, user=organiser, kind=PostKind.WORKER, node=city.grid_a1)
    volunteer = pf.volunteer(city.grid_a1)
    activity = pf.activity(organiser, city.grid_a1, rate=Decimal("10"))
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    signup_confirm(actor=organiser, signup=signup, hours=3)  # 30 points
    rewards = [pf.RewardFactory(price=20), pf.RewardFactory(price=20)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem(reward):
        try:
            barrier.wait()
            reward_redeem(actor=SYSTEM, volunteer=Volunteer.objects.get(pk=volunteer.pk), reward=reward)
            outcomes.append("ok")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(r,)) for r in rewards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    volunteer.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    assert volunteer.balance == Decimal("10.00")
    assert Redemption.objects.count() == 1
    assert volunteer.balance == sum(volunteer.entries.values_list("points", flat=True))
