"""Import a household register from Excel (.xlsx): all rows or none.

Every row is validated first (required cells, the ID number per GB 11643 and unique in the
file and in the database, the phone, yes/no cells, one head per building and unit, the
register basics — 与户主关系, 民族, 政治面貌, 人户状态 by their standard names, one 户主 per
household, one 房屋用途 per dwelling); any bad
row is reported with its row number and reason and nothing is written. A good file is
written in one transaction with bulk inserts, reusing buildings, units and households that
already exist in the grid.
"""

import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from grids import access
from grids.models import GridNode
from hlgrid import inputs, xlsx
from hlgrid.changes import node_changed
from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput
from residents import basics, services
from residents.models import Building, Household, Relationship, Resident, Unit
from residents.selectors import RESIDENT_POST_KINDS

# Column headers of the template (what officials' registers call them) and their keys.
COLUMNS = [
    ("楼栋", "building", True),
    ("单元", "unit", True),
    ("门牌号", "door", True),
    ("姓名", "name", True),
    ("身份证号", "id_number", True),
    ("联系电话", "phone", False),
    ("与户主关系", "relationship", False),
    ("民族", "ethnicity", False),
    ("政治面貌", "political_status", False),
    ("人户状态", "residence_status", False),
    ("是否党员", "party", False),
    ("房屋用途", "occupancy", False),
    ("楼栋长", "building_head", False),
    ("单元长", "unit_head", False),
    ("备注", "notes", False),
]
MAX_ROWS = 20_000
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"", "否", "n", "no", "0", "false"}


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    residents: int = 0
    households: int = 0
    buildings: int = 0
    units: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    building: str
    unit: str
    door: str
    name: str
    id_number: str = ""
    birth_date: object = None
    sex: str = ""
    phone: str = ""
    party: bool = False
    ethnicity: str = ""
    relationship: str = ""
    political_status: str = ""
    residence_status: str = ""
    occupancy: str = ""
    building_head: bool = False
    unit_head: bool = False
    notes: str = ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _yes(value: str, header: str) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(_("“%(header)s” must be 是 or 否.") % {"header": header})


def _coded(record: dict, key: str, header: str) -> str:
    """A basics cell as its code; a name the standard does not know is the row's error."""
    text = record.get(key, "")
    code = basics.parse(key, text)
    if code is None:
        names = "、".join(list(basics.TABLES[key].values())[:7])
        raise ValueError(
            _("“%(header)s” cannot be “%(value)s”: write one of %(names)s…")
            % {"header": header, "value": text, "names": names}
        )
    return code


def _read(file) -> tuple[list[dict], list[RowError]]:
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
    records, errors = [], []
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            raise InvalidInput.field("file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
        if not any(_text(c) for c in cells):
            continue
        record = {"_row": number}
        for key, index in positions.items():
            value = cells[index] if index < len(cells) else None
            if key == "id_number" and isinstance(value, (int, float)):
                errors.append(RowError(number, _("Type the ID number as text: Excel rounds long numbers.")))
            record[key] = _text(value)
        records.append(record)
    workbook.close()
    return records, errors


def _validate(records: list[dict], errors: list[RowError]) -> list[_Row]:
    titles = {key: title for title, key, _required in COLUMNS}
    rows: list[_Row] = []
    seen_numbers: dict[str, int] = {}
    building_heads: dict[str, int] = {}
    unit_heads: dict[tuple[str, str], int] = {}
    household_heads: dict[tuple[str, str, str], int] = {}
    occupancies: dict[tuple[str, str, str], tuple[str, int]] = {}
    for record in records:
        number = record["_row"]
        if any(e.row == number for e in errors):
            continue
        try:
            for title, key, required in COLUMNS:
                if required and not record.get(key):
                    raise ValueError(_("“%(header)s” is empty.") % {"header": title})
            row = _Row(
                number=number,
                building=record["building"],
                unit=record["unit"],
                door=record["door"],
                name=record["name"],
                notes=record.get("notes", ""),
            )
            try:
                parsed = services.id_number_check(record["id_number"])
                row.phone = inputs.phone(record.get("phone", ""))
            except InvalidInput as exc:
                raise ValueError(exc.detail) from None
            row.id_number, row.birth_date, row.sex = parsed.number, parsed.birth_date, parsed.sex
            if parsed.number in seen_numbers:
                raise ValueError(
                    _("The ID number is also on row %(row)d.") % {"row": seen_numbers[parsed.number]}
                )
            seen_numbers[parsed.number] = number
            party = _yes(record.get("party", ""), titles["party"]) if record.get("party") else None
            codes = {key: _coded(record, key, titles[key]) for key in basics.TABLES if key != "occupancy"}
            try:
                checked = services.register_basics_check(**codes, is_party_member=party)
            except InvalidInput as exc:
                if exc.errors.get("political_status"):
                    raise ValueError(
                        _("“%(a)s” and “%(b)s” disagree.")
                        % {"a": titles["political_status"], "b": titles["party"]}
                    ) from None
                raise ValueError(exc.detail) from None
            row.party = checked["is_party_member"]
            row.ethnicity, row.relationship = checked["ethnicity"], checked["relationship"]
            row.political_status = checked["political_status"]
            row.residence_status = checked["residence_status"]
            dwelling = (row.building, row.unit, row.door)
            if row.relationship == Relationship.HEAD:
                if dwelling in household_heads:
                    raise ValueError(
                        _("This household already has its head of household on row %(row)d.")
                        % {"row": household_heads[dwelling]}
                    )
                household_heads[dwelling] = number
            row.occupancy = _coded(record, "occupancy", titles["occupancy"])
            if row.occupancy:
                earlier = occupancies.setdefault(dwelling, (row.occupancy, number))
                if earlier[0] != row.occupancy:
                    raise ValueError(
                        _("“%(header)s” differs from row %(row)d of the same household.")
                        % {"header": titles["occupancy"], "row": earlier[1]}
                    )
            row.building_head = _yes(record.get("building_head", ""), titles["building_head"])
            row.unit_head = _yes(record.get("unit_head", ""), titles["unit_head"])
            if row.building_head:
                if row.building in building_heads:
                    raise ValueError(
                        _("Building %(b)s already has a head on row %(row)d.")
                        % {"b": row.building, "row": building_heads[row.building]}
                    )
                building_heads[row.building] = number
            if row.unit_head:
                key = (row.building, row.unit)
                if key in unit_heads:
                    raise ValueError(
                        _("Unit %(u)s of building %(b)s already has a head on row %(row)d.")
                        % {"u": row.unit, "b": row.building, "row": unit_heads[key]}
                    )
                unit_heads[key] = number
        except ValueError as exc:
            errors.append(RowError(number, str(exc)))
            continue
        rows.append(row)
    return rows


def register_import(*, actor, grid: GridNode, file) -> ImportResult:
    """Validate the whole register, then import it in one transaction or not at all."""
    access.must_cover(actor, grid, kinds=RESIDENT_POST_KINDS)
    result = ImportResult()
    try:
        records, errors = _read(file)
    except InvalidInput as exc:
        result.errors.append(RowError(1, exc.detail))
        return result
    if not records and not errors:
        result.errors.append(RowError(1, _("The file has no rows to import.")))
        return result
    rows = _validate(records, errors)
    hashes = {lookup_hash(row.id_number): row for row in rows}
    for existing in Resident.objects.filter(id_number_hash__in=list(hashes)).values_list(
        "id_number_hash", flat=True
    ):
        row = hashes[existing]
        errors.append(RowError(row.number, _("A resident with this ID number is already registered.")))
    errors.extend(_heads_already_registered(grid, rows))
    if errors:
        result.errors = sorted(errors, key=lambda e: e.row)
        return result
    with transaction.atomic():
        _write(grid, rows, result)
        node_changed(grid.pk)
    return result


def _heads_already_registered(grid: GridNode, rows: list[_Row]) -> list[RowError]:
    """A 户主 row for a household of the grid that already has its head (one query)."""
    wanted = {(r.building, r.unit, r.door): r for r in rows if r.relationship == Relationship.HEAD}
    if not wanted:
        return []
    headed = Resident.objects.filter(household__grid=grid, relationship=Relationship.HEAD).values_list(
        "household__unit__building__number", "household__unit__number", "household__door", "name"
    )
    return [
        RowError(
            wanted[(b, u, d)].number, _("%(name)s is already the head of this household.") % {"name": name}
        )
        for b, u, d, name in headed
        if (b, u, d) in wanted
    ]


def _write(grid: GridNode, rows: list[_Row], result: ImportResult) -> None:
    buildings = {b.number: b for b in Building.objects.select_for_update().filter(grid=grid)}
    new = [
        Building(grid=grid, number=n) for n in dict.fromkeys(r.building for r in rows) if n not in buildings
    ]
    Building.objects.bulk_create(new)
    buildings.update({b.number: b for b in new})
    result.buildings = len(new)

    units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(building__grid=grid).select_related("building")
    }
    new = [
        Unit(building=buildings[b], number=u)
        for b, u in dict.fromkeys((r.building, r.unit) for r in rows)
        if (b, u) not in units
    ]
    Unit.objects.bulk_create(new)
    units.update({(u.building.number, u.number): u for u in new})
    result.units = len(new)

    households = {
        (h.unit.building.number, h.unit.number, h.door): h
        for h in Household.objects.filter(grid=grid).select_related("unit__building")
    }
    new = [
        Household(unit=units[(b, u)], door=d, grid=grid, label=services.household_label(b, u, d))
        for b, u, d in dict.fromkeys((r.building, r.unit, r.door) for r in rows)
        if (b, u, d) not in households
    ]
    Household.objects.bulk_create(new)
    households.update({(h.unit.building.number, h.unit.number, h.door): h for h in new})
    result.households = len({(r.building, r.unit, r.door) for r in rows})
    used = {}
    for r in rows:
        household = households[(r.building, r.unit, r.door)]
        if r.occupancy and household.occupancy != r.occupancy:
            household.occupancy = r.occupancy
            if r.occupancy != "RENTED":
                household.landlord = None
            used[household.pk] = household
    Household.objects.bulk_update(list(used.values()), ["occupancy", "landlord"])

    residents = [
        Resident(
            household=households[(r.building, r.unit, r.door)],
            name=r.name,
            sex=r.sex,
            birth_date=r.birth_date,
            id_number=r.id_number,
            id_number_hash=lookup_hash(r.id_number),
            phone=r.phone,
            is_party_member=r.party,
            ethnicity=r.ethnicity,
            relationship=r.relationship,
            political_status=r.political_status,
            residence_status=r.residence_status,
            notes=r.notes,
        )
        for r in rows
    ]
    Resident.objects.bulk_create(residents)
    result.residents = len(residents)

    headed_buildings, headed_units = [], []
    for row, resident in zip(rows, residents):
        if row.building_head:
            building = buildings[row.building]
            building.head = resident
            headed_buildings.append(building)
        if row.unit_head:
            unit = units[(row.building, row.unit)]
            unit.head = resident
            headed_units.append(unit)
    Building.objects.bulk_update(headed_buildings, ["head"])
    Unit.objects.bulk_update(headed_units, ["head"])


def template_bytes() -> bytes:
    """The .xlsx template: the header row, one example row, and instructions on a second sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xlsx.sheet_title("户籍登记")
    xlsx.append_row(sheet, [title for title, _key, _required in COLUMNS])
    example = [
        "3",
        "2",
        "301",
        "张三",
        "222406198005170017",
        "13812345678",
        "户主",
        "朝鲜族",
        "群众",
        "户籍人口",
    ]
    example += ["否", "自住", "是", ""]
    xlsx.append_row(sheet, [*example, "示例行，导入前请删除"])
    for index, (_title, key, required) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C" if required else "757575")
        cell.alignment = Alignment(horizontal="center")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if key in ("id_number", "notes") else 12
        if key in ("id_number", "phone", "building", "unit", "door"):
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = xlsx.new_sheet(workbook, "填写说明")
    for line in [
        "红色表头为必填列；每行一位居民，同一户的居民填写相同的楼栋、单元和门牌号。",
        "身份证号请以文本格式填写（18位，末位X可大写或小写），系统会校验出生日期和校验码。",
        "是否党员、楼栋长、单元长填“是”或“否”（可留空，视为否）；每个楼栋、单元最多一位楼栋长、单元长。",
        "与户主关系填：" + "、".join(basics.RELATIONSHIP.values()) + "；每户只能有一位户主。",
        "民族填民族全称（如朝鲜族、汉族、满族），共56个民族。",
        "政治面貌填："
        + "、".join(basics.POLITICAL_STATUS.values())
        + "；中共党员、中共预备党员须与“是否党员”一致。",
        "人户状态填：" + "、".join(basics.RESIDENCE_STATUS.values()) + "。",
        "房屋用途填：" + "、".join(basics.OCCUPANCY.values()) + "；同一户各行须一致。",
        "以上各列可留空，表示未登记。",
        "导入前系统会逐行校验：只要有一行有误，整个文件都不会导入，并列出每一行的错误原因。",
        "身份证号、电话加密保存，列表中只显示部分号码。",
    ]:
        xlsx.append_row(help_sheet, [line])
    help_sheet.column_dimensions["A"].width = 100
    return xlsx.to_bytes(workbook)
