"""Admin for deliberation: read-only. Every change goes through deliberation.services (screening,
votes counted from ballots, resolutions closed by their owner), which the admin cannot replay,
so administrators look things up here and act through the pages or the API."""

from django.contrib import admin

from deliberation.models import AgendaItem, Ballot, Meeting, Notice, Participant, Resolution, Topic, Vote


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False
    readonly_fields = ["topic", "position"]

    def has_add_permission(self, request, obj=None):
        return False


class ParticipantInline(AgendaInline):
    model = Participant
    readonly_fields = ["role", "name", "household", "attended"]


@admin.register(Topic)
class TopicAdmin(ReadOnly):
    list_display = ["title", "node", "source", "status", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["title", "tracking_code"]
    list_select_related = ["node"]
    raw_id_fields = ["node", "building", "unit", "household", "visit", "petition", "merged_into"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ["title", "node", "starts_at", "status"]
    list_filter = ["status"]
    list_select_related = ["node"]
    inlines = [AgendaInline, ParticipantInline]


@admin.register(Vote)
class VoteAdmin(ReadOnly):
    list_display = [
        "question",
        "node",
        "rule",
        "quorum",
        "threshold",
        "electorate",
        "yes",
        "no",
        "abstain",
        "result",
    ]
    list_filter = ["status", "result", "rule"]
    list_select_related = ["node"]


@admin.register(Ballot)
class BallotAdmin(ReadOnly):
    list_display = ["vote", "household", "participant", "choice", "channel", "cast_at"]
    list_select_related = ["vote", "household", "participant"]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnly):
    list_display = ["topic", "node", "owner", "due_at", "light", "status", "published_at"]
    list_filter = ["status", "light"]
    list_select_related = ["topic", "node", "owner"]


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ["recipient", "resolution", "kind", "created_at", "read_at"]
    list_select_related = ["recipient", "resolution"]
