"""Everything that changes mediation's data; one keyword-only function per use case."""

from mediation.services.cases import (
    PartyInput,
    agreement_record,
    case_grade,
    case_refer,
    case_register,
    follow_up_record,
    party_reveal,
    session_record,
)
from mediation.services.notices import notice_mark_read, notify
from mediation.services.reports import report_submit

__all__ = [
    "PartyInput",
    "agreement_record",
    "case_grade",
    "case_refer",
    "case_register",
    "follow_up_record",
    "notice_mark_read",
    "notify",
    "party_reveal",
    "report_submit",
    "session_record",
]
