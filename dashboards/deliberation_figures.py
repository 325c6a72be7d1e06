"""The deliberation panel of a node's dashboard (议事协商): open topics, meetings and votes,
resolutions in progress and overdue, and the most overdue resolutions. Aggregates in SQL over
the node's subtree (MPTT columns): four queries whatever the number of rows."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from deliberation.models import Meeting, MeetingStatus, Resolution, ResolutionStatus, Topic, Vote, VoteStatus
from grids.models import GridNode


def _under(node: GridNode) -> Q:
    return Q(node__tree_id=node.tree_id, node__lft__gte=node.lft, node__rght__lte=node.rght)


@dataclass
class DeliberationFigures:
    to_screen: int
    open_topics: int
    closed_topics: int
    planned_meetings: int
    open_votes: int
    open_resolutions: int
    yellow: int
    overdue: int
    done: int
    most_overdue: list


def figures(*, node: GridNode, now: datetime.datetime) -> DeliberationFigures:
    under = _under(node)
    topics = Topic.objects.filter(under).aggregate(
        to_screen=Count("pk", filter=Q(status="SUBMITTED")),
        open_topics=Count("pk", filter=Q(status__in=["SUBMITTED", "ACCEPTED"])),
        closed_topics=Count("pk", filter=Q(status__in=["MERGED", "ANSWERED", "PASSED", "REJECTED"])),
    )
    open_resolutions = Q(status=ResolutionStatus.OPEN)
    resolutions = Resolution.objects.filter(under).aggregate(
        open_resolutions=Count("pk", filter=open_resolutions),
        yellow=Count("pk", filter=open_resolutions & Q(warn_at__lte=now, due_at__gt=now)),
        overdue=Count("pk", filter=open_resolutions & Q(due_at__lte=now)),
        done=Count("pk", filter=Q(status=ResolutionStatus.DONE)),
    )
    planned = Meeting.objects.filter(under, status=MeetingStatus.PLANNED, starts_at__gte=now).count()
    votes = Vote.objects.filter(under, status=VoteStatus.OPEN).count()
    most_overdue = list(
        Resolution.objects.filter(under, open_resolutions, due_at__lte=now)
        .select_related("topic", "node", "owner")
        .order_by("due_at", "pk")[:5]
    )
    return DeliberationFigures(
        planned_meetings=planned, open_votes=votes, most_overdue=most_overdue, **topics, **resolutions
    )
