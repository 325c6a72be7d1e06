"""Admin for the Party chain, alliances, the time bank and the windows.

Organisations are created through party.services (tree lock, kind and territory checks);
ledger entries are read-only (corrections are booked through the service).
"""

from django import forms, http
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from mptt.admin import MPTTModelAdmin

from hlgrid.errors import DomainError
from party.models import (
    Activity,
    Alliance,
    DutyShift,
    InServiceMember,
    JointProject,
    MemberUnit,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    ProjectReport,
    Redemption,
    Reward,
    ServiceItem,
    ServiceWindow,
    SignUp,
    SocialWorker,
    Volunteer,
    WindowService,
)
from party.services.chain import org_create, org_delete, org_set_contacts
from party.services.windows import duty_shift_add


class _ServiceErrors:
    """Show a service's refusal as a message instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            return http.HttpResponseRedirect(request.get_full_path())


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganization
        fields = [
            "parent",
            "kind",
            "code",
            "name",
            "node",
            "grids",
            "buildings",
            "household",
            "contact_households",
        ]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(_ServiceErrors, MPTTModelAdmin):
    form = OrganizationForm
    list_display = ["name", "kind", "code", "node"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "node", "grids"]
    raw_id_fields = ["buildings", "household", "contact_households"]
    list_select_related = ["node"]

    def get_readonly_fields(self, request, obj=None):
        # Territory and place in the chain are set when created; a change is a new organisation.
        return ["parent", "kind", "node", "grids", "buildings", "household"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            PartyOrganization.objects.filter(pk=obj.pk).update(name=obj.name, code=obj.code)
            return
        data = form.cleaned_data
        try:
            created = org_create(
                actor=request.user,
                parent=data.get("parent"),
                kind=data["kind"],
                code=data["code"],
                name=data["name"],
                node=data.get("node"),
                grids=data.get("grids") or [],
                buildings=data.get("buildings") or [],
                household=data.get("household"),
                contact_households=data.get("contact_households") or [],
            )
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """The service set the territory when adding; afterwards only a central household's
        contacts change (through the service, which checks them)."""
        if not change or form.instance.kind != "CENTRAL_HOUSEHOLD":
            return
        try:
            org_set_contacts(
                actor=request.user,
                org=form.instance,
                households=form.cleaned_data.get("contact_households") or [],
            )
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc

    def delete_model(self, request, obj):
        org_delete(actor=request.user, org=obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletes would bypass the tree service
        return actions


@admin.register(PartyMember)
class PartyMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organization", "joined_on", "is_active"]
    list_filter = ["role", "is_active", "organization__kind"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization", "user"]
    raw_id_fields = ["resident"]
    list_select_related = ["organization"]


class MemberUnitInline(admin.TabularInline):
    model = MemberUnit
    extra = 0
    fields = ["name", "kind", "contact_name"]
    show_change_link = True


@admin.register(Alliance)
class AllianceAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "founded_on"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]
    inlines = [MemberUnitInline]

    def save_model(self, request, obj, form, change):
        obj.node_id = obj.lead.node_id
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "alliance"]
    list_filter = ["kind", "alliance"]
    search_fields = ["name"]
    autocomplete_fields = ["grids"]


@admin.register(InServiceMember)
class InServiceMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "grid", "reported_at"]
    list_filter = ["unit__alliance"]
    search_fields = ["name", "unit__name"]
    exclude = ["phone"]
    autocomplete_fields = ["unit", "user", "grid"]
    raw_id_fields = ["resident"]
    list_select_related = ["unit", "grid"]


class ProjectReportInline(admin.TabularInline):
    model = ProjectReport
    extra = 0
    fields = ["reported_at", "progress", "spent", "text", "author"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JointProject)
class JointProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "alliance", "budget", "status", "progress"]
    list_filter = ["status", "alliance"]
    search_fields = ["name"]
    autocomplete_fields = ["units", "grids"]
    readonly_fields = ["status", "progress"]
    inlines = [ProjectReportInline]

    def save_model(self, request, obj, form, change):
        obj.node_id = obj.alliance.node_id
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "grid", "balance", "user"]
    search_fields = ["name", "user__username"]
    readonly_fields = ["balance"]
    autocomplete_fields = ["user", "grid"]
    raw_id_fields = ["resident", "in_service_member"]
    list_select_related = ["grid", "user"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "grid", "starts_at", "status", "points_per_hour"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["grid", "organiser", "organization", "lecturer"]
    readonly_fields = ["status"]
    list_select_related = ["grid"]


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    list_display = ["activity", "volunteer", "status", "hours", "confirmed_at"]
    list_filter = ["status"]
    readonly_fields = [
        "activity",
        "volunteer",
        "status",
        "hours",
        "signed_up_at",
        "confirmed_at",
        "confirmed_by",
    ]
    list_select_related = ["activity", "volunteer"]

    def has_add_permission(self, request):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """The ledger, read-only: corrections are new entries booked through the service."""

    list_display = ["booked_at", "volunteer", "kind", "points", "hours", "note"]
    list_filter = ["kind"]
    search_fields = ["volunteer__name", "note"]
    list_select_related = ["volunteer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "price", "stock", "is_active"]
    list_editable = ["is_active"]


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["redeemed_at", "volunteer", "reward", "points"]
    list_select_related = ["volunteer", "reward"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "department"]
    list_filter = ["category"]
    search_fields = ["code", "name"]


@admin.register(ServiceWindow)
class ServiceWindowAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "node", "place"]
    autocomplete_fields = ["node"]


@admin.register(SocialWorker)
class SocialWorkerAdmin(admin.ModelAdmin):
    list_display = ["user", "grid", "is_active"]
    search_fields = ["user__username", "user__name"]
    filter_horizontal = ["items"]
    autocomplete_fields = ["user", "grid"]


@admin.register(DutyShift)
class DutyShiftAdmin(_ServiceErrors, admin.ModelAdmin):
    list_display = ["worker", "kind", "window", "starts_at", "ends_at"]
    list_filter = ["kind", "window"]
    date_hierarchy = "starts_at"
    fields = ["worker", "kind", "window", "starts_at", "ends_at"]
    list_select_related = ["worker__user", "window"]

    def save_model(self, request, obj, form, change):
        if change:
            raise ValidationError("A shift is not changed; delete it and add a new one.")
        try:
            created = duty_shift_add(
                actor=request.user,
                worker=obj.worker,
                kind=obj.kind,
                window=obj.window,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
            )
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc
        obj.pk = created.pk


@admin.register(WindowService)
class WindowServiceAdmin(admin.ModelAdmin):
    list_display = ["served_at", "window", "item", "worker", "minutes"]
    list_filter = ["window", "item__category"]
    date_hierarchy = "served_at"
    list_select_related = ["window", "item", "worker"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
