"""The renovation totals as an Excel workbook: one sheet per street and for the whole scope,
and one row per project, from the same selectors as the page (hlgrid.xlsx writes every cell)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hlgrid import xlsx
from property import selectors

MONEY = "#,##0.00"


def _sheet(workbook: Workbook, title, header: list, rows: list[list], money_columns=()) -> None:
    sheet = xlsx.new_sheet(workbook, title)
    for cell in xlsx.append_row(sheet, header):
        cell.font = Font(bold=True)
    for row in rows:
        xlsx.append_row(sheet, row)
    for column in money_columns:
        for cells in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = MONEY
    for index, heading in enumerate(header, 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            len(str(heading)) + 6, 14
        )


def renovation_workbook(*, user) -> bytes:
    totals = selectors.renovation_totals(user=user)
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = [
        [str(r["street"].name), r["projects"], r["completed"], r["budget"], r["spent"]]
        for r in totals["streets"]
    ]
    city = totals["city"]
    rows.append([str(_("Total")), city["projects"], city["completed"], city["budget"], city["spent"]])
    _sheet(
        workbook,
        _("Totals by street"),
        [_("Street"), _("Projects"), _("Completed"), _("Budget (yuan)"), _("Spent (yuan)")],
        rows,
        money_columns=(4, 5),
    )
    projects = selectors.renovation_list_page(user=user).select_related("compound__community__parent")
    _sheet(
        workbook,
        _("Projects"),
        [
            _("Project"),
            _("Compound"),
            _("Community"),
            _("Street"),
            _("Year"),
            _("Status"),
            _("Budget (yuan)"),
            _("Spent (yuan)"),
        ],
        [
            [
                p.name,
                p.compound.name,
                p.compound.community.name,
                p.compound.community.parent.name,
                p.year,
                str(p.get_status_display()),
                p.budget_total,
                p.spent_total,
            ]
            for p in projects
        ],
        money_columns=(7, 8),
    )
    return xlsx.to_bytes(workbook)
