from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from hlgrid.models import SweepState, User


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
