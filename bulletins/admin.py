from django.contrib import admin

from bulletins.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: a bulletin is a published snapshot."""

    list_display = ("node", "kind", "first_day", "last_day", "published_at", "recipients")
    list_filter = ("kind",)
    readonly_fields = [f.name for f in Bulletin._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
