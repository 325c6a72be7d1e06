"""The children's comparison table as an .xlsx workbook, with the same figures as the page."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


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
    sheet.title = _("Comparison")[:31]
    sheet.append(
        [
            _("%(node)s, %(first)s to %(last)s")
            % {"node": node.name, "first": window.first_day, "last": window.last_day}
        ]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    header = [_("Code"), pgettext("node", "Name"), *[label for _key, label in columns()]]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.node.code, row.node.name, *[row.figures.get(key) for key, _label in columns()]])
    sheet.append([node.code, _("Total"), *[figures.get(key) for key, _label in columns()]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, _title in enumerate(header, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16 if index > 2 else 22
    sheet.freeze_panes = "C3"
    return book
