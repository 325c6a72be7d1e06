"""The sections of a bulletin, and the registry other apps add theirs to.

A section is a table: `build(scope)` answers `{"columns": [...], "rows": [[...], ...]}` (and
optionally `"total"`, the number of rows before a limit, and `"note"`, a line of data such as
the assessment period it reads), or None to leave the section out. Every value is plain JSON
(text, int, float, None): the bulletin stores it as its snapshot, so the page, the PDF and the
.xlsx show the same figures however the data change later.

Column labels and section titles are English msgids (mark them with gettext_noop): they are
stored as they are and translated when the bulletin is shown, so an old bulletin reads in the
viewer's language. A column with `"i18n": True` holds msgids in its cells too.

An app above the data a bulletin needs registers its own section in its AppConfig.ready():

    from bulletins.sections import column, register_section
    register_section("accountability", title=gettext_noop("Accountability cases"), order=65,
                     build=lambda scope: {"columns": [column("case", gettext_noop("Case"))], "rows": [...]})

(bulletins sits on a floor above dashboards and evaluation; a lower app that must add a section
without importing bulletins registers it from a module that portal, or bulletins' own builtin,
imports — the registry itself imports nothing of theirs.)
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from grids.models import GridNode


@dataclass(frozen=True)
class Scope:
    """What a section is built for: the node, the kind (WEEK/MONTH), its days and the moment of
    the snapshot (`as_of`: the generation time, never after the period's end)."""

    node: GridNode
    kind: str
    first_day: datetime.date
    last_day: datetime.date
    start: datetime.datetime
    end: datetime.datetime  # exclusive: the midnight after the last day
    as_of: datetime.datetime


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int
    build: Callable[[Scope], dict | None]


_SECTIONS: dict[str, Section] = {}


def register_section(
    key: str, *, title: str, build: Callable[[Scope], dict | None], order: int = 100
) -> None:
    """Add (or replace, by key) a section of every bulletin generated from now on."""
    _SECTIONS[key] = Section(key=key, title=title, order=order, build=build)


def unregister_section(key: str) -> None:
    _SECTIONS.pop(key, None)


def registered() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def column(key: str, label: str, *, i18n: bool = False) -> dict:
    return {"key": key, "label": label, "i18n": i18n}


def plain(value):
    """A value as the snapshot stores it (Decimal → float, dates → ISO text)."""
    from decimal import Decimal

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def build_all(scope: Scope) -> list[dict]:
    """Every registered section built for `scope`, in order (sections that answer None left out)."""
    sections = []
    for section in registered():
        table = section.build(scope)
        if table is None:
            continue
        rows = [[plain(value) for value in row] for row in table.get("rows", [])]
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "columns": table["columns"],
                "rows": rows,
                "total": table.get("total", len(rows)),
                "note": plain(table.get("note", "")) or "",
            }
        )
    return sections
