"""A bulletin's snapshot shown three ways, all from the stored figures: the page, the PDF
(WeasyPrint, with the Noto CJK fonts of the system) and the .xlsx behind it.

`document` turns the snapshot into what the templates show (titles and labels translated
into the viewer's language, every value formatted by `cell_text`); the PDF renders the same
template part as the page, the workbook writes the same values as numbers.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bulletins.models import Bulletin, Kind
from hlgrid import xlsx

PDF_CSS = Path(__file__).parent / "static" / "bulletins" / "pdf.css"


def cell_text(value) -> str:
    """How a value reads on the page and in the PDF (the .xlsx keeps the number itself)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


@dataclass
class Table:
    key: str
    title: str
    note: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    values: list[list]
    total: int

    @property
    def head(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric))

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        return [list(zip(row, self.numeric)) for row in self.rows]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def title(bulletin: Bulletin) -> str:
    name = bulletin.figures.get("node", {}).get("name") or bulletin.node.name
    if bulletin.kind == Kind.WEEK:
        return _("%(node)s weekly bulletin, %(first)s to %(last)s") % {
            "node": name,
            "first": bulletin.first_day.isoformat(),
            "last": bulletin.last_day.isoformat(),
        }
    return _("%(node)s monthly bulletin, %(month)s") % {
        "node": name,
        "month": bulletin.first_day.strftime("%Y-%m"),
    }


def tables(bulletin: Bulletin) -> list[Table]:
    result = []
    for section in bulletin.figures.get("sections", []):
        columns = section["columns"]
        translate = [bool(c.get("i18n")) for c in columns]
        values = [
            [_(v) if translate[i] and isinstance(v, str) and v else v for i, v in enumerate(row)]
            for row in section["rows"]
        ]
        numeric = [
            all(isinstance(row[i], int | float) or row[i] is None for row in values) and bool(values)
            for i in range(len(columns))
        ]
        result.append(
            Table(
                key=section["key"],
                title=_(section["title"]),
                note=str(section.get("note") or ""),
                headers=[_(c["label"]) for c in columns],
                numeric=numeric,
                rows=[[cell_text(v) for v in row] for row in values],
                values=values,
                total=section.get("total", len(values)),
            )
        )
    return result


def document(bulletin: Bulletin) -> dict:
    as_of = bulletin.figures.get("as_of")
    return {
        "bulletin": bulletin,
        "title": title(bulletin),
        "as_of": datetime.datetime.fromisoformat(as_of) if as_of else bulletin.generated_at,
        "tables": tables(bulletin),
    }


def filename(bulletin: Bulletin, extension: str) -> str:
    code = bulletin.figures.get("node", {}).get("code") or bulletin.node.code
    return f"{code}-{bulletin.kind.lower()}-{bulletin.first_day.isoformat()}.{extension}"


def pdf(bulletin: Bulletin) -> bytes:
    """The bulletin as a PDF (A4), fonts embedded (subset) from the system's Noto Sans CJK."""
    import weasyprint

    html = render_to_string("bulletins/pdf.html", document(bulletin))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(filename=str(PDF_CSS))])


def workbook(bulletin: Bulletin) -> Workbook:
    """The .xlsx behind the bulletin: a cover sheet, then one sheet per section (its values)."""
    doc = document(bulletin)
    book = Workbook()
    cover = book.active
    cover.title = xlsx.sheet_title(_("Bulletin"))
    xlsx.append_row(cover, [doc["title"]])[0].font = Font(bold=True, size=13)
    xlsx.append_row(cover, [_("Figures as of"), doc["as_of"].strftime("%Y-%m-%d %H:%M")])
    for table in doc["tables"]:
        xlsx.append_row(cover, [table.title, table.total])
    cover.column_dimensions["A"].width = 40
    used = {cover.title}
    for table in doc["tables"]:
        name = xlsx.sheet_title(table.title)
        while name in used:
            name = xlsx.sheet_title(f"{name[:28]}-{len(used)}")
        used.add(name)
        sheet = xlsx.new_sheet(book, name)
        xlsx.append_row(sheet, [table.title])[0].font = Font(bold=True, size=12)
        for cell in xlsx.append_row(sheet, table.headers):
            cell.font = Font(bold=True)
        for row in table.values:
            xlsx.append_row(sheet, row)
        if table.note:
            xlsx.append_row(sheet, [table.note])
        for index in range(1, len(table.headers) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
        sheet.freeze_panes = "A3"
    return book
