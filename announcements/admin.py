from django.contrib import admin

from announcements.models import Announcement


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "node", "published_by", "published_at", "expires_at", "withdrawn_at"]
    list_filter = ["node__kind"]
    search_fields = ["title"]
    raw_id_fields = ["node", "published_by", "withdrawn_by"]
    readonly_fields = ["published_at", "withdrawn_at", "withdrawn_by"]
