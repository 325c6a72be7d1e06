"""The demo's year of deliberation in Helong: every grid deliberates, the outcomes are plausible
and consistent with the rules (every stored result is the one the ballots give)."""

import pytest
from django.db.models import Count

from deliberation.models import Ballot, Meeting, Resolution, Topic, Vote, VoteResult
from deliberation.services import tally
from grids.models import GridNode, NodeKind

pytestmark = pytest.mark.django_db


def test_every_grid_has_a_year_of_topics_and_meetings_with_a_mix_of_outcomes(helong):
    grids = GridNode.objects.filter(kind=NodeKind.GRID).count()
    per_grid = Topic.objects.values("node").annotate(n=Count("pk"))
    assert len(per_grid) == grids == 69
    statuses = set(Topic.objects.values_list("status", flat=True))
    assert {"SUBMITTED", "ACCEPTED", "ANSWERED", "PASSED"} <= statuses
    assert Meeting.objects.filter(status="HELD").count() >= grids
    assert Meeting.objects.filter(status="PLANNED").exists()
    results = dict(Vote.objects.values_list("result").annotate(n=Count("pk")))
    assert results[VoteResult.PASSED] > results.get(VoteResult.REJECTED, 0)
    assert (
        Resolution.objects.filter(status="DONE").exists()
        and Resolution.objects.filter(status="OPEN").exists()
    )


def test_every_stored_result_is_the_one_its_ballots_give(helong):
    assert Vote.objects.filter(status="OPEN").exists()  # the demo grid's elevator, open online
    assert not Vote.objects.filter(status="OPEN").exclude(result="").exists()
    for vote in Vote.objects.filter(status="CLOSED"):
        counts = tally(vote)
        assert (vote.yes, vote.no, vote.abstain, vote.result) == (
            counts.yes,
            counts.no,
            counts.abstain,
            counts.result,
        )
        assert counts.cast <= vote.electorate


def test_merged_topics_name_an_accepted_topic_of_their_grid_and_no_household_voted_twice(helong):
    for topic in Topic.objects.filter(status="MERGED").select_related("merged_into"):
        assert topic.merged_into.node_id == topic.node_id
    twice = Ballot.objects.filter(household__isnull=False).values("vote", "household").annotate(n=Count("pk"))
    assert not twice.filter(n__gt=1).exists()


def test_every_resolution_belongs_to_a_passed_vote_and_is_owned_by_staff_of_its_grid(helong):
    from grids.access import covers

    for resolution in Resolution.objects.select_related("vote", "owner", "node")[:40]:
        assert resolution.vote.result == VoteResult.PASSED
        assert covers(resolution.owner, resolution.node)
