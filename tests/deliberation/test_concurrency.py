"""Races on PostgreSQL: real threads, real connections, real row locks."""

import threading

import pytest
from django.db import connection

from deliberation import services
from deliberation.models import Ballot
from deliberation.services import AlreadyVoted
from tests.deliberation import factories as df

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test looks at
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_a_households_two_ballots_at_the_same_moment_count_once(city, people):
    place = df.Place(city)
    topic = df.topic(people, city, unit=place.unit)
    vote = df.household_vote(people, df.meeting(people, city, [topic]), topic)
    home = place.homes[0]
    results = run_together(
        lambda: services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=home),
        lambda: services.ballot_cast(actor=people.gridhead, vote=vote, choice="NO", household=home),
        lambda: services.ballot_cast_public(vote=vote, household=home, choice="ABSTAIN"),
    )
    cast = [r for r in results if isinstance(r, Ballot)]
    refused = [r for r in results if isinstance(r, AlreadyVoted)]
    assert len(cast) == 1 and len(refused) == 2, results
    assert Ballot.objects.filter(vote=vote, household=home).count() == 1


def test_closing_while_ballots_arrive_counts_exactly_what_was_cast(city, people):
    place = df.Place(city)
    topic = df.topic(people, city, unit=place.unit)
    vote = df.household_vote(people, df.meeting(people, city, [topic]), topic)
    for home in place.homes[:3]:
        services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=home)
    results = run_together(
        lambda: services.ballot_cast(actor=people.worker, vote=vote, choice="YES", household=place.homes[3]),
        lambda: services.vote_close(actor=people.gridhead, vote=vote),
    )
    vote.refresh_from_db()
    # Either the last ballot came first and the close counted four, or the close came first
    # (refused: not everyone had voted) and the ballot counted: never a lost or late ballot.
    ballots = Ballot.objects.filter(vote=vote).count()
    assert ballots == 4, results
    if vote.status == "CLOSED":
        assert vote.yes == 4


def test_two_heads_screening_one_topic_at_the_same_moment_one_decides(city, people):
    from grids.access import SYSTEM
    from grids.models import PostKind
    from grids.services import post_assign
    from hlgrid.errors import TransitionNotAllowed
    from tests.factories import UserFactory

    other_head = UserFactory(username="p_comm_head")
    post_assign(actor=SYSTEM, user=other_head, kind=PostKind.HEAD, node=city.community_a)
    topic = df.topic(people, city, accept=False)
    results = run_together(
        lambda: services.topic_screen(actor=people.gridhead, topic=topic, decision="accept"),
        lambda: services.topic_screen(actor=other_head, topic=topic, decision="answer", reason="已列入计划"),
    )
    decided = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(decided) == 1 and len(refused) == 1, results
    topic.refresh_from_db()
    assert topic.status == decided[0].status
