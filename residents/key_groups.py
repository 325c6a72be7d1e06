"""The key groups (五类人群) and their visit intervals, kept by the office.

A changed interval applies from each member's next visit (a visit resets the due date with
the group's interval, residents.services) and to new memberships; the current members keep
the due dates they have. A group is a city's (grids.cities): its name is unique within the
city, its members are the city's residents, and only those who may configure that city change
it (grids.access.require_may_configure). A group is never deleted: memberships refer to it.
A new city starts with the five groups of DEFAULT_GROUPS (`key_groups_seed`).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grids import access, cities, versions
from hlgrid import inputs
from hlgrid.errors import InvalidInput
from residents.models import KeyGroup

MAX_INTERVAL_DAYS = 366
FIELDS = ("name", "visit_interval_days", "description", "order")
# The five key groups (五类人群) and how often their members are visited: a city's first set.
DEFAULT_GROUPS = [
    ("重病患者", 7, "患重大疾病、需要经常照看的居民"),
    ("留守儿童", 14, "父母外出务工、由他人监护的未成年人"),
    ("残障人士", 14, "持证或事实上的残疾人"),
    ("独居/空巢老人", 7, "独自居住或子女不在身边的老年人"),
    ("困难家庭", 30, "低保、特困等生活困难的家庭"),
]


def _clean(values: dict, *, city, group: KeyGroup | None) -> dict:
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def check(name, fn):
        try:
            cleaned[name] = fn()
        except InvalidInput as error:
            for field, messages in error.errors.items():
                errors.setdefault(field, []).extend(messages)

    def name():
        text = inputs.required("name", values.get("name"))
        if len(text) > 32:
            raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": 32})
        others = KeyGroup.objects.filter(city=city, name=text)
        if group is not None:
            others = others.exclude(pk=group.pk)
        if others.exists():
            raise InvalidInput.field("name", _("Another key group has this name."))
        return text

    def interval():
        value = values.get("visit_interval_days")
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_INTERVAL_DAYS:
            raise InvalidInput.field(
                "visit_interval_days",
                _("Enter a number of days from 1 to %(max)d.") % {"max": MAX_INTERVAL_DAYS},
            )
        return value

    def order():
        value = values.get("order", 0)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 999:
            raise InvalidInput.field("order", _("Enter a number from 0 to 999."))
        return value

    check("name", name)
    check("visit_interval_days", interval)
    check("order", order)
    description = (values.get("description") or "").strip()
    if len(description) > 200:
        errors.setdefault("description", []).append(_("At most %(n)d characters.") % {"n": 200})
    cleaned["description"] = description
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    return cleaned


def _save(group: KeyGroup) -> KeyGroup:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise InvalidInput.field("name", _("Another key group has this name.")) from None
    return group


def key_group_create(
    *, actor, name: str, visit_interval_days: int, description: str = "", order: int = 0, city=None
) -> KeyGroup:
    """A new key group of `city` (the one city the actor configures when not given)."""
    city = cities.city_for_new(actor, city)
    values = {
        "name": name,
        "visit_interval_days": visit_interval_days,
        "description": description,
        "order": order,
    }
    return _save(KeyGroup(city=city, **_clean(values, city=city, group=None)))


def key_group_update(*, actor, group: KeyGroup, **changes) -> KeyGroup:
    """Change some fields; the current members keep their due dates until their next visit."""
    access.require_may_configure(actor, group.city)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput.field(unknown[0], _("Unknown field."))
    with transaction.atomic():
        group = KeyGroup.objects.select_for_update().get(pk=group.pk)
        values = {name: getattr(group, name) for name in FIELDS}
        values.update(changes)
        for name, value in _clean(values, city=group.city, group=group).items():
            setattr(group, name, value)
        saved = _save(group)
        # Its name is on every key person's line in the city: what was kept of them is stale.
        tree_id = group.city.tree_id
        transaction.on_commit(lambda: versions.city_changed(tree_id))
        return saved


def key_groups_seed(*, city) -> None:
    """Give a new city the five key groups (a city that has its own keeps them)."""
    if KeyGroup.objects.filter(city=city).exists():
        return
    KeyGroup.objects.bulk_create(
        KeyGroup(city=city, name=name, visit_interval_days=interval, description=description, order=order)
        for order, (name, interval, description) in enumerate(DEFAULT_GROUPS, 1)
    )
