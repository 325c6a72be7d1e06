"""Many cities on one deployment: which city a node, a user or a piece of configuration is of.

A CITY node is the root of its own MPTT tree, so a node's city is the root of its `tree_id`
and "the same city" is "the same tree". The configuration a city owns (departments,
categories, key groups, assessment schemes and periods: `grids.models.city_field`) is seen
and changed only by that city's people (`grids.access.scope_to_cities`,
`access.may_configure(user, city)`), and every rule that joins two things checks that they
are of one city (`require_same_city`): a petition is classified into its own city's
categories and handed to its own city's departments, a resident joins its own city's key
groups, a period assesses its own city's workers.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.errors import InvalidInput


def cities() -> QuerySet:
    return GridNode.objects.filter(parent=None, kind=NodeKind.CITY).order_by("code")


def city_id_of(node: GridNode) -> int:
    """The id of the city over `node` (the node itself when it is the city): one query, none for
    a city."""
    if node.parent_id is None:
        return node.pk
    return GridNode.objects.filter(tree_id=node.tree_id, parent=None).values_list("id", flat=True).get()


def city_of(node: GridNode) -> GridNode:
    if node.parent_id is None:
        return node
    return GridNode.objects.get(tree_id=node.tree_id, parent=None)


def same_city(node: GridNode, city_id: int | None) -> bool:
    return city_id is not None and city_id_of(node) == city_id


def require_same_city(node: GridNode, item, *, field: str, message: str | None = None) -> None:
    """Refuse `item` (a category, a department, a key group, a period: anything with a `city_id`)
    for work at `node` of another city, as if it did not exist: a bad input, never a crossing."""
    if item is not None and not same_city(node, item.city_id):
        raise InvalidInput.field(field, message or _("Not one of this city's."))


def visible_cities(user) -> QuerySet:
    """The cities `user` holds an active post in (every city for a superuser or SYSTEM)."""
    return access.scope_to_cities(user, cities(), path="")


def configurable_cities(user) -> QuerySet:
    """The cities whose configuration `user` may change (access.may_configure)."""
    return access.configurable_cities(user, cities())


def city_for_new(user, city=None, *, allowed: QuerySet | None = None, require=None) -> GridNode:
    """The city a new piece of configuration goes to: `city` when given (the user must be able
    to configure it: 404 for a city they cannot see, 403 for one they only read), else the one
    city the user configures; one who configures several (a superuser) must choose.

    `allowed` (the cities the user may configure) and `require(user, city=None)` (the refusal)
    default to the office's configuration (access.may_configure); the assessment passes its own.
    """
    allowed = configurable_cities(user) if allowed is None else allowed
    require = require or access.require_may_configure
    if city is not None:
        if not isinstance(city, GridNode):
            city = cities().filter(pk=city).first() if str(city).isdigit() else None
        if city is None or city.kind != NodeKind.CITY or city.parent_id is not None:
            raise InvalidInput.field("city", _("Choose a city."))
        require(user, city)
        return city
    require(user)
    choices = list(allowed[:2])
    if len(choices) == 1:
        return choices[0]
    raise InvalidInput.field("city", _("Choose the city it belongs to."))


def add_city_field(form, user) -> None:
    """Offer the cities the user configures on a form that creates configuration, when there are
    several to choose from (a superuser of a province); one who configures one city has no
    choice to make."""
    from django import forms

    choices = configurable_cities(user)
    if len(choices[:2]) > 1:
        form.fields["city"] = forms.ModelChoiceField(
            queryset=choices, label=_("City"), widget=forms.Select(attrs={"class": "form-select"})
        )


def shows_city(user) -> bool:
    """Should a list of configuration name each row's city? Only for one who sees several."""
    return len(visible_cities(user)[:2]) > 1


def city_write_field():
    """The `city` of an API request that creates configuration (see city_for_new)."""
    from rest_framework import serializers

    return serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The city (a CITY node) it belongs to; needed only by one who configures several.",
    )
