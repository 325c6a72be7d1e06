"""Serializers and filters of the residents API (residents.api holds the viewsets).

Objects named by id in a request body (the grid of a new building, the household of a
visit, a head) are resolved through the scoped selectors by `ScopedRelatedField`: an id
that is absent or outside the caller's grids is the same 400 on that field, so the caller
learns nothing about what exists elsewhere.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hlgrid.api import NoUnknownFields
from hlgrid.crypto import lookup_hash
from hlgrid.lights import Light
from residents import basics, idcard, selectors, services
from residents.models import (
    Building,
    Ethnicity,
    Household,
    KeyGroup,
    KeyMembership,
    Occupancy,
    PoliticalStatus,
    Relationship,
    ResidenceStatus,
    Resident,
    Unit,
    Visit,
    VisitKind,
)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """An object named by its id, looked up among those the caller may see (a scoped selector)."""

    default_error_messages = {"does_not_exist": gettext_lazy("Not found or outside your scope.")}

    def __init__(self, *, scoped, **kwargs):
        self.scoped = scoped  # a list selector: scoped(user=...) is what the user may see
        kwargs.setdefault("pk_field", serializers.IntegerField())  # ids are integers, in and out
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(user=self.context["request"].user)


# Choice sets are described inline (wrapped in allOf so drf-spectacular does not hoist them into
# named enum components): other apps have fields named `kind` and `light` with their own choices.
@extend_schema_field(
    {
        "allOf": [{"type": "string", "enum": VisitKind.values}],
        "description": "ROUTINE, KEY_PERSON or PETITION_FOLLOW_UP",
    }
)
class VisitKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=VisitKind.choices, **kwargs)


@extend_schema_field(
    {
        "allOf": [{"type": "string", "enum": Light.values}],
        "description": "GREEN, YELLOW (due soon) or RED (overdue)",
    }
)
class LightField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Light.choices, **kwargs)


def _coded(choices, description: str, names: dict, *, blank: bool = True):
    """A choice field described inline like the ones above: its codes, each with the name the
    standard gives it (residents.basics), so the schema reads the same in every language."""
    enum = list(choices.values) + ([""] if blank else [])
    legend = ", ".join(f"{code.value} {names[code]}" for code in choices)

    @extend_schema_field(
        {"allOf": [{"type": "string", "enum": enum}], "description": f"{description}: {legend}"}
    )
    class Coded(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("allow_blank", blank)
            super().__init__(choices=choices.choices, **kwargs)

    Coded.__name__ = f"{choices.__name__}Field"
    return Coded


EthnicityField = _coded(Ethnicity, "民族 (GB/T 3304 code; blank: not recorded)", basics.ETHNICITY)
RelationshipField = _coded(
    Relationship, "与户主关系 (GB/T 4761 style; blank: not recorded)", basics.RELATIONSHIP
)
PoliticalStatusField = _coded(
    PoliticalStatus, "政治面貌 (GB/T 4762 style; blank: not recorded)", basics.POLITICAL_STATUS
)
ResidenceStatusField = _coded(ResidenceStatus, "人户状态 (blank: not recorded)", basics.RESIDENCE_STATUS)
OccupancyField = _coded(Occupancy, "How the dwelling is used", basics.OCCUPANCY, blank=False)


class BuildingSerializer(serializers.ModelSerializer):
    grid = ScopedRelatedField(scoped=selectors.grid_list)
    head_name = serializers.CharField(source="head.name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Building
        fields = ["id", "grid", "number", "name", "address", "latitude", "longitude", "head", "head_name"]
        read_only_fields = ["head"]


class UnitSerializer(serializers.ModelSerializer):
    building = ScopedRelatedField(scoped=selectors.building_list)
    head_name = serializers.CharField(source="head.name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Unit
        fields = ["id", "building", "number", "head", "head_name", "wechat_group_url"]
        read_only_fields = ["head"]


class HouseholdSerializer(serializers.ModelSerializer):
    unit = ScopedRelatedField(scoped=selectors.unit_list)
    occupancy = OccupancyField(read_only=True)

    class Meta:
        model = Household
        fields = ["id", "unit", "door", "grid", "label", "occupancy", "landlord"]
        read_only_fields = ["grid", "label", "occupancy", "landlord"]


class OccupancySerializer(NoUnknownFields, serializers.Serializer):
    occupancy = OccupancyField()
    landlord = ScopedRelatedField(
        scoped=selectors.household_list,
        allow_null=True,
        required=False,
        default=None,
        help_text="The landlord's household (a rented dwelling only), or null",
    )


class ResidentSerializer(serializers.ModelSerializer):
    """A resident as every list and detail shows it: ID number, phone and health masked."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    health = serializers.CharField(source="health_masked", read_only=True)
    grid = serializers.IntegerField(source="household.grid_id", read_only=True)
    ethnicity = EthnicityField(read_only=True)
    relationship = RelationshipField(read_only=True)
    political_status = PoliticalStatusField(read_only=True)
    residence_status = ResidenceStatusField(read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "grid",
            "name",
            "sex",
            "birth_date",
            "id_number",
            "phone",
            "health",
            "is_party_member",
            "ethnicity",
            "relationship",
            "political_status",
            "residence_status",
            "notes",
        ]
        read_only_fields = fields


class HeadSerializer(serializers.Serializer):
    head = ScopedRelatedField(
        scoped=selectors.resident_list, allow_null=True, help_text="A resident living there, or null to clear"
    )


class ResidentCreateSerializer(serializers.Serializer):
    household = ScopedRelatedField(scoped=selectors.household_list)
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=32, help_text="18 characters (GB 11643); stored encrypted")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    is_party_member = serializers.BooleanField(
        required=False, help_text="Follows political_status; alone, true records 中共党员"
    )
    ethnicity = EthnicityField(required=False, default="")
    relationship = RelationshipField(required=False, default="")
    political_status = PoliticalStatusField(required=False, default="")
    residence_status = ResidenceStatusField(required=False, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    health = serializers.CharField(required=False, allow_blank=True, default="")


class RevealRequestSerializer(NoUnknownFields, serializers.Serializer):
    # A misspelt key ("field") must not fall back to revealing every value.
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=services.REVEALABLE),
        required=False,
        help_text="Which values to show (default: all of id_number, phone, health)",
    )


class RevealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    health = serializers.CharField(required=False)


class KeyGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeyGroup
        fields = ["id", "name", "visit_interval_days", "description"]


class KeyMembershipSerializer(serializers.ModelSerializer):
    resident = ScopedRelatedField(scoped=selectors.resident_list)
    group = serializers.PrimaryKeyRelatedField(queryset=KeyGroup.objects.all())
    light = LightField(read_only=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    household = serializers.IntegerField(source="resident.household_id", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    since = serializers.DateField(required=False)

    class Meta:
        model = KeyMembership
        fields = [
            "id",
            "resident",
            "resident_name",
            "household",
            "grid",
            "group",
            "group_name",
            "condition",
            "measures",
            "guardian",
            "since",
            "next_visit_due",
            "warn_from",
            "last_visited_at",
            "light",
        ]
        read_only_fields = ["grid", "next_visit_due", "warn_from", "last_visited_at"]


class VisitPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # The checked view, not /media/: only who may see the visit gets the bytes.
    url = serializers.CharField(source="get_absolute_url")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class VisitPhotoUploadSerializer(serializers.Serializer):
    # FileField: the photo cleaner (hlgrid.photos) is the only code that parses the image
    photo = serializers.FileField()


class VisitSerializer(serializers.ModelSerializer):
    people_seen = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    photos = VisitPhotoSerializer(many=True, read_only=True)
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    kind = VisitKindField(read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "worker",
            "worker_name",
            "household",
            "grid",
            "visited_at",
            "kind",
            "people_seen",
            "notes",
            "photos",
            "latitude",
            "longitude",
            "problem_found",
            "problem_description",
            "corrects",
        ]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    household = ScopedRelatedField(scoped=selectors.household_list)
    kind = VisitKindField(default=VisitKind.ROUTINE)
    people_seen = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    visited_at = serializers.DateTimeField(required=False, help_text="Default: now")
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    problem_found = serializers.BooleanField(required=False, default=False)
    problem_description = serializers.CharField(required=False, allow_blank=True, default="")
    corrects = ScopedRelatedField(scoped=selectors.visit_list, required=False, allow_null=True, default=None)
    # FileField: the photo cleaner (hlgrid.photos) is the only code that parses the image
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


# --- filters -----------------------------------------------------------------------------------


class BuildingFilter(django_filters.FilterSet):
    class Meta:
        model = Building
        fields = ["grid", "number"]


class UnitFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="building__grid")

    class Meta:
        model = Unit
        fields = ["building", "grid"]


class HouseholdFilter(django_filters.FilterSet):
    building = django_filters.NumberFilter(field_name="unit__building")
    label = django_filters.CharFilter(lookup_expr="contains")

    class Meta:
        model = Household
        fields = ["unit", "building", "grid", "label"]


class ResidentFilter(django_filters.FilterSet):
    grid = django_filters.NumberFilter(field_name="household__grid")
    name = django_filters.CharFilter(lookup_expr="contains")
    id_number = django_filters.CharFilter(method="filter_id_number", label="Whole ID number (exact)")

    class Meta:
        model = Resident
        fields = [
            "household",
            "grid",
            "name",
            "is_party_member",
            "sex",
            "ethnicity",
            "relationship",
            "political_status",
            "residence_status",
        ]

    def filter_id_number(self, queryset, name, value):
        return queryset.filter(id_number_hash=lookup_hash(idcard.normalise(value)))


class KeyMembershipFilter(django_filters.FilterSet):
    household = django_filters.NumberFilter(field_name="resident__household")
    light = django_filters.ChoiceFilter(choices=Light.choices)

    class Meta:
        model = KeyMembership
        fields = ["group", "resident", "household", "grid", "light"]


class VisitFilter(django_filters.FilterSet):
    visited_after = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="gte")
    visited_before = django_filters.IsoDateTimeFilter(field_name="visited_at", lookup_expr="lt")

    class Meta:
        model = Visit
        fields = ["worker", "household", "grid", "kind", "problem_found", "visited_after", "visited_before"]


class CoverageQuerySerializer(serializers.Serializer):
    node = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()


class CoverageRowSerializer(serializers.Serializer):
    grid = serializers.IntegerField(source="grid.pk")
    grid_name = serializers.CharField(source="grid.name")
    households = serializers.IntegerField()
    households_visited = serializers.IntegerField()
    key_people = serializers.IntegerField()
    key_visited = serializers.IntegerField()
