"""Everything that changes assessment data, one module per sub-domain:

- schemes: the editable template a period copies when it opens;
- periods: create, edit a draft, open (and the period lock every use case takes first);
- inspections: 听·评·看·议 scores with their cleaned evidence photos;
- computing: every worker's result, the grid heads' bonuses (grading: the pure rules);
- publication: lock, the bonus ledger, the heads' notices;
- appeals: submit, accept (a corrected result and ledger corrections) or reject;
- money: the head-bonus formula and the append-only ledger rows;
- departments: the streets' ratings of departments, the city's weights, the published
  department assessment.

Each use case takes a keyword-only `actor`, checks it through grids.access (via
evaluation.policy), runs in one transaction and locks the period row (select_for_update)
before changing what hangs off it, so two assessors computing or publishing at once
serialise instead of writing two results or paying twice. `actor=None` is refused; the
demo loader acts as grids.access.SYSTEM.

The use cases are re-exported here: callers write `from evaluation import services`.
"""

from evaluation.services.appeals import appeal_accept, appeal_deadline, appeal_reject, appeal_submit
from evaluation.services.computing import period_compute
from evaluation.services.departments import (
    department_board_publish,
    department_rating_save,
    department_weights_set,
)
from evaluation.services.grading import grade_for, stars_for
from evaluation.services.inspections import inspection_delete, inspection_record
from evaluation.services.periods import (
    computed_as_final,
    period_close_early,
    period_create,
    period_end,
    period_open,
    period_over,
    period_update,
)
from evaluation.services.publication import period_publish
from evaluation.services.schemes import (
    DEFAULT_INDICATORS,
    IndicatorSpec,
    scheme_bump,
    scheme_default,
    scheme_save,
    scheme_specs,
)

__all__ = [
    "DEFAULT_INDICATORS",
    "IndicatorSpec",
    "appeal_accept",
    "appeal_deadline",
    "appeal_reject",
    "appeal_submit",
    "computed_as_final",
    "department_board_publish",
    "department_rating_save",
    "department_weights_set",
    "grade_for",
    "inspection_delete",
    "inspection_record",
    "period_close_early",
    "period_compute",
    "period_end",
    "period_create",
    "period_open",
    "period_over",
    "period_publish",
    "period_update",
    "scheme_bump",
    "scheme_default",
    "scheme_save",
    "scheme_specs",
    "stars_for",
]
