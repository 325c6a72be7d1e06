"""The children's comparison table as an .xlsx workbook, with the same figures as the page.

Node names come from people, so every cell goes through hlgrid.xlsx (no formula is written)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hlgrid import xlsx


def columns() -> list[tuple[str, str]]:
    return [
        ("received", _("Received")),
        ("open", pgettext("petitions", "Open")),
        ("red", _("Red now")),
        ("yellow", _("Yellow now")),
        ("on_time_rate", _("Closed on time (%)")),
        ("satisfaction_rate", _("Satisfaction (%)")),
        ("rework_rate", _("Rework (%)")),
        ("visit_rate", _("Households visited (%)")),
        ("key_overdue", _("Key people overdue")),
        ("workers_active", _("Workers active")),
    ]


def children_workbook(*, node, window, rows, figures) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = xlsx.sheet_title(_("Comparison"))
    title = _("%(node)s, %(first)s to %(last)s") % {
        "node": node.name,
        "first": window.first_day,
        "last": window.last_day,
    }
    xlsx.append_row(sheet, [title])[0].font = Font(bold=True, size=13)
    header = [_("Code"), pgettext("node", "Name"), *[label for _key, label in columns()]]
    for cell in xlsx.append_row(sheet, header):
        cell.font = Font(bold=True)
    for row in rows:
        xlsx.append_row(
            sheet, [row.node.code, row.node.name, *[row.figures.get(key) for key, _label in columns()]]
        )
    total = [node.code, _("Total"), *[figures.get(key) for key, _label in columns()]]
    for cell in xlsx.append_row(sheet, total):
        cell.font = Font(bold=True)
    for index, _title in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if index > 2 else 22
    sheet.freeze_panes = "C3"
    return book
