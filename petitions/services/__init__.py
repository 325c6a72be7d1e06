"""Everything that changes petitions, whistles and notifications: one function per use case.

By sub-domain: `intake` (tracking codes, routing, category suggestion, the public report,
the draft from a visit), `steps` (submit, verify, reject, merge, classify, hand up, note,
resolve, return, callback, revealing the contact), `judgement` (研判 at verification: urgency,
risks, the key person involved), `takeover` (接管 by a level an overdue petition climbed to),
`handling` (pause, resume, extension
requests), `whistles` (whistles and check-ins), `joins` (我也遇到了: joining a
nearby open report, the joiner's own rating), `notifications` (the inbox and its
e-mails), `photos`; `common` holds what they share (the row lock, the permission check
through grids.access, the event, the timer).

Every use case that changes state takes a keyword-only `actor` and refuses `None`; scripts
and scheduled tasks pass `grids.access.SYSTEM`. Only the residents' own entries
(`public_petition_submit`, `public_petition_report`, `public_callback`, `petition_join`,
`petition_join_rate`) have no actor:
residents have no account, and the tracking code is what they hold.

The use cases are re-exported here, so callers write `services.petition_verify(...)`.
"""

from petitions.services.categories import category_create, category_update
from petitions.services.handling import (
    handling_request_deny,
    petition_extend,
    petition_pause,
    petition_resume,
)
from petitions.services.intake import (
    STAFF_SOURCES,
    IdempotencyConflict,
    normalise_tracking_code,
    petition_from_visit,
    petition_intake,
    petition_intake_submit,
    public_petition_report,
    public_petition_submit,
    request_fingerprint,
)
from petitions.services.joins import petition_join, petition_join_rate
from petitions.services.judgement import judgement_text, petition_rejudge
from petitions.services.notifications import notification_mark_read, notifications_send_email
from petitions.services.photos import attachment_add
from petitions.services.steps import (
    ClassifyChoice,
    classify_defaults,
    classify_outcome,
    limit_text,
    petition_callback,
    petition_classify,
    petition_escalate,
    petition_merge,
    petition_note,
    petition_reject,
    petition_resolve,
    petition_return,
    petition_reveal_contact,
    petition_submit,
    petition_verify,
    public_callback,
)
from petitions.services.takeover import may_take_over, petition_take_over, take_over_candidates
from petitions.services.territory import petitions_move_grid
from petitions.services.whistles import (
    checkin_record,
    checkin_report,
    may_blow,
    whistle_allowed,
    whistle_blow,
    whistle_close,
)

__all__ = [
    "STAFF_SOURCES",
    "IdempotencyConflict",
    "ClassifyChoice",
    "classify_defaults",
    "classify_outcome",
    "limit_text",
    "may_blow",
    "whistle_allowed",
    "attachment_add",
    "category_create",
    "category_update",
    "petitions_move_grid",
    "may_take_over",
    "petition_take_over",
    "take_over_candidates",
    "checkin_record",
    "checkin_report",
    "handling_request_deny",
    "normalise_tracking_code",
    "notification_mark_read",
    "notifications_send_email",
    "petition_callback",
    "petition_classify",
    "petition_escalate",
    "petition_extend",
    "petition_from_visit",
    "petition_intake",
    "petition_intake_submit",
    "petition_join",
    "petition_join_rate",
    "petition_merge",
    "petition_note",
    "petition_pause",
    "petition_reject",
    "petition_rejudge",
    "judgement_text",
    "petition_resolve",
    "petition_resume",
    "petition_return",
    "petition_reveal_contact",
    "petition_submit",
    "petition_verify",
    "public_callback",
    "public_petition_report",
    "public_petition_submit",
    "request_fingerprint",
    "whistle_blow",
    "whistle_close",
]
