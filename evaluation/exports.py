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


def league_header() -> list[str]:
    return [
        str(h)
        for h in (
            _("Rank"),
            _("Department"),
            _("Received"),
            _("Returned"),
            _("Return rate (%)"),
            _("Resolved"),
            _("On time"),
            _("On time (%)"),
            _("Rework"),
            _("Rework (%)"),
            _("Rated"),
            _("Satisfied"),
            _("Satisfaction (%)"),
            _("Overdue"),
            _("Check-ins"),
            _("Check-ins on time"),
            _("Check-in punctuality (%)"),
            _("League score"),
        )
    ]


def league_cells(row) -> list:
    """One league row as the page, the workbook and the bulletins show it."""
    return [
        row.rank,
        row.name,
        row.received,
        row.returned,
        row.return_rate,
        row.resolved,
        row.on_time,
        row.on_time_rate,
        row.rework,
        row.rework_rate,
        row.rated,
        row.satisfied,
        row.satisfaction_rate,
        row.overdue,
        row.checkins,
        row.checkins_on_time,
        row.checkin_rate,
        row.score,
    ]


def add_league_sheet(workbook: Workbook, rows, title=None) -> None:
    _sheet(workbook, title or _("Department league"), league_header(), [league_cells(r) for r in rows])


def league_workbook(*, rows, node, period: Period) -> bytes:
    """The department league of a node and period (what the league page shows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_league_sheet(workbook, rows, title=f"{node.name} {period.name}")
    return xlsx.to_bytes(workbook)
