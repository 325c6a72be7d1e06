from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from petitions.models import (
    Attachment,
    Category,
    CheckIn,
    HandlingRequest,
    Notification,
    Overdue,
    Pause,
    Petition,
    PetitionEvent,
    Whistle,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "parent",
        "department",
        "level",
        "verify_hours",
        "handle_limit",
        "handle_unit",
        "callback_days",
        "is_active",
    ]
    list_filter = ["level", "handle_unit", "is_active", "department"]
    search_fields = ["code", "name", "keywords"]
    list_select_related = ["parent", "department"]


class EventInline(admin.TabularInline):
    model = PetitionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only: petitions change only through the workflow's services."""

    list_display = [
        "tracking_code",
        "status",
        "light",
        "grid",
        "category",
        "assignee",
        "department",
        "due_at",
        "received_at",
    ]
    list_filter = ["status", "light", "source", "level"]
    search_fields = ["tracking_code", "description"]
    list_select_related = ["grid", "category", "category__parent", "assignee", "department"]
    exclude = ["reporter_name", "reporter_phone"]
    inlines = [EventInline]
    date_hierarchy = "received_at"
    ordering = ["-id"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Overdue)
class OverdueAdmin(ReadOnlyAdmin):
    list_display = ["petition", "step", "user", "department", "grid", "due_at", "recorded_at"]
    list_filter = ["step"]
    list_select_related = ["petition", "user", "department", "grid"]


@admin.register(Pause)
class PauseAdmin(ReadOnlyAdmin):
    list_display = ["petition", "reason", "granted_by", "started_at", "ended_at"]


@admin.register(HandlingRequest)
class HandlingRequestAdmin(ReadOnlyAdmin):
    list_display = ["petition", "kind", "status", "requested_by", "requested_at", "decided_by"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["petition", "kind", "file_link", "size", "created_at"]
    exclude = ["file"]
    readonly_fields = ["file_link"]

    @admin.display(description=_("file"))
    def file_link(self, obj):
        # /media/ is closed: the file leaves only through the checked view (hlgrid.media).
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.file.name)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "petition", "created_at", "read_at"]
    list_filter = ["kind"]


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 0
    readonly_fields = [
        "department",
        "due_at",
        "light",
        "checked_in_at",
        "checked_in_by",
        "report",
        "reported_at",
    ]
    can_delete = False


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdmin):
    list_display = ["title", "street", "blown_by", "blown_at", "deadline", "status"]
    inlines = [CheckInInline]
