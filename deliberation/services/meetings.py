"""Meetings (议事会): called by a head with an agenda of accepted topics and invited roles;
participants are listed, attendance is recorded, minutes close the meeting as held."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import policy
from deliberation.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Topic,
    TopicStatus,
)
from grids import access
from grids.models import GridNode
from hlgrid import inputs
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from residents.models import Household


def _under(node: GridNode, ancestor: GridNode) -> bool:
    return node.tree_id == ancestor.tree_id and ancestor.lft <= node.lft and node.rght <= ancestor.rght


def meeting_create(
    *,
    actor,
    node: GridNode,
    title: str,
    starts_at: datetime.datetime,
    place: str,
    invited_roles: Iterable[str] = (),
    topics: Iterable[Topic] = (),
) -> Meeting:
    """Call a meeting of a node; its agenda holds accepted topics of the node or below it."""
    policy.require_leading(actor, node)
    title = inputs.required("title", title)[:100]
    place = inputs.required("place", place)[:100]
    if starts_at is None:
        raise InvalidInput.field("starts_at", _("Enter a date and time."))
    roles = list(dict.fromkeys(invited_roles or ()))
    unknown = [r for r in roles if r not in ParticipantRole.values]
    if unknown:
        raise InvalidInput.field("invited_roles", _("Unknown role %(role)s.") % {"role": unknown[0]})
    topics = list(topics)
    for topic in topics:
        if not _under(topic.node, node):
            raise InvalidInput.field("topics", _("Topic %(t)s is not of this node.") % {"t": topic.title})
        if topic.status != TopicStatus.ACCEPTED:
            raise InvalidInput.field(
                "topics", _("Topic %(t)s is not accepted for deliberation.") % {"t": topic.title}
            )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            node=node,
            title=title,
            starts_at=starts_at,
            place=place,
            invited_roles=roles,
            created_by=access.recorded(actor),
        )
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=meeting, topic=t, position=i) for i, t in enumerate(topics, start=1)]
        )
    return meeting


def _locked_planned(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("node").get(pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        raise TransitionNotAllowed(_("This meeting is no longer planned."))
    return meeting


def agenda_add(*, actor, meeting: Meeting, topic: Topic) -> AgendaItem:
    policy.require_leading(actor, meeting.node)
    if not _under(topic.node, meeting.node):
        raise InvalidInput.field("topic", _("This topic is not of the meeting's node."))
    if topic.status != TopicStatus.ACCEPTED:
        raise InvalidInput.field("topic", _("Only accepted topics go on an agenda."))
    with transaction.atomic():
        meeting = _locked_planned(meeting)
        if meeting.agenda.filter(topic=topic).exists():
            raise InvalidInput.field("topic", _("This topic is on the agenda already."))
        position = meeting.agenda.count() + 1
        return AgendaItem.objects.create(meeting=meeting, topic=topic, position=position)


def participant_add(
    *, actor, meeting: Meeting, role: str, name: str, household: Household | None = None
) -> Participant:
    """Invite someone in a role; a resident representative speaks (and may vote) for a household
    of the meeting's node."""
    policy.require_staff(actor, meeting.node)
    if role not in ParticipantRole.values:
        raise InvalidInput.field("role", _("Unknown role %(role)s.") % {"role": role})
    name = inputs.required("name", name)[:64]
    if household is not None and not _under(household.grid, meeting.node):
        raise InvalidInput.field("household", _("This household is not in the meeting's node."))
    if role == ParticipantRole.RESIDENT_REP and household is None:
        raise InvalidInput.field("household", _("A resident representative speaks for a household."))
    with transaction.atomic():
        meeting = _locked_planned(meeting)
        if (
            role == ParticipantRole.RESIDENT_REP
            and meeting.votes.filter(status="OPEN", rule="REPRESENTATIVE").exists()
        ):
            raise TransitionNotAllowed(_("The representatives are fixed while a vote of theirs is open."))
        if household is not None and meeting.participants.filter(household=household).exists():
            raise InvalidInput.field("household", _("This household is represented already."))
        return Participant.objects.create(meeting=meeting, role=role, name=name, household=household)


def attendance_record(*, actor, meeting: Meeting, present: Iterable[int]) -> int:
    """Who came: the participants named are present, every other participant absent."""
    policy.require_staff(actor, meeting.node)
    wanted = {int(pk) for pk in present}
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise TransitionNotAllowed(_("This meeting was cancelled."))
        known = set(meeting.participants.values_list("pk", flat=True))
        if wanted - known:
            raise InvalidInput.field("present", _("Someone named is not a participant of this meeting."))
        meeting.participants.filter(pk__in=wanted).update(attended=True)
        meeting.participants.exclude(pk__in=wanted).update(attended=False)
    return len(wanted)


def meeting_record_minutes(
    *, actor, meeting: Meeting, minutes: str, now: datetime.datetime | None = None
) -> Meeting:
    """The minutes mark the meeting as held; they can be corrected later by a head."""
    policy.require_leading(actor, meeting.node)
    minutes = inputs.required("minutes", minutes)
    if len(minutes) > 20000:
        raise InvalidInput.field("minutes", _("Minutes have at most 20000 characters."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == MeetingStatus.CANCELLED:
            raise TransitionNotAllowed(_("This meeting was cancelled."))
        if meeting.status == MeetingStatus.PLANNED:
            meeting.hold()
            meeting.held_at = now or timezone.now()
        meeting.minutes = minutes
        meeting.save(update_fields=["status", "held_at", "minutes"])
    return meeting


def meeting_cancel(*, actor, meeting: Meeting) -> Meeting:
    policy.require_leading(actor, meeting.node)
    with transaction.atomic():
        meeting = _locked_planned(meeting)
        if meeting.votes.exists():
            raise TransitionNotAllowed(_("A meeting with votes cannot be cancelled."))
        meeting.cancel()
        meeting.save(update_fields=["status"])
    return meeting
