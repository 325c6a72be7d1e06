"""The monthly 排查 of every grid: each grid reports the disputes registered in the month, or
an explicit zero (零报告). The deadline is clock.report_due(month); the sweep writes a MISSED
row for every grid without a report at the deadline, and a late report still counts, late.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.errors import InvalidInput
from mediation import clock
from mediation.models import Case, MonthlyReport, ReportStatus
from mediation.services.common import require_covers


def _cases_in(grid: GridNode, month: datetime.date) -> int:
    start = clock.day_start(month)
    end = clock.day_start((month + datetime.timedelta(days=32)).replace(day=1))
    return Case.objects.filter(grid=grid, registered_at__gte=start, registered_at__lt=end).count()


def report_submit(
    *, actor, grid: GridNode, month: datetime.date, zero: bool, note: str = ""
) -> MonthlyReport:
    """The grid's report of `month` (this month or the one before): the disputes registered in
    it, or a zero report when there were none. A zero report is refused when cases were
    registered; a report of disputes is refused when none were. One report per grid and month."""
    require_covers(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("Each grid reports its own month."))
    if not isinstance(zero, bool):
        raise InvalidInput.field("zero", _("Say whether this is a zero report."))
    now = timezone.now()
    this_month = clock.month_of(timezone.localdate(now))
    month = clock.month_of(month)
    if month not in (this_month, clock.previous_month(this_month)):
        raise InvalidInput.field("month", _("Report this month or the month before."))
    note = (note or "").strip()[:300]
    due = clock.report_due(month)
    with transaction.atomic():
        found = _cases_in(grid, month)
        if zero and found:
            raise InvalidInput.field(
                "zero",
                _("%(n)s dispute(s) were registered this month: it is not a zero report.") % {"n": found},
            )
        if not zero and not found:
            raise InvalidInput.field(
                "zero", _("No dispute was registered this month: register them first, or report none.")
            )
        values = {
            "status": ReportStatus.ZERO if zero else ReportStatus.REPORTED,
            "cases_found": found,
            "note": note,
            "reported_at": now,
            "on_time": now < due,
            "reported_by": access.recorded(actor),
        }
        existing = MonthlyReport.objects.select_for_update().filter(grid=grid, month=month).first()
        if existing is not None:
            if existing.status != ReportStatus.MISSED:
                raise InvalidInput.field("month", _("This grid has already reported this month."))
            for name, value in values.items():  # a late report replaces the sweep's MISSED row
                setattr(existing, name, value)
            existing.save(update_fields=list(values))
            return existing
        try:
            with transaction.atomic():
                return MonthlyReport.objects.create(grid=grid, month=month, due_at=due, **values)
        except IntegrityError:  # someone else reported the same month a moment ago
            raise InvalidInput.field("month", _("This grid has already reported this month.")) from None
