"""Excel (.xlsx) exports of the report tables, built from the same selector rows as the pages.

Names come from people, so every cell and sheet title goes through hlgrid.xlsx (no formula is
ever written, any name survives)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from evaluation import selectors
from evaluation.models import Grade, Period
from hlgrid import xlsx

MONEY = "#,##0.00"


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list], money_columns=()):
    sheet = xlsx.new_sheet(workbook, title)
    for cell in xlsx.append_row(sheet, header):
        cell.font = Font(bold=True)
    for row in rows:
        xlsx.append_row(sheet, row)
    for column in money_columns:
        for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = MONEY
    for index, width in enumerate([max(len(str(h)) + 4, 12) for h in header], 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    return sheet


def _grade_label(assessment) -> str:
    return str(Grade(assessment.grade).label) if assessment.grade else str(_("Not graded (too little data)"))


def period_workbook(*, user, period: Period) -> bytes:
    """Ranking, grade distribution and bonuses by street of one period (what the report page shows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    ranking = selectors.ranking(user=user, period=period)
    _sheet(
        workbook,
        _("Ranking"),
        [
            _("City rank"),
            _("Street rank"),
            _("Worker"),
            _("Grid"),
            _("Street"),
            _("Total"),
            _("Grade"),
            _("Stars"),
            _("Bonus (yuan)"),
        ],
        [
            [
                a.rank_city,
                a.rank_street,
                a.worker.display_name,
                a.grid.name,
                a.street.name,
                a.total,
                _grade_label(a),
                a.stars,
                a.bonus,
            ]
            for a in ranking
        ]
        + [["", "", _("Total"), "", "", "", "", "", sum((a.bonus for a in ranking), start=0)]],
        money_columns=(9,),
    )
    grades = selectors.grade_distribution(user=user, period=period)
    _sheet(
        workbook,
        _("Grades"),
        [_("Grade"), _("Workers"), _("Share (%)")],
        [[str(g["label"] or _("Not graded (too little data)")), g["count"], g["share"]] for g in grades]
        + [[_("Total"), sum(g["count"] for g in grades), ""]],
    )
    streets = selectors.bonus_by_street(user=user, period=period)
    _sheet(
        workbook,
        _("Bonuses by street"),
        [_("Street"), _("Workers (yuan)"), _("Grid heads (yuan)"), _("Total (yuan)")],
        [[s["street"], s["workers"], s["heads"], s["total"]] for s in streets]
        + [
            [
                _("Total"),
                sum((s["workers"] for s in streets), start=0),
                sum((s["heads"] for s in streets), start=0),
                sum((s["total"] for s in streets), start=0),
            ]
        ],
        money_columns=(2, 3, 4),
    )
    return _save(workbook)


def trends_workbook(*, user) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    shares = selectors.excellent_share_over_periods(user=user)
    _sheet(
        workbook,
        _("Share of excellent"),
        [_("Period"), _("Graded workers"), _("Excellent"), _("Share (%)"), _("Worker bonuses (yuan)")],
        [[s["period"], s["graded"], s["excellent"], s["share"], s["worker_bonus"]] for s in shares],
        money_columns=(5,),
    )
    return _save(workbook)


def worker_workbook(*, user, worker, rows) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        worker.display_name,
        [_("Period"), _("Total"), _("Grade"), _("Stars"), _("City rank"), _("Bonus (yuan)")],
        [[a.period.name, a.total, _grade_label(a), a.stars, a.rank_city, a.bonus] for a in rows],
        money_columns=(6,),
    )
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    return xlsx.to_bytes(workbook)
