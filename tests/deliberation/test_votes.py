"""Votes: opened on an accepted agenda topic, cast within their window only, one per household
(or representative), counted by the quorum and threshold rules; the result is computed."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from deliberation import services
from deliberation.models import Ballot, Share, TopicStatus, Vote, VoteResult, VoteRule, VoteStatus
from deliberation.services import AlreadyVoted, Tally, share_met
from deliberation.sweep import sweep
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def place(city):
    return df.Place(city)


@pytest.fixture
def elevator(city, people, place):
    with time_machine.travel(NOW, tick=False):
        topic = df.topic(people, city, unit=place.unit)
        meeting = df.meeting(people, city, [topic])
        vote = df.household_vote(people, meeting, topic, now=NOW)
    return vote


@pytest.mark.parametrize(
    ("part", "whole", "share", "met"),
    [
        (2, 4, Share.HALF, False),  # 过半数: exactly half is not more than half
        (3, 4, Share.HALF, True),
        (2, 3, Share.TWO_THIRDS, True),  # 三分之二以上 includes two thirds
        (5, 8, Share.TWO_THIRDS, False),
        (3, 4, Share.THREE_QUARTERS, True),
        (74, 100, Share.THREE_QUARTERS, False),
        (0, 0, Share.HALF, False),
    ],
)
def test_shares_follow_the_property_rules(part, whole, share, met):
    assert share_met(part, whole, share) is met


def test_a_vote_without_quorum_is_not_decided_even_if_everyone_voting_said_yes():
    tally = Tally(electorate=9, yes=5, no=0, abstain=0, quorum=Share.TWO_THIRDS, threshold=Share.HALF)
    assert (tally.quorate, tally.result) == (False, VoteResult.NO_QUORUM)
    tally = Tally(electorate=9, yes=4, no=1, abstain=1, quorum=Share.TWO_THIRDS, threshold=Share.TWO_THIRDS)
    assert (tally.quorate, tally.result) == (True, VoteResult.PASSED)
    tally = Tally(electorate=9, yes=3, no=2, abstain=1, quorum=Share.TWO_THIRDS, threshold=Share.TWO_THIRDS)
    assert tally.result == VoteResult.REJECTED  # abstentions count among the votes cast


def test_the_electorate_is_the_households_of_the_topics_unit(elevator, place):
    assert elevator.rule == VoteRule.HOUSEHOLD and elevator.electorate == len(place.homes) == 4


def test_a_household_votes_once_and_its_second_vote_is_refused(elevator, people, place):
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=place.homes[0])
        with pytest.raises(AlreadyVoted):
            services.ballot_cast(actor=people.gridhead, vote=elevator, choice="NO", household=place.homes[0])
        with pytest.raises(AlreadyVoted):
            services.ballot_cast_public(vote=elevator, household=place.homes[0], choice="NO")
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["YES"]


def test_a_household_of_another_unit_does_not_vote_on_the_units_elevator(elevator, people, place):
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False), pytest.raises(InvalidInput):
        services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=place.neighbours[0])
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("offset", [-datetime.timedelta(seconds=1), datetime.timedelta(hours=2)])
def test_a_ballot_outside_the_window_is_refused(elevator, people, place, offset):
    with time_machine.travel(NOW + offset, tick=False), pytest.raises(TransitionNotAllowed):
        services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=place.homes[1])
    assert not Ballot.objects.exists()


def test_closing_before_the_window_ends_waits_for_everyone_then_decides_the_topic(elevator, people, place):
    at = NOW + datetime.timedelta(minutes=30)
    for home in place.homes[:3]:
        services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=home, now=at)
    with pytest.raises(TransitionNotAllowed):
        services.vote_close(actor=people.gridhead, vote=elevator, now=at)
    services.ballot_cast(actor=people.worker, vote=elevator, choice="NO", household=place.homes[3], now=at)
    with pytest.raises(Forbidden):
        services.vote_close(actor=people.worker, vote=elevator, now=at)
    vote = services.vote_close(actor=people.gridhead, vote=elevator, now=at)
    # 4 of 4 took part (quorum 2/3), 3 of 4 said yes: three quarters or more passes
    assert (vote.status, vote.yes, vote.no, vote.abstain, vote.result) == (
        VoteStatus.CLOSED,
        3,
        1,
        0,
        "PASSED",
    )
    assert vote.topic.__class__.objects.get(pk=vote.topic_id).status == TopicStatus.PASSED
    with pytest.raises(TransitionNotAllowed):
        services.vote_close(actor=people.gridhead, vote=elevator, now=at)


def test_the_sweep_closes_a_vote_whose_window_ended_and_a_missing_quorum_keeps_the_topic_open(
    elevator, people, place
):
    services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=place.homes[0], now=NOW)
    counts = sweep(now=NOW + datetime.timedelta(hours=2))
    vote = Vote.objects.get(pk=elevator.pk)
    assert counts["votes_closed"] == 1
    assert (vote.status, vote.result, vote.yes) == (VoteStatus.CLOSED, VoteResult.NO_QUORUM, 1)
    assert vote.topic.status == TopicStatus.ACCEPTED  # it can be voted on again
    assert sweep(now=NOW + datetime.timedelta(hours=3))["votes_closed"] == 0


def test_a_topic_has_one_open_vote_at_a_time_and_only_accepted_agenda_topics_are_voted_on(
    elevator, city, people, place
):
    with pytest.raises(TransitionNotAllowed):
        df.household_vote(people, elevator.meeting, elevator.topic, now=NOW)
    other = df.topic(people, city, accept=False, title="停车")
    with pytest.raises(InvalidInput):
        df.household_vote(people, elevator.meeting, other, now=NOW)
    assert Vote.objects.count() == 1


def test_a_window_that_ends_before_it_starts_is_refused(city, people, place):
    topic = df.topic(people, city, unit=place.unit)
    meeting = df.meeting(people, city, [topic])
    with pytest.raises(InvalidInput) as refused:
        services.vote_open(
            actor=people.gridhead,
            meeting=meeting,
            topic=topic,
            question="",
            rule=VoteRule.HOUSEHOLD,
            quorum=Share.HALF,
            threshold=Share.HALF,
            opens_at=timezone.now(),
            closes_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    assert "closes_at" in refused.value.errors
    with pytest.raises(InvalidInput) as bad_share:
        services.vote_open(
            actor=people.gridhead,
            meeting=meeting,
            topic=topic,
            question="",
            rule=VoteRule.HOUSEHOLD,
            quorum="1/3",
            threshold=Share.HALF,
            closes_at=timezone.now() + datetime.timedelta(hours=1),
        )
    assert "quorum" in bad_share.value.errors


def test_representatives_vote_once_each_and_households_do_not_vote_in_their_vote(city, people, place):
    topic = df.topic(people, city, title="物业服务费调整")
    meeting = df.meeting(people, city, [topic])
    reps = df.representatives(people, meeting, place.homes[:3])
    vote = services.vote_open(
        actor=people.gridhead,
        meeting=meeting,
        topic=topic,
        question="是否同意",
        rule=VoteRule.REPRESENTATIVE,
        quorum=Share.TWO_THIRDS,
        threshold=Share.TWO_THIRDS,
        closes_at=timezone.now() + datetime.timedelta(hours=1),
    )
    assert vote.electorate == 3
    services.ballot_cast(actor=people.worker, vote=vote, choice="YES", participant=reps[0])
    with pytest.raises(AlreadyVoted):
        services.ballot_cast(actor=people.worker, vote=vote, choice="NO", participant=reps[0])
    with pytest.raises(InvalidInput):
        services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=place.homes[1])
    services.ballot_cast(actor=people.worker, vote=vote, choice="NO", participant=reps[1])
    services.ballot_cast(actor=people.worker, vote=vote, choice="YES", participant=reps[2])
    closed = services.vote_close(actor=people.gridhead, vote=vote)
    assert (closed.yes, closed.no, closed.result) == (2, 1, VoteResult.PASSED)


def test_an_outsider_can_neither_cast_nor_close(elevator, people, place):
    with pytest.raises(NotFound):
        services.ballot_cast(
            actor=people.outsider, vote=elevator, choice="YES", household=place.homes[0], now=NOW
        )
    with pytest.raises(NotFound):
        services.vote_close(actor=people.outsider, vote=elevator, now=NOW)
    assert not Ballot.objects.exists()


def test_a_household_votes_online_at_the_front_door_once_within_the_window(city, people, place, client):
    topic = df.topic(people, city, unit=place.unit)
    vote = df.household_vote(people, df.meeting(people, city, [topic]), topic)
    page = client.get(f"/deliberation/public/track/{topic.tracking_code}/").content.decode()
    assert 'data-testid="public-vote-link"' in page
    url = f"/deliberation/public/track/{topic.tracking_code}/vote/"
    body = {"building": "1", "unit": "1", "door": "101", "phone": df.PHONE, "choice": "YES"}
    wrong = client.post(url, {**body, "phone": "13711112222"})
    assert wrong.status_code == 200 and not Ballot.objects.exists()
    assert client.post(url, body).status_code == 302
    again = client.post(url, {**body, "choice": "NO"})
    assert again.status_code == 200 and "已经投过票" in again.content.decode()
    ballot = Ballot.objects.get()
    assert (ballot.vote_id, ballot.household_id, ballot.choice, ballot.channel) == (
        vote.pk,
        place.homes[0].pk,
        "YES",
        "ONLINE",
    )
    with time_machine.travel(vote.closes_at, tick=False):
        assert client.get(url).status_code == 404


def test_a_household_registered_after_the_electorate_was_counted_does_not_vote(elevator, people, place):
    from tests.residents import factories as rf

    late = rf.household(place.unit.building.grid, building="1", unit="1", door="901")
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False), pytest.raises(InvalidInput):
        services.ballot_cast(actor=people.worker, vote=elevator, choice="YES", household=late)
    assert elevator.electorate == 4 and not Ballot.objects.exists()


def test_no_representative_joins_while_a_vote_of_representatives_is_open(city, people, place):
    topic = df.topic(people, city, title="物业服务费调整")
    meeting = df.meeting(people, city, [topic])
    df.representatives(people, meeting, place.homes[:2])
    services.vote_open(
        actor=people.gridhead,
        meeting=meeting,
        topic=topic,
        question="是否同意",
        rule=VoteRule.REPRESENTATIVE,
        quorum=Share.HALF,
        threshold=Share.HALF,
        closes_at=timezone.now() + datetime.timedelta(hours=1),
    )
    with pytest.raises(TransitionNotAllowed):
        df.representatives(people, meeting, place.homes[2:3])
    assert meeting.participants.count() == 2
