"""Import staff from Excel (.xlsx): all rows or none, like the household register import.

Each row is one new account with its first post: name, phone, post kind, node code,
department (code or name, for department staff) and an optional username (the phone number
when empty). Every row is validated first (required cells, the phone, the kind and where it
may be held, a node the importer manages and a kind it may grant there, the department, a
username free in the file and in the database, one head per node); any bad row is reported
with its row number and reason and nothing is written. A good file is written in one
transaction through grids.people.services.account_create, and each account's generated
password is returned once, to be handed over (it must be changed at the first login).
"""

import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from grids import access
from grids.models import POST_NODE_KINDS, Department, NodeKind, Post, PostKind
from grids.people import selectors, services
from hlgrid import inputs, xlsx
from hlgrid.errors import DomainError, InvalidInput, NotFound
from hlgrid.models import User

COLUMNS = [
    ("姓名", "name", True),
    ("手机号", "phone", False),
    ("岗位", "kind", True),
    ("网格编码", "node", True),
    ("部门", "department", False),
    ("用户名", "username", False),
]
# Each row hashes a password: the import is bounded so one request stays reasonable.
MAX_ROWS = 500
KIND_ALIASES = {
    "网格员": PostKind.WORKER,
    "专职网格员": PostKind.WORKER,
    "网格长": PostKind.HEAD,
    "路长": PostKind.HEAD,
    "巷长": PostKind.HEAD,
    "路/巷长": PostKind.HEAD,
    "街长": PostKind.HEAD,
    "负责人": PostKind.HEAD,
    "干部": PostKind.OFFICIAL,
    "管理人员": PostKind.OFFICIAL,
    "部门人员": PostKind.DEPARTMENT,
    "部门工作人员": PostKind.DEPARTMENT,
    "考核员": PostKind.ASSESSOR,
    **{kind: kind for kind in PostKind.values},
}


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[services.NewPassword] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    name: str
    phone: str
    kind: str
    node: object
    department: Department | None
    username: str


class _Abort(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read(file) -> list[dict]:
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InvalidInput.field("file", _("This is not an .xlsx file.")) from exc
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(cell) for cell in next(rows, ())]
    positions = {}
    for title, key, required in COLUMNS:
        if title in header:
            positions[key] = header.index(title)
        elif required:
            raise InvalidInput.field(
                "file", _("The first row has no column “%(title)s”: use the template.") % {"title": title}
            )
    records = []
    for number, cells in enumerate(rows, start=2):
        if not any(_text(c) for c in cells):
            continue
        if len(records) >= MAX_ROWS:
            raise InvalidInput.field("file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
        record = {"_row": number}
        for key, index in positions.items():
            record[key] = _text(cells[index] if index < len(cells) else None)
        records.append(record)
    workbook.close()
    return records


def _departments() -> dict[tuple[int, str], Department]:
    """The active departments by (tree of their city, code or name): a code names a department
    only within the city of the post's node."""
    found = {}
    for department in Department.objects.filter(is_active=True).select_related("city"):
        found[department.city.tree_id, department.code.lower()] = department
        found[department.city.tree_id, department.name.lower()] = department
    return found


def _validate(actor, records: list[dict]) -> tuple[list[_Row], list[RowError]]:
    codes = {r.get("node", "") for r in records} - {""}
    nodes = {n.code: n for n in selectors.managed_nodes(user=actor).filter(code__in=codes)}
    departments = _departments()
    headed = set(
        Post.objects.filter(node__in=list(nodes.values()), kind=PostKind.HEAD, is_active=True).values_list(
            "node_id", flat=True
        )
    )
    wanted = {(r.get("username") or r.get("phone") or "").lower() for r in records} - {""}
    taken = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=wanted)
        .values_list("lowered", flat=True)
    )
    grantable: dict[tuple[int, str], bool] = {}
    usernames: dict[str, int] = {}
    heads: dict[int, int] = {}
    rows, errors = [], []
    for record in records:
        number = record["_row"]
        try:
            for title, key, required in COLUMNS:
                if required and not record.get(key):
                    raise ValueError(_("“%(header)s” is empty.") % {"header": title})
            try:
                phone = inputs.phone(record.get("phone", ""))
            except InvalidInput as exc:
                raise ValueError(exc.detail) from None
            kind = KIND_ALIASES.get(record["kind"]) or KIND_ALIASES.get(record["kind"].upper())
            if kind is None:
                raise ValueError(_("Unknown post kind “%(kind)s”.") % {"kind": record["kind"]})
            node = nodes.get(record["node"])
            if node is None:
                raise ValueError(_("No node with the code %(code)s in your area.") % {"code": record["node"]})
            if node.kind not in POST_NODE_KINDS[kind]:
                raise ValueError(
                    _("A %(post)s post cannot be held at a %(node)s.")
                    % {"post": PostKind(kind).label, "node": NodeKind(node.kind).label}
                )
            if (node.pk, kind) not in grantable:
                grantable[(node.pk, kind)] = access.may_grant_kind(actor, node, kind)
            if not grantable[(node.pk, kind)]:
                raise ValueError(
                    _("You may not grant a %(post)s post at %(node)s.")
                    % {"post": PostKind(kind).label, "node": node.name}
                )
            department = None
            if kind == PostKind.DEPARTMENT:
                if not record.get("department"):
                    raise ValueError(_("A department is required for department staff."))
                department = departments.get((node.tree_id, record["department"].lower()))
                if department is None:
                    raise ValueError(_("No department “%(d)s”.") % {"d": record["department"]})
            elif record.get("department"):
                raise ValueError(_("A department is given only for department staff."))
            username = record.get("username") or phone
            if not username:
                raise ValueError(_("Give a username or a phone number."))
            try:
                services.clean_username(username) if username.lower() not in taken else None
            except InvalidInput as exc:
                raise ValueError(exc.detail) from None
            if username.lower() in taken:
                raise ValueError(_("The username %(u)s is already taken.") % {"u": username})
            if username.lower() in usernames:
                raise ValueError(
                    _("The username %(u)s is also on row %(row)d.")
                    % {"u": username, "row": usernames[username.lower()]}
                )
            usernames[username.lower()] = number
            if kind == PostKind.HEAD:
                if node.pk in headed:
                    raise ValueError(_("%(node)s already has a head.") % {"node": node.name})
                if node.pk in heads:
                    raise ValueError(
                        _("%(node)s also gets a head on row %(row)d.")
                        % {"node": node.name, "row": heads[node.pk]}
                    )
                heads[node.pk] = number
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
            continue
        rows.append(
            _Row(
                number=number,
                name=record["name"],
                phone=phone,
                kind=kind,
                node=node,
                department=department,
                username=username,
            )
        )
    return rows, errors


def staff_import(*, actor, file) -> ImportResult:
    """Validate the whole file, then create every account in one transaction or none."""
    if not access.manages_people(actor):
        raise NotFound()
    result = ImportResult()
    try:
        records = _read(file)
    except InvalidInput as exc:
        result.errors.append(RowError(1, exc.detail))
        return result
    if not records:
        result.errors.append(RowError(1, _("The file has no rows to import.")))
        return result
    rows, errors = _validate(actor, records)
    if errors:
        result.errors = sorted(errors, key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    created = services.account_create(
                        actor=actor,
                        username=row.username,
                        name=row.name,
                        phone=row.phone,
                        kind=row.kind,
                        node=row.node,
                        department=row.department,
                    )
                except DomainError as error:  # a row that changed since it was checked
                    result.errors = [RowError(row.number, error.detail)]
                    raise _Abort from None
                result.created.append(created)
    except _Abort:
        result.created = []
    return result


def template_bytes() -> bytes:
    """The .xlsx template: the header row, example rows, and instructions on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xlsx.sheet_title("人员导入")
    xlsx.append_row(sheet, [title for title, _key, _required in COLUMNS])
    xlsx.append_row(sheet, ["张三", "13812345678", "网格员", "HL-01-01-01", "", ""])
    xlsx.append_row(sheet, ["李四", "13912345678", "部门人员", "HL", "CG", "lisi"])
    for index, (_title, key, required) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C" if required else "757575")
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[cell.column_letter].width = 18
        if key in ("phone", "node", "username"):
            for row in range(2, MAX_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = xlsx.new_sheet(workbook, "填写说明")
    for line in [
        "红色表头为必填列；每行一位新人员及其第一个岗位，示例行导入前请删除。",
        "岗位填写：网格员、网格长（路长、巷长、街长同为负责人岗位）、干部、部门人员、考核员。",
        "网格编码填写您管辖范围内的街道、社区或网格编码；网格员只能在网格，负责人在街道、社区或网格。",
        "部门人员须填写部门编码或名称，其他岗位不填部门。",
        "用户名可留空，留空时使用手机号作为用户名；用户名不得与已有账号重复。",
        "导入前系统会逐行校验：只要有一行有误，整个文件都不会导入，并列出每一行的错误原因。",
        "导入成功后页面会一次性显示每个账号的初始密码，请妥善转交；首次登录时必须修改密码。",
    ]:
        xlsx.append_row(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = 100
    return xlsx.to_bytes(workbook)
