"""Admin: schemes are edited here (each save is a new version); everything of a published
period is read-only, and the bonus ledger is never editable."""

from django import http
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from evaluation import services
from evaluation.models import (
    Appeal,
    Assessment,
    AssessmentLine,
    BonusPayment,
    BonusRule,
    HeadBonus,
    Indicator,
    Inspection,
    InspectionPhoto,
    Notice,
    Period,
    PeriodStatus,
    Scheme,
    SchemeIndicator,
)
from hlgrid.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows are written by the services; the admin only shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceErrorsAdmin(admin.ModelAdmin):
    """A domain error raised while saving rolls the change back and is shown as a message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), level=messages.ERROR)
            return http.HttpResponseRedirect(request.get_full_path())


class SchemeIndicatorInline(admin.TabularInline):
    model = SchemeIndicator
    extra = 0
    fields = ["order", "code", "name", "source", "method", "weight", "rule", "params"]


@admin.register(Scheme)
class SchemeAdmin(ServiceErrorsAdmin):
    list_display = ["name", "version", "worker_base", "head_base", "head_mode", "updated_at"]
    readonly_fields = ["version"]
    inlines = [SchemeIndicatorInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # validate the whole scheme (weights add up to 100 …) and record a new version
        try:
            services.scheme_bump(actor=request.user, scheme=form.instance)
        except DomainError as exc:
            problems = "; ".join(m for msgs in exc.errors.values() for m in msgs) or exc.detail
            raise ValidationError(problems) from exc


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    can_delete = False
    fields = ["order", "code", "name", "source", "method", "weight", "rule", "params"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Period)
class PeriodAdmin(ServiceErrorsAdmin):
    list_display = [
        "name",
        "kind",
        "starts_on",
        "ends_on",
        "status",
        "scheme",
        "scheme_version",
        "published_at",
    ]
    list_filter = ["status", "kind"]
    inlines = [IndicatorInline]
    readonly_fields = [
        "status",
        "scheme_version",
        "run",
        "opened_at",
        "computed_at",
        "published_at",
        "published_by",
    ]

    def has_change_permission(self, request, obj=None):
        # once open, a period's dates and scheme are part of its results; published means locked
        if obj is not None and obj.status != PeriodStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != PeriodStatus.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.period_update(
                    actor=request.user,
                    period=obj,
                    name=obj.name,
                    starts_on=obj.starts_on,
                    ends_on=obj.ends_on,
                    scheme=obj.scheme,
                )
            else:
                created = services.period_create(
                    actor=request.user,
                    name=obj.name,
                    kind=obj.kind,
                    starts_on=obj.starts_on,
                    ends_on=obj.ends_on,
                    scheme=obj.scheme,
                )
                obj.pk = created.pk
        except DomainError as exc:
            raise ValidationError(exc.detail) from exc


@admin.register(BonusRule)
class BonusRuleAdmin(ReadOnlyAdmin):
    list_display = ["period", "worker_base", "head_base", "head_mode"]


class PhotoInline(admin.TabularInline):
    model = InspectionPhoto
    extra = 0
    exclude = ["image"]
    readonly_fields = ["photo_link", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def photo_link(self, obj):
        # /media/ is closed: the photo leaves only through the checked view (hlgrid.media).
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.image.name)


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["period", "worker", "grid", "method", "mode", "score", "inspector", "inspected_at"]
    list_filter = ["period", "method", "mode"]
    list_select_related = ["period", "worker", "grid", "inspector"]
    inlines = [PhotoInline]


class LineInline(admin.TabularInline):
    model = AssessmentLine
    extra = 0
    can_delete = False
    fields = ["indicator", "raw", "numerator", "denominator", "points", "explanation"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["period", "worker", "grid", "total", "grade", "stars", "bonus", "run", "is_current"]
    list_filter = ["period", "grade", "is_current", "insufficient_data"]
    list_select_related = ["period", "worker", "grid"]
    search_fields = ["worker__username", "worker__name"]
    inlines = [LineInline]


@admin.register(HeadBonus)
class HeadBonusAdmin(ReadOnlyAdmin):
    list_display = ["period", "head", "grid", "workers", "factor", "amount", "is_current"]
    list_filter = ["period", "is_current"]
    list_select_related = ["period", "head", "grid"]


@admin.register(BonusPayment)
class BonusPaymentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "period", "recipient", "role", "kind", "amount", "street", "note"]
    list_filter = ["period", "role", "kind"]
    list_select_related = ["period", "recipient", "street"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "worker", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "period", "node", "read_at"]
