"""Votes: opened on an agenda topic with a rule (per household of the topic's place, or per
resident representative), a quorum and a threshold; cast at the meeting or online within the
window; closed with a result computed from the ballots, never typed in.

A ballot is written on the locked vote row and under the unique constraints of Ballot, so a
household's second vote is refused even when both arrive at the same moment.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import policy
from deliberation.models import (
    Ballot,
    Channel,
    Choice,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Share,
    Topic,
    TopicStatus,
    Vote,
    VoteResult,
    VoteRule,
    VoteStatus,
)
from grids import access
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from residents.models import Household

MAX_WINDOW = datetime.timedelta(days=60)


class AlreadyVoted(TransitionNotAllowed):
    pass


def share_met(part: int, whole: int, share: str) -> bool:
    """Whether `part` of `whole` reaches the share: more than half for 1/2 (过半数), at least the
    share for 2/3 and 3/4 (三分之二以上, 四分之三以上). Integer arithmetic: 2/3 is exact."""
    if whole <= 0:
        return False
    num, den = (int(x) for x in share.split("/"))
    if share == Share.HALF:
        return part * den > num * whole
    return part * den >= num * whole


@dataclass(frozen=True)
class Tally:
    electorate: int
    yes: int
    no: int
    abstain: int
    quorum: str
    threshold: str

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def quorate(self) -> bool:
        return share_met(self.cast, self.electorate, self.quorum)

    @property
    def result(self) -> str:
        if not self.quorate:
            return VoteResult.NO_QUORUM
        return VoteResult.PASSED if share_met(self.yes, self.cast, self.threshold) else VoteResult.REJECTED


def electorate_households(topic: Topic, *, counted_at: datetime.datetime | None = None) -> QuerySet:
    """The households that vote on a topic: its unit's, its building's, or all under its node
    (those registered by `counted_at`, when the vote's electorate was counted)."""
    queryset = Household.objects.all()
    if counted_at is not None:
        queryset = queryset.filter(created_at__lte=counted_at)
    if topic.unit_id:
        return queryset.filter(unit_id=topic.unit_id)
    if topic.building_id:
        return queryset.filter(unit__building_id=topic.building_id)
    node = topic.node
    return queryset.filter(grid__tree_id=node.tree_id, grid__lft__gte=node.lft, grid__rght__lte=node.rght)


def tally(vote: Vote) -> Tally:
    """The counts of the ballots (one aggregate query)."""
    counts = vote.ballots.aggregate(
        yes=Count("pk", filter=Q(choice=Choice.YES)),
        no=Count("pk", filter=Q(choice=Choice.NO)),
        abstain=Count("pk", filter=Q(choice=Choice.ABSTAIN)),
    )
    return Tally(electorate=vote.electorate, quorum=vote.quorum, threshold=vote.threshold, **counts)


def vote_open(
    *,
    actor,
    meeting: Meeting,
    topic: Topic,
    question: str,
    rule: str,
    quorum: str,
    threshold: str,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> Vote:
    policy.require_leading(actor, meeting.node)
    now = now or timezone.now()
    opens_at = opens_at or now
    question = (question or "").strip() or topic.title
    if rule not in VoteRule.values:
        raise InvalidInput.field("rule", _("Per household or per representative."))
    if quorum not in Share.values:
        raise InvalidInput.field("quorum", _("Choose 1/2, 2/3 or 3/4."))
    if threshold not in Share.values:
        raise InvalidInput.field("threshold", _("Choose 1/2, 2/3 or 3/4."))
    if closes_at is None or closes_at <= opens_at:
        raise InvalidInput.field("closes_at", _("The vote closes after it opens."))
    if closes_at - opens_at > MAX_WINDOW:
        raise InvalidInput.field("closes_at", _("A vote stays open for at most 60 days."))
    if closes_at <= now:
        raise InvalidInput.field("closes_at", _("The vote would already be closed."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise TransitionNotAllowed(_("This meeting was cancelled."))
        if not meeting.agenda.filter(topic_id=topic.pk).exists():
            raise InvalidInput.field("topic", _("This topic is not on the meeting's agenda."))
        topic = Topic.objects.select_for_update().select_related("node").get(pk=topic.pk)
        if topic.status != TopicStatus.ACCEPTED:
            raise TransitionNotAllowed(_("Only a topic accepted for deliberation is voted on."))
        if rule == VoteRule.HOUSEHOLD:
            electorate = electorate_households(topic).count()
        else:
            electorate = meeting.participants.filter(role=ParticipantRole.RESIDENT_REP).count()
        if electorate == 0:
            raise InvalidInput.field("rule", _("Nobody could vote under this rule."))
        try:
            with transaction.atomic():
                return Vote.objects.create(
                    node=topic.node,
                    meeting=meeting,
                    topic=topic,
                    question=question[:200],
                    rule=rule,
                    quorum=quorum,
                    threshold=threshold,
                    electorate=electorate,
                    counted_at=now,
                    opens_at=opens_at,
                    closes_at=closes_at,
                    created_by=access.recorded(actor),
                )
        except IntegrityError:
            raise TransitionNotAllowed(_("This topic has an open vote already.")) from None


def _locked_open(vote: Vote, now: datetime.datetime) -> Vote:
    vote = Vote.objects.select_for_update().select_related("topic__node").get(pk=vote.pk)
    if vote.status != VoteStatus.OPEN or not (vote.opens_at <= now < vote.closes_at):
        raise TransitionNotAllowed(_("This vote is not open at this time."))
    return vote


def _insert(vote: Vote, **fields) -> Ballot:
    try:
        with transaction.atomic():
            return Ballot.objects.create(vote=vote, **fields)
    except IntegrityError:
        raise AlreadyVoted(_("This household or representative has voted already.")) from None


def ballot_cast(
    *,
    actor,
    vote: Vote,
    choice: str,
    household: Household | None = None,
    participant: Participant | None = None,
    channel: str = Channel.MEETING,
    now: datetime.datetime | None = None,
) -> Ballot:
    """Grid staff record a ballot: a household's (per-household rule) or a representative's."""
    policy.require_staff(actor, vote.node)
    if choice not in Choice.values:
        raise InvalidInput.field("choice", _("Yes, no or abstain."))
    if channel not in Channel.values:
        raise InvalidInput.field("channel", _("At the meeting or online."))
    now = now or timezone.now()
    with transaction.atomic():
        vote = _locked_open(vote, now)
        if vote.rule == VoteRule.HOUSEHOLD:
            if household is None or participant is not None:
                raise InvalidInput.field("household", _("In this vote each household votes."))
            if (
                not electorate_households(vote.topic, counted_at=vote.counted_at)
                .filter(pk=household.pk)
                .exists()
            ):
                raise InvalidInput.field("household", _("This household does not vote on this topic."))
            return _insert(
                vote,
                household=household,
                choice=choice,
                channel=channel,
                cast_at=now,
                recorded_by=access.recorded(actor),
            )
        if participant is None or household is not None:
            raise InvalidInput.field("participant", _("In this vote each resident representative votes."))
        if participant.meeting_id != vote.meeting_id or participant.role != ParticipantRole.RESIDENT_REP:
            raise InvalidInput.field(
                "participant", _("This is not a resident representative of the meeting.")
            )
        return _insert(
            vote,
            participant=participant,
            choice=choice,
            channel=channel,
            cast_at=now,
            recorded_by=access.recorded(actor),
        )


def ballot_cast_public(
    *, vote: Vote, household: Household, choice: str, now: datetime.datetime | None = None
) -> Ballot:
    """A household votes online at the front door (identified by topics.household_identify)."""
    if choice not in Choice.values:
        raise InvalidInput.field("choice", _("Yes, no or abstain."))
    now = now or timezone.now()
    with transaction.atomic():
        vote = _locked_open(vote, now)
        if vote.rule != VoteRule.HOUSEHOLD:
            raise TransitionNotAllowed(_("Representatives vote at the meeting."))
        if not electorate_households(vote.topic, counted_at=vote.counted_at).filter(pk=household.pk).exists():
            raise InvalidInput.field("door", _("This household does not vote on this topic."))
        return _insert(vote, household=household, choice=choice, channel=Channel.ONLINE, cast_at=now)


def vote_close(*, actor, vote: Vote, now: datetime.datetime | None = None) -> Vote:
    """Count the ballots and decide the topic. Before the window's end only when everyone voted."""
    policy.require_leading(actor, vote.node)
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != VoteStatus.OPEN:
            raise TransitionNotAllowed(_("This vote is closed already."))
        counts = tally(vote)
        if now < vote.closes_at and counts.cast < vote.electorate:
            raise TransitionNotAllowed(_("The vote is open until its window ends or everyone has voted."))
        return _close(vote, counts, now)


def _close(vote: Vote, counts: Tally, now: datetime.datetime) -> Vote:
    vote.close()
    vote.yes, vote.no, vote.abstain = counts.yes, counts.no, counts.abstain
    vote.result = counts.result
    vote.closed_at = now
    vote.save(update_fields=["status", "yes", "no", "abstain", "result", "closed_at"])
    topic = Topic.objects.select_for_update().get(pk=vote.topic_id)
    if topic.status == TopicStatus.ACCEPTED and vote.result != VoteResult.NO_QUORUM:
        # Without a quorum the topic stays accepted: it can be voted on again.
        topic.pass_() if vote.result == VoteResult.PASSED else topic.reject()
        topic.decided_at = now
        topic.save(update_fields=["status", "decided_at"])
    return vote


def votes_close_due(*, now: datetime.datetime) -> int:
    """The sweep's part: close every vote whose window has ended (as the system)."""
    closed = 0
    due = list(
        Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=now).values_list("pk", flat=True)[:200]
    )
    for pk in due:
        with transaction.atomic():
            vote = (
                Vote.objects.select_for_update(skip_locked=True).filter(pk=pk, status=VoteStatus.OPEN).first()
            )
            if vote is None:
                continue
            _close(vote, tally(vote), now)
            closed += 1
    return closed
