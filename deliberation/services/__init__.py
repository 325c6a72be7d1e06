"""Every write of deliberation: keyword-only, with an explicit actor, transactional."""

from deliberation.services.meetings import (
    agenda_add,
    attendance_record,
    meeting_cancel,
    meeting_create,
    meeting_record_minutes,
    participant_add,
)
from deliberation.services.resolutions import resolution_close, resolution_create, resolution_publish
from deliberation.services.topics import (
    Screening,
    household_identify,
    household_match,
    normalise_tracking_code,
    topic_raise,
    topic_screen,
    topic_submit_public,
)
from deliberation.services.votes import (
    AlreadyVoted,
    Tally,
    ballot_cast,
    ballot_cast_public,
    share_met,
    tally,
    vote_close,
    vote_open,
    votes_close_due,
)

__all__ = [
    "AlreadyVoted",
    "Screening",
    "Tally",
    "agenda_add",
    "attendance_record",
    "ballot_cast",
    "ballot_cast_public",
    "household_identify",
    "household_match",
    "meeting_cancel",
    "meeting_create",
    "meeting_record_minutes",
    "normalise_tracking_code",
    "participant_add",
    "resolution_close",
    "resolution_create",
    "resolution_publish",
    "share_met",
    "tally",
    "topic_raise",
    "topic_screen",
    "topic_submit_public",
    "vote_close",
    "vote_open",
    "votes_close_due",
]
