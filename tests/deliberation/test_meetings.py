"""Meetings: called by a head with accepted topics, participants invited by role, attendance
and minutes recorded."""

import pytest
from django.utils import timezone

from deliberation import services
from deliberation.models import Meeting, MeetingStatus, Participant, ParticipantRole
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from tests.deliberation import factories as df

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(city):
    return df.Place(city)


def test_a_head_calls_a_meeting_with_accepted_topics_only(city, people):
    accepted = df.topic(people, city)
    waiting = df.topic(people, city, accept=False, title="停车")
    with pytest.raises(InvalidInput) as refused:
        df.meeting(people, city, [accepted, waiting])
    assert "topics" in refused.value.errors
    meeting = df.meeting(people, city, [accepted])
    assert list(meeting.agenda.values_list("topic_id", "position")) == [(accepted.pk, 1)]
    assert meeting.invited_roles == [ParticipantRole.RESIDENT_REP, ParticipantRole.PROPERTY]


def test_a_worker_may_not_call_a_meeting_and_an_outsider_does_not_see_the_grid(city, people):
    for actor, error in ((people.worker, Forbidden), (people.outsider, NotFound)):
        with pytest.raises(error):
            services.meeting_create(
                actor=actor, node=city.grid_a1, title="会", starts_at=timezone.now(), place="厅"
            )
    assert not Meeting.objects.exists()


def test_attendance_marks_the_named_present_and_the_others_absent(city, people, place):
    meeting = df.meeting(people, city, [df.topic(people, city)])
    reps = df.representatives(people, meeting, place.homes[:3])
    services.attendance_record(actor=people.worker, meeting=meeting, present=[reps[0].pk, reps[2].pk])
    assert dict(Participant.objects.values_list("name", "attended")) == {
        "代表0": True,
        "代表1": False,
        "代表2": True,
    }
    other = df.meeting(people, city, [])
    stranger = df.representatives(people, other, place.homes[3:4])[0]
    with pytest.raises(InvalidInput):
        services.attendance_record(actor=people.worker, meeting=meeting, present=[stranger.pk])


def test_a_household_is_represented_once_and_a_representative_names_a_household(city, people, place):
    meeting = df.meeting(people, city, [])
    df.representatives(people, meeting, place.homes[:1])
    with pytest.raises(InvalidInput):
        df.representatives(people, meeting, place.homes[:1])
    with pytest.raises(InvalidInput):
        services.participant_add(
            actor=people.worker, meeting=meeting, role=ParticipantRole.RESIDENT_REP, name="某"
        )
    with pytest.raises(InvalidInput):
        services.participant_add(
            actor=people.worker,
            meeting=meeting,
            role=ParticipantRole.RESIDENT_REP,
            name="某",
            household=place.foreign,
        )
    assert meeting.participants.count() == 1


def test_minutes_hold_the_meeting_and_a_held_meeting_cannot_be_cancelled(city, people):
    meeting = df.meeting(people, city, [])
    with pytest.raises(InvalidInput):
        services.meeting_record_minutes(actor=people.gridhead, meeting=meeting, minutes=" ")
    meeting = services.meeting_record_minutes(actor=people.gridhead, meeting=meeting, minutes="会议纪要")
    assert meeting.status == MeetingStatus.HELD and meeting.held_at is not None
    with pytest.raises(TransitionNotAllowed):
        services.meeting_cancel(actor=people.gridhead, meeting=meeting)
