from django.contrib import admin

from open311.models import Open311Client, Open311Submission


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    """Read-only here: keys are issued on the settings page (shown once there)."""

    list_display = ["name", "key_prefix", "is_active", "created_at", "last_used_at"]
    readonly_fields = ["name", "key_prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Open311Submission)
class Open311SubmissionAdmin(admin.ModelAdmin):
    list_display = ["petition", "client", "created_at"]
    list_select_related = ["petition", "client"]
    readonly_fields = ["client", "petition", "account_id", "media_url", "created_at"]
    exclude = ["email"]

    def has_add_permission(self, request):
        return False
