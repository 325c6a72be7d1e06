"""Admin for compounds and property: the property petition categories are configured here
(which petition categories count against a firm in its rating); everything else is read-only,
as it changes only through property.services (checked by the policy, money rules kept).
Phones show masked."""

from django.contrib import admin

from property.models import (
    Compound,
    FirmRating,
    PropertyCategory,
    PropertyFirm,
    RenovationProject,
    StarBoard,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PropertyCategory)
class PropertyCategoryAdmin(admin.ModelAdmin):
    list_display = ["category"]
    list_select_related = ["category"]


@admin.register(PropertyFirm)
class PropertyFirmAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "street", "credit_code", "contact_phone_hint", "party_joined_on", "is_active"]
    list_select_related = ["street"]
    fields = list_display + ["party_form", "party_instructor", "in_joint_committee"]
    readonly_fields = fields


@admin.register(Compound)
class CompoundAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "community", "kind", "service", "firm", "year_built"]
    list_filter = ["kind", "service"]
    list_select_related = ["community", "firm"]


@admin.register(StarBoard)
class StarBoardAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["street", "year", "quarter", "status", "computed_at", "published_at"]
    list_select_related = ["street"]


@admin.register(FirmRating)
class FirmRatingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["firm", "year", "quarter", "score", "stars", "samples", "petitions", "inspections"]
    list_select_related = ["firm"]


@admin.register(RenovationProject)
class RenovationProjectAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "compound", "year", "status", "completed_on"]
    list_filter = ["status", "year"]
    list_select_related = ["compound"]
