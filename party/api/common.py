"""What the Party API's modules share: tags, error responses, pagination, parameters, and the
lookups of ids named in a request body (scoped through grids.access)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from residents.selectors import RESIDENT_POST_KINDS

TAGS = ["party"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


# Households and residents named in a request are seen through the residents' posts only:
# a department or assessor post over the whole city is for petitions and the assessment.
RESIDENT_KINDS = RESIDENT_POST_KINDS


class ByCode(DefaultCursorPagination):
    ordering = "code"


class ByName(DefaultCursorPagination):
    ordering = "name"


def choices_text(choices, **kwargs) -> serializers.CharField:
    """A plain string documented with its values. The apps share field names such as "kind" and
    "status" with different choices, and enum components of the same name would collide in the
    schema; the services validate the values and answer 400 with the field."""
    return serializers.CharField(help_text=" | ".join(choices.values), **kwargs)


def scoped_grid(user, pk) -> GridNode:
    grids = access.scope_queryset(user, GridNode.objects.filter(kind=NodeKind.GRID), node_path="")
    grid = grids.filter(pk=pk).first()
    if grid is None:
        raise InvalidInput.field("grid", _("Unknown grid."))
    return grid


def visible(user, queryset, ids, *, node_path: str, field: str, post_kinds=None) -> list:
    """The objects a request body names by id, in its order, all visible to the user.

    One query (grids.access.get_all_scoped_or_404); one unknown or foreign id refuses the
    request, as a 400 on the field that named it, absent and foreign alike. Households and
    residents pass `RESIDENT_KINDS`: they are seen through the residents' posts only.
    """
    try:
        return access.get_all_scoped_or_404(
            user, queryset, ids or [], node_path=node_path, post_kinds=post_kinds
        )
    except Http404:
        raise InvalidInput.field(field, _("Unknown or outside your scope.")) from None


def int_param(request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise InvalidInput.field(name, _("An id is a number."))
    return int(value)


def day_param(request):
    value = request.query_params.get("day")
    if not value:
        return timezone.localdate()
    try:
        return serializers.DateField().to_internal_value(value)
    except serializers.ValidationError:
        raise InvalidInput.field("day", _("Enter a date.")) from None
