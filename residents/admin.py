from django.contrib import admin

from residents.models import AccessLog


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
