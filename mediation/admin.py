"""Admin for disputes: read-only. A case moves only through mediation.services (its status is
a protected state machine, every step an event with its actor); reports are sent by the grids
and recorded MISSED by the sweep. Parties show masked, as everywhere but the checked reveal."""

from django.contrib import admin

from mediation.models import Case, CaseEvent, MonthlyReport, Notice, Party


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(ReadOnly, admin.TabularInline):
    model = Party
    fields = ["role", "resident", "name_masked", "phone_masked"]
    readonly_fields = fields
    extra = 0


class EventInline(ReadOnly, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["id", "grid", "kind", "source", "status", "risk", "light", "registered_at"]
    list_filter = ["status", "risk", "kind", "source"]
    list_select_related = ["grid"]
    date_hierarchy = "registered_at"
    inlines = [PartyInline, EventInline]
    exclude = ["visit", "petition"]
    readonly_fields = ["visit_id", "petition_id"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["grid", "month", "status", "cases_found", "on_time", "reported_at"]
    list_filter = ["status", "on_time", "month"]
    list_select_related = ["grid"]


@admin.register(Notice)
class NoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["recipient", "kind", "case", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "case"]
