"""Reads of deliberation, scoped through grids.access: an object outside the caller's posts is
404, a list holds nothing outside. Every page reads a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from deliberation.models import (
    CLOSED_TOPIC_STATUSES,
    OPEN_TOPIC_STATUSES,
    AgendaItem,
    Ballot,
    Choice,
    Meeting,
    MeetingStatus,
    Notice,
    Participant,
    ParticipantRole,
    Resolution,
    ResolutionStatus,
    Topic,
    Vote,
    VoteRule,
    VoteStatus,
)
from deliberation.policy import LEADING_KINDS, STAFF_KINDS
from deliberation.services.votes import electorate_households
from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.lights import light_at_expression, rank_expression


def _scoped(user, queryset: QuerySet) -> QuerySet:
    # Territorial posts only: the deliberation of a node is its staff's work, not a department's.
    return access.scope_queryset(user, queryset, node_path="node", post_kinds=STAFF_KINDS)


def _get(user, queryset: QuerySet, pk):
    return access.get_scoped_or_404(user, queryset, node_path="node", post_kinds=STAFF_KINDS, pk=pk)


def with_tally(queryset: QuerySet) -> QuerySet:
    """The live counts of each vote's ballots (closed votes keep their stored counts too)."""
    return queryset.annotate(
        live_yes=Count("ballots", filter=Q(ballots__choice=Choice.YES)),
        live_no=Count("ballots", filter=Q(ballots__choice=Choice.NO)),
        live_abstain=Count("ballots", filter=Q(ballots__choice=Choice.ABSTAIN)),
    )


def with_light(queryset: QuerySet, now: datetime.datetime | None = None) -> QuerySet:
    """The light of each resolution now (done ones keep GREEN): never trusted from storage alone."""
    now = now or timezone.now()
    return queryset.annotate(
        current_light=Case(
            When(status=ResolutionStatus.DONE, then=Value("GREEN")),
            default=light_at_expression(now),
            output_field=CharField(),
        )
    ).annotate(light_rank=rank_expression("current_light"))


# --- topics -----------------------------------------------------------------------------------


def topic_list(*, user, status: str | None = None, node_id: int | None = None) -> QuerySet:
    queryset = _scoped(user, Topic.objects.select_related("node", "building", "unit"))
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_TOPIC_STATUSES)
    elif status == "closed":
        queryset = queryset.filter(status__in=CLOSED_TOPIC_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if node_id is not None:
        queryset = queryset.filter(node_id=node_id)
    return queryset


def topic_get(*, user, pk) -> Topic:
    return _get(
        user, Topic.objects.select_related("node", "building", "unit", "household", "merged_into"), pk
    )


@dataclass
class TopicPage:
    topic: Topic
    votes: list
    resolutions: list
    meetings: list
    merge_targets: list
    may_lead: bool


def topic_page(*, user, pk, now: datetime.datetime | None = None) -> TopicPage:
    topic = topic_get(user=user, pk=pk)
    return TopicPage(
        topic=topic,
        votes=list(with_tally(topic.votes.select_related("meeting"))),
        resolutions=list(with_light(topic.resolutions.select_related("owner"), now)),
        meetings=list(Meeting.objects.filter(agenda__topic=topic).order_by("starts_at")),
        merge_targets=list(
            Topic.objects.filter(node_id=topic.node_id, status__in=OPEN_TOPIC_STATUSES)
            .exclude(pk=topic.pk)
            .order_by("-created_at")[:50]
        ),
        may_lead=access.covers(user, topic.node, kinds=LEADING_KINDS),
    )


# --- meetings ---------------------------------------------------------------------------------


def meeting_list(*, user, upcoming: bool = False) -> QuerySet:
    queryset = _scoped(user, Meeting.objects.select_related("node")).annotate(
        agenda_count=Count("agenda", distinct=True)
    )
    if upcoming:
        queryset = queryset.filter(status=MeetingStatus.PLANNED)
    return queryset


def meeting_get(*, user, pk) -> Meeting:
    return _get(user, Meeting.objects.select_related("node"), pk)


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list
    participants: list
    votes: list
    resolutions: list
    open_topics: list
    may_lead: bool
    staff: list


def meeting_page(*, user, pk, now: datetime.datetime | None = None) -> MeetingPage:
    """The meeting, its agenda, participants, votes (with live counts) and resolutions: seven
    queries whatever their number."""
    meeting = meeting_get(user=user, pk=pk)
    node = meeting.node
    votes = list(with_tally(meeting.votes.select_related("topic")).order_by("id"))
    return MeetingPage(
        meeting=meeting,
        agenda=list(AgendaItem.objects.filter(meeting=meeting).select_related("topic").order_by("position")),
        participants=list(Participant.objects.filter(meeting=meeting).select_related("household")),
        votes=votes,
        resolutions=list(
            with_light(Resolution.objects.filter(vote__meeting=meeting).select_related("owner", "topic"), now)
        ),
        open_topics=list(
            Topic.objects.filter(
                node__tree_id=node.tree_id,
                node__lft__gte=node.lft,
                node__rght__lte=node.rght,
                status="ACCEPTED",
            )
            .exclude(agenda_items__meeting=meeting)
            .order_by("-created_at")[:50]
        ),
        may_lead=access.covers(user, node, kinds=LEADING_KINDS),
        staff=staff_over(node),
    )


def staff_over(node: GridNode) -> list:
    """Who may own a resolution of the node: the staff holding posts at or above it (one query)."""
    posts = access.posts_above(node, kinds=STAFF_KINDS).select_related("user")
    seen, users = set(), []
    for post in posts:
        if post.user_id not in seen:
            seen.add(post.user_id)
            users.append(post.user)
    return users


# --- votes ------------------------------------------------------------------------------------


def vote_list(*, user, status: str | None = None) -> QuerySet:
    queryset = with_tally(_scoped(user, Vote.objects.select_related("topic", "meeting")))
    if status in VoteStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def vote_get(*, user, pk) -> Vote:
    return _get(user, with_tally(Vote.objects.select_related("topic__node", "meeting", "node")), pk)


@dataclass
class VotePanel:
    vote: Vote
    voters: list  # (value, label) pairs not yet voted: households or representatives
    voted: int


def vote_panel(*, vote: Vote, limit: int = 500) -> VotePanel:
    """Who may still vote (two queries): the electorate less those with a ballot."""
    voted_ids = Ballot.objects.filter(vote=vote)
    if vote.rule == VoteRule.HOUSEHOLD:
        rows = (
            electorate_households(vote.topic, counted_at=vote.counted_at)
            .exclude(pk__in=voted_ids.exclude(household__isnull=True).values("household_id"))
            .order_by("label")
            .values_list("pk", "label")[:limit]
        )
    else:
        rows = (
            Participant.objects.filter(meeting_id=vote.meeting_id, role=ParticipantRole.RESIDENT_REP)
            .exclude(pk__in=voted_ids.exclude(participant__isnull=True).values("participant_id"))
            .order_by("name")
            .values_list("pk", "name")[:limit]
        )
    return VotePanel(vote=vote, voters=list(rows), voted=vote.live_yes + vote.live_no + vote.live_abstain)


# --- resolutions ------------------------------------------------------------------------------


def resolution_list(
    *, user, mine: bool = False, light: str | None = None, now: datetime.datetime | None = None
) -> QuerySet:
    queryset = with_light(_scoped(user, Resolution.objects.select_related("owner", "topic", "node")), now)
    if mine:
        queryset = queryset.filter(owner_id=user.pk)
    if light:
        queryset = queryset.filter(status=ResolutionStatus.OPEN, current_light=light)
    return queryset


def resolution_get(*, user, pk, now: datetime.datetime | None = None) -> Resolution:
    return _get(
        user, with_light(Resolution.objects.select_related("owner", "topic", "node", "vote"), now), pk
    )


def notices_for(*, user, limit: int = 20) -> list:
    return list(
        Notice.objects.filter(recipient_id=user.pk)
        .select_related("resolution__topic")
        .order_by("-created_at")[:limit]
    )


# --- the workbench ----------------------------------------------------------------------------


@dataclass
class Workbench:
    topics: list
    meetings: list
    resolutions: list
    mine: list
    notices: list
    counts: dict


def workbench(*, user, status: str | None = None, now: datetime.datetime | None = None) -> Workbench:
    now = now or timezone.now()
    topics = _scoped(user, Topic.objects.all())
    counts = topics.aggregate(
        submitted=Count("pk", filter=Q(status="SUBMITTED")),
        accepted=Count("pk", filter=Q(status="ACCEPTED")),
        closed=Count("pk", filter=Q(status__in=CLOSED_TOPIC_STATUSES)),
    )
    return Workbench(
        topics=list(topic_list(user=user, status=status or "open").order_by("-created_at")[:50]),
        meetings=list(meeting_list(user=user, upcoming=True).order_by("starts_at")[:20]),
        resolutions=list(
            resolution_list(user=user, now=now)
            .filter(status=ResolutionStatus.OPEN)
            .order_by("light_rank", "due_at")[:30]
        ),
        mine=list(resolution_list(user=user, mine=True, now=now).filter(status=ResolutionStatus.OPEN)[:20]),
        notices=notices_for(user=user, limit=10),
        counts=counts,
    )


# --- the residents' side (no account) ---------------------------------------------------------


def public_topic(*, tracking_code: str) -> Topic | None:
    return (
        Topic.objects.select_related("node", "merged_into", "building", "unit", "household__unit__building")
        .prefetch_related(
            Prefetch("votes", queryset=Vote.objects.order_by("id")),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.filter(published_at__isnull=False)
                .select_related("owner")
                .order_by("id"),
            ),
        )
        .filter(tracking_code=tracking_code)
        .first()
    )


def public_open_vote(*, topic: Topic, now: datetime.datetime | None = None) -> Vote | None:
    """The household vote on a topic open for online votes right now, if any (one query)."""
    now = now or timezone.now()
    return (
        Vote.objects.filter(
            topic=topic, status=VoteStatus.OPEN, rule=VoteRule.HOUSEHOLD, opens_at__lte=now, closes_at__gt=now
        )
        .order_by("-id")
        .first()
    )


def public_boards() -> list[GridNode]:
    """Every grid with its community, for residents to find their grid's board (one query)."""
    return list(
        GridNode.objects.filter(kind=NodeKind.GRID).select_related("parent").order_by("tree_id", "lft")
    )


def public_board(*, node_id: int, now: datetime.datetime | None = None) -> tuple[GridNode, list, list]:
    """A grid's (or community's) board: the resolutions published at it or above it, and its
    closed topics, newest first (three queries)."""
    node = GridNode.objects.filter(pk=node_id, kind__in=[NodeKind.GRID, NodeKind.COMMUNITY]).first()
    if node is None:
        raise Http404
    over = Q(node__tree_id=node.tree_id, node__lft__lte=node.lft, node__rght__gte=node.rght)
    resolutions = list(
        with_light(
            Resolution.objects.filter(over, published_at__isnull=False).select_related("topic", "owner"), now
        ).order_by("-published_at")[:50]
    )
    topics = list(
        Topic.objects.filter(over, status__in=CLOSED_TOPIC_STATUSES)
        .select_related("node")
        .order_by("-created_at")[:50]
    )
    return node, resolutions, topics
