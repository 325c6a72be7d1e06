from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from hlgrid.models import SweepState, User
from hlgrid.notifier.models import Delivery, OptOut


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("name", "phone", "must_change_password")}),
    )
    list_display = ["username", "name", "is_staff", "is_active", "must_change_password"]
    search_fields = ["username", "name", "email"]


@admin.register(SweepState)
class SweepStateAdmin(admin.ModelAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "last_duration_ms"]
    readonly_fields = [
        "name",
        "last_started_at",
        "last_finished_at",
        "last_duration_ms",
        "last_result",
        "last_error",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: messages change only through the notifier (the log page resends a failed one)."""

    list_display = [
        "pk",
        "created_at",
        "channel",
        "purpose",
        "status",
        "address_hint",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "channel", "purpose"]
    # The address itself stays out of the admin: the masked hint is enough to tell messages apart.
    fields = [
        "channel",
        "purpose",
        "status",
        "address_hint",
        "label",
        "text",
        "attempts",
        "next_attempt_at",
        "last_error",
        "provider_ref",
        "node_id",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["channel", "source", "created_at"]
    list_filter = ["channel", "source"]
    fields = ["channel", "source", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
