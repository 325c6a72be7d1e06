"""The catalogue of petition categories and their time limits, kept by the office.

A change applies to what comes next: a petition takes its verify limit when it is received
and its handling limit when it is classified, and keeps the deadlines it was given, so the
open petitions of a changed category keep theirs. The urgency rules (研判) say within how many
hours an urgent and an extra urgent petition of the category are handled. A category in use
is deactivated (no new petition gets it), never deleted. A category is a city's (grids.cities):
its code is unique within the city, its parent and its department are the city's, and only
those who may configure that city change it (grids.access.require_may_configure).
"""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import Department
from hlgrid import inputs
from hlgrid.errors import InvalidInput
from petitions.models import Category, Level, LimitUnit

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_HOURS = 24 * 90
MAX_WORKDAYS = 120
MAX_CALLBACK_DAYS = 90
FIELDS = (
    "code",
    "name",
    "parent",
    "keywords",
    "department",
    "level",
    "verify_hours",
    "handle_limit",
    "handle_unit",
    "callback_days",
    "urgent_hours",
    "critical_hours",
    "is_active",
)


def _whole(field: str, value, *, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput.field(field, _("Enter a whole number."))
    if not 1 <= value <= maximum:
        raise InvalidInput.field(field, _("Enter a number from 1 to %(max)d.") % {"max": maximum})
    return value


def _clean(values: dict, *, city, category: Category | None) -> dict:
    errors: dict[str, list[str]] = {}

    def check(field, fn):
        try:
            return fn()
        except InvalidInput as error:
            for name, messages in error.errors.items():
                errors.setdefault(name, []).extend(messages)
            return None

    def code():
        text = inputs.required("code", values["code"])
        if not CODE.match(text):
            raise InvalidInput.field("code", _("Letters, digits, - and _ only, at most 32."))
        clash = Category.objects.filter(city=city, code__iexact=text)
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            raise InvalidInput.field("code", _("Another category has this code."))
        return text

    def name():
        text = inputs.required("name", values["name"])
        if len(text) > 64:
            raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": 64})
        return text

    def parent():
        parent = values["parent"]
        if parent is None:
            return None
        if not isinstance(parent, Category) or parent.city_id != city.pk:
            raise InvalidInput.field("parent", _("Choose a category."))
        if parent.parent_id is not None:
            raise InvalidInput.field("parent", _("Categories have two levels: choose a top-level category."))
        if category is not None and (parent.pk == category.pk or category.children.exists()):
            raise InvalidInput.field("parent", _("A category with subcategories stays at the top level."))
        return parent

    def department():
        department = values["department"]
        if department is None:
            return None
        if (
            not isinstance(department, Department)
            or not department.is_active
            or department.city_id != city.pk
        ):
            raise InvalidInput.field("department", _("Choose an active department."))
        return department

    def level():
        if values["level"] not in Level.values:
            raise InvalidInput.field("level", _("Choose a handling level."))
        return values["level"]

    def unit():
        if values["handle_unit"] not in LimitUnit.values:
            raise InvalidInput.field("handle_unit", _("Choose hours or working days."))
        return values["handle_unit"]

    cleaned = {
        "code": check("code", code),
        "name": check("name", name),
        "parent": check("parent", parent),
        "keywords": (values.get("keywords") or "").strip()[:500],
        "department": check("department", department),
        "level": check("level", level),
        "handle_unit": check("handle_unit", unit),
        "verify_hours": check(
            "verify_hours", lambda: _whole("verify_hours", values["verify_hours"], maximum=MAX_HOURS)
        ),
        "callback_days": check(
            "callback_days",
            lambda: _whole("callback_days", values["callback_days"], maximum=MAX_CALLBACK_DAYS),
        ),
        "urgent_hours": check(
            "urgent_hours", lambda: _whole("urgent_hours", values["urgent_hours"], maximum=MAX_HOURS)
        ),
        "critical_hours": check(
            "critical_hours", lambda: _whole("critical_hours", values["critical_hours"], maximum=MAX_HOURS)
        ),
        "is_active": bool(values.get("is_active", True)),
    }
    if (
        cleaned["urgent_hours"] is not None
        and cleaned["critical_hours"] is not None
        and cleaned["critical_hours"] > cleaned["urgent_hours"]
    ):
        errors.setdefault("critical_hours", []).append(_("Extra urgent cannot allow more hours than urgent."))
    maximum = MAX_WORKDAYS if cleaned["handle_unit"] == LimitUnit.WORKDAYS else MAX_HOURS
    cleaned["handle_limit"] = check(
        "handle_limit", lambda: _whole("handle_limit", values["handle_limit"], maximum=maximum)
    )
    if cleaned["level"] == Level.DEPARTMENT and values["department"] is None and "department" not in errors:
        errors["department"] = [_("A category handled by a department names the department.")]
    if (
        category is not None
        and not cleaned["is_active"]
        and category.children.filter(is_active=True).exists()
    ):
        errors.setdefault("is_active", []).append(_("Deactivate its subcategories first."))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    return cleaned


def category_create(
    *,
    actor,
    code: str,
    name: str,
    parent: Category | None = None,
    keywords: str = "",
    department: Department | None = None,
    level: str = Level.GRID,
    verify_hours: int = 24,
    handle_limit: int = 3,
    handle_unit: str = LimitUnit.WORKDAYS,
    callback_days: int = 3,
    urgent_hours: int = 24,
    critical_hours: int = 4,
    is_active: bool = True,
    city=None,
) -> Category:
    """A new category of `city` (the one city the actor configures when not given)."""
    city = cities.city_for_new(actor, city)
    values = dict(locals())
    values.pop("actor")
    values.pop("city")
    cleaned = _clean(values, city=city, category=None)
    try:
        with transaction.atomic():
            return Category.objects.create(city=city, **cleaned)
    except IntegrityError:
        raise InvalidInput.field("code", _("Another category has this code.")) from None


def category_update(*, actor, category: Category, **changes) -> Category:
    """Change some of a category's fields (the others keep their value); `is_active=False`
    deactivates it. Applies to petitions received or classified from now on."""
    access.require_may_configure(actor, category.city)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput.field(unknown[0], _("Unknown field."))
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        values = {name: getattr(category, name) for name in FIELDS}
        values.update(changes)
        cleaned = _clean(values, city=category.city, category=category)
        for name, value in cleaned.items():
            setattr(category, name, value)
        try:
            with transaction.atomic():
                category.save()
        except IntegrityError:
            raise InvalidInput.field("code", _("Another category has this code.")) from None
    return category
