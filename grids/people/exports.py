"""The staff list as an .xlsx download: the same accounts as the page, phones masked (as every
list of people shows them: `User.phone_masked`, hlgrid.crypto.mask_phone)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hlgrid import xlsx


def staff_workbook(accounts) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xlsx.sheet_title(_("Staff"))
    header = xlsx.append_row(
        sheet, [_("Name"), _("Username"), _("Phone"), _("Posts"), _("Node codes"), _("Status")]
    )
    for cell in header:
        cell.font = Font(bold=True)
    for account in accounts.iterator(chunk_size=500) if hasattr(accounts, "iterator") else accounts:
        posts = account.active_posts
        xlsx.append_row(
            sheet,
            [
                account.display_name,
                account.username,
                account.phone_masked,
                "；".join(f"{p.node.name} {p.title}" for p in posts),
                "；".join(p.node.code for p in posts),
                _("Active") if account.is_active else _("Deactivated"),
            ],
        )
    for letter, width in zip("ABCDEF", (14, 18, 16, 48, 30, 10)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    return workbook
