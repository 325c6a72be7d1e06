"""Admin for the tree, departments and posts. Tree writes go through grids.services."""

from django import forms, http
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext as _
from mptt.admin import DraggableMPTTAdmin

from grids import services
from grids.models import Department, GridNode, Post
from hlgrid.errors import DomainError


class GridNodeForm(forms.ModelForm):
    class Meta:
        model = GridNode
        fields = ["parent", "kind", "code", "name", "boundary"]


@admin.register(GridNode)
class GridNodeAdmin(DraggableMPTTAdmin):
    form = GridNodeForm
    list_display = ["tree_actions", "indented_title", "kind", "code"]
    list_display_links = ["indented_title"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    mptt_level_indent = 20

    class Media:
        css = {"all": ["grids/admin.css"]}

    def indented_title(self, item):
        # A class per depth instead of mptt's style="text-indent": the CSP refuses inline style.
        return format_html('<div class="hl-indent-{}">{}</div>', min(item._mpttfield("level"), 6), item)

    indented_title.short_description = DraggableMPTTAdmin.indented_title.short_description

    def save_model(self, request, obj, form, change):
        try:
            if change:
                original = GridNode.objects.get(pk=obj.pk)
                services.gridnode_update(
                    actor=request.user,
                    node=original,
                    name=obj.name,
                    code=obj.code,
                    boundary=obj.boundary,
                )
                if original.parent_id != obj.parent_id and obj.parent_id:
                    services.gridnode_move(
                        actor=request.user, node=original, target=obj.parent, position="last-child"
                    )
            else:
                created = services.gridnode_create(
                    actor=request.user,
                    parent=obj.parent,
                    kind=obj.kind,
                    code=obj.code,
                    name=obj.name,
                    boundary=obj.boundary,
                )
                obj.pk = created.pk
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc

    def delete_model(self, request, obj):
        services.gridnode_delete(actor=request.user, node=obj)

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj else []

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            return http.HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
            return http.HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletes would bypass the tree service
        return actions

    def _move_node(self, request):
        """Drag-and-drop moves, through the serialising tree service."""
        position = request.POST.get("position")
        try:
            cut_item = GridNode.objects.get(pk=request.POST.get("cut_item"))
            pasted_on = GridNode.objects.get(pk=request.POST.get("pasted_on"))
        except (GridNode.DoesNotExist, TypeError, ValueError):
            self.message_user(request, _("Objects have disappeared, try again."), level=messages.ERROR)
            return http.HttpResponse("FAIL, invalid objects.")
        if not self.has_change_permission(request, cut_item):
            self.message_user(request, _("No permission"), level=messages.ERROR)
            return http.HttpResponse("FAIL, no permission.")
        try:
            services.gridnode_move(actor=request.user, node=cut_item, target=pasted_on, position=position)
        except DomainError as exc:
            messages_ = "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.detail
            self.message_user(request, messages_, level=messages.ERROR)
            return http.HttpResponse("FAIL, invalid move.")
        self.message_user(request, _("%s has been successfully moved.") % cut_item)
        return http.HttpResponse("OK, moved.")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "node", "department", "is_active", "created_at", "granted_by", "ended_at"]
    list_filter = ["kind", "is_active", "node__kind"]
    search_fields = ["user__username", "user__name", "node__name"]
    autocomplete_fields = ["user", "node"]
    list_select_related = ["user", "node", "department", "granted_by"]

    def get_readonly_fields(self, request, obj=None):
        # A post is assigned once; changing who/where means ending it and assigning a new one.
        history = ["created_at", "granted_by", "ended_at", "ended_by"]
        return ["user", "kind", "node", "department", *history] if obj else []

    def save_model(self, request, obj, form, change):
        try:
            if change:
                if not obj.is_active:
                    services.post_end(actor=request.user, post=obj)
                return
            created = services.post_assign(
                actor=request.user, user=obj.user, kind=obj.kind, node=obj.node, department=obj.department
            )
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc
        obj.pk = created.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            return http.HttpResponseRedirect(request.get_full_path())
