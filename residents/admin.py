from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from residents.models import (
    AccessLog,
    Building,
    HeadAccount,
    Household,
    KeyGroup,
    KeyMembership,
    Resident,
    Unit,
    Visit,
)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Admins read the access log; nobody adds, edits or deletes a row."""

    list_display = ["at", "actor", "subject_type", "subject_label", "field", "ip"]
    list_filter = ["subject_type", "field"]
    search_fields = ["actor__username", "actor__name", "subject_label", "subject_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyGroup)
class KeyGroupAdmin(admin.ModelAdmin):
    """The five key groups are editable: names, visit intervals, order."""

    list_display = ["name", "visit_interval_days", "order", "description"]
    list_editable = ["visit_interval_days", "order"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    ordering = ["grid__code", "number"]
    list_display = ["__str__", "grid", "number", "head"]
    list_filter = [("grid", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["number", "name", "grid__name"]
    list_select_related = ["grid", "head"]
    raw_id_fields = ["grid", "head"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    ordering = ["building_id", "number"]
    list_display = ["__str__", "building", "head", "wechat_group_url"]
    search_fields = ["building__number", "building__grid__name"]
    list_select_related = ["building", "head"]
    raw_id_fields = ["building", "head"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    ordering = ["label"]
    list_display = ["label", "grid", "occupancy"]
    list_filter = ["occupancy"]
    search_fields = ["label"]
    list_select_related = ["grid"]
    raw_id_fields = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Masked everywhere: the admin is no way around the logged "show" action. Residents are
    registered through the pages, the API or the Excel import, which validate ID numbers."""

    ordering = ["household__label", "id"]
    list_display = [
        "name",
        "household",
        "sex",
        "birth_date",
        "id_number_masked",
        "phone_masked",
        "is_party_member",
    ]
    list_filter = ["sex", "is_party_member", "political_status", "ethnicity", "residence_status"]
    search_fields = ["name", "household__label"]
    list_select_related = ["household"]
    fields = ["household", "name", "sex", "birth_date", "id_number_masked", "phone_masked", "health_masked",
              "relationship", "ethnicity", "political_status", "residence_status", "is_party_member",
              "notes"]  # fmt: skip
    # The basics are checked by residents.services (one head per household; Party membership
    # follows the political status): shown here, changed there.
    readonly_fields = ["household", "sex", "birth_date", "id_number_masked", "phone_masked", "health_masked",
                       "relationship", "ethnicity", "political_status", "residence_status",
                       "is_party_member"]  # fmt: skip

    @admin.display(description=_("ID number"))
    def id_number_masked(self, obj):
        return obj.id_number_masked

    @admin.display(description=_("phone"))
    def phone_masked(self, obj):
        return obj.phone_masked

    @admin.display(description=_("health details"))
    def health_masked(self, obj):
        return obj.health_masked

    def has_add_permission(self, request):
        return False


@admin.register(KeyMembership)
class KeyMembershipAdmin(admin.ModelAdmin):
    ordering = ["next_visit_due", "id"]
    list_display = ["resident", "group", "grid", "next_visit_due", "last_visited_at", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["resident__name"]
    list_select_related = ["resident", "group", "grid"]
    fields = ["resident", "group", "condition", "measures", "guardian", "since", "next_visit_due",
              "warn_from", "last_visited_at", "is_active"]  # fmt: skip
    readonly_fields = ["resident", "group", "since", "next_visit_due", "warn_from", "last_visited_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Visits are a record: read-only here (a correction is a new visit)."""

    ordering = ["-visited_at", "-id"]
    list_display = ["visited_at", "household", "worker", "kind", "problem_found"]
    list_filter = ["kind", "problem_found"]
    search_fields = ["household__label", "worker__username", "worker__name"]
    date_hierarchy = "visited_at"
    list_select_related = ["household", "worker"]
    exclude = ["people_seen"]
    readonly_fields = ["worker", "household", "visited_at", "kind", "notes", "latitude", "longitude",
                       "problem_found", "problem_description", "corrects"]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HeadAccount)
class HeadAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "resident", "building", "unit", "grid", "created_at", "ended_at")
    list_filter = ("ended_at",)
    raw_id_fields = ("user", "resident", "building", "unit")
    readonly_fields = ("granted_by", "ended_by")
