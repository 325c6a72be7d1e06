"""The evaluation API's serializers: shapes only (no rules); evaluation.api uses them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evaluation.models import (
    Appeal,
    Assessment,
    AssessmentLine,
    BonusPayment,
    Inspection,
    Method,
    Mode,
    Period,
    PeriodKind,
    Scheme,
)
from grids import cities
from hlgrid.api import NoUnknownFields


class BonusRuleSerializer(serializers.Serializer):
    worker_base = serializers.DecimalField(max_digits=10, decimal_places=2)
    coefficients = serializers.DictField(child=serializers.CharField())
    head_base = serializers.DecimalField(max_digits=10, decimal_places=2)
    head_mode = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()
    method = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    rule = serializers.CharField()
    params = serializers.DictField()
    automatic = serializers.BooleanField(source="is_automatic")


class PeriodSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="MONTH, QUARTER or YEAR")
    status = serializers.CharField(read_only=True, help_text="DRAFT, OPEN, COMPUTED or PUBLISHED")
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    is_final = serializers.SerializerMethodField(
        help_text="Whether the current results were computed once the period was over (its end "
        "date past, or closed early): only then may it be published"
    )

    class Meta:
        model = Period
        fields = [
            "id",
            "name",
            "kind",
            "starts_on",
            "ends_on",
            "status",
            "scheme",
            "scheme_name",
            "scheme_version",
            "excellent_min",
            "good_min",
            "pass_min",
            "star_thresholds",
            "appeal_days",
            "run",
            "opened_at",
            "computed_at",
            "published_at",
            "closed_early_at",
            "close_early_reason",
            "is_final",
        ]
        read_only_fields = [f for f in fields if f not in ("name", "kind", "starts_on", "ends_on", "scheme")]

    def get_is_final(self, period) -> bool:
        from evaluation.services import computed_as_final

        return computed_as_final(period)


class CloseEarlySerializer(NoUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the period closes before its end date")


class PeriodDetailSerializer(PeriodSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    bonus_rule = serializers.SerializerMethodField()

    class Meta(PeriodSerializer.Meta):
        fields = [*PeriodSerializer.Meta.fields, "indicators", "bonus_rule"]

    @extend_schema_field(BonusRuleSerializer(allow_null=True))
    def get_bonus_rule(self, period):
        rule = getattr(period, "bonus_rule", None) if period.status != "DRAFT" else None
        return BonusRuleSerializer(rule).data if rule else None


class PeriodWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    kind = serializers.CharField(default=PeriodKind.QUARTER, help_text="MONTH, QUARTER or YEAR")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    scheme = serializers.PrimaryKeyRelatedField(
        queryset=Scheme.objects.all(), required=False, allow_null=True
    )
    city = cities.city_write_field()


class PeriodPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    scheme = serializers.PrimaryKeyRelatedField(queryset=Scheme.objects.all(), required=False)


class StreetBonusSerializer(serializers.Serializer):
    street = serializers.CharField()
    workers = serializers.DecimalField(max_digits=14, decimal_places=2)
    heads = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class GradeCountSerializer(serializers.Serializer):
    grade = serializers.CharField()
    count = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1)


class PreviewSerializer(serializers.Serializer):
    workers = serializers.IntegerField()
    graded = serializers.IntegerField()
    insufficient = serializers.IntegerField()
    worker_payments = serializers.IntegerField()
    worker_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    head_payments = serializers.IntegerField()
    head_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid_before = serializers.DecimalField(max_digits=14, decimal_places=2)
    by_street = StreetBonusSerializer(many=True)
    grades = GradeCountSerializer(many=True)


class ShareSerializer(serializers.Serializer):
    period_id = serializers.IntegerField()
    period = serializers.CharField()
    starts_on = serializers.DateField()
    graded = serializers.IntegerField()
    excellent = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1)


class InspectionSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.display_name", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.display_name", read_only=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "period",
            "worker",
            "worker_name",
            "grid",
            "grid_name",
            "method",
            "mode",
            "score",
            "notes",
            "inspector",
            "inspector_name",
            "inspected_at",
            "photos",
        ]
        read_only_fields = fields

    def get_photos(self, inspection) -> list[str]:
        # The checked view, not /media/: only who may see the inspection gets the bytes.
        return [photo.get_absolute_url() for photo in inspection.photos.all()]


class InspectionWriteSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    worker = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Method.choices)
    mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.OPEN)
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    # FileField: the photo cleaner (hlgrid.photos) is the only code that parses the image
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class LineSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    weight = serializers.DecimalField(source="indicator.weight", max_digits=5, decimal_places=2)
    automatic = serializers.BooleanField(source="indicator.is_automatic")

    class Meta:
        model = AssessmentLine
        fields = [
            "code",
            "name",
            "weight",
            "automatic",
            "raw",
            "numerator",
            "denominator",
            "points",
            "has_data",
            "explanation",
        ]


class AssessmentSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.display_name")
    grid_name = serializers.CharField(source="grid.name")
    street_name = serializers.CharField(source="street.name")
    period_name = serializers.CharField(source="period.name")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "period",
            "period_name",
            "worker",
            "worker_name",
            "grid",
            "grid_name",
            "street",
            "street_name",
            "run",
            "is_current",
            "total",
            "grade",
            "stars",
            "rank_street",
            "rank_city",
            "bonus",
            "insufficient_data",
            "insufficient_reason",
            "corrects",
            "created_at",
        ]


class AssessmentDetailSerializer(AssessmentSerializer):
    lines = LineSerializer(many=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "lines"]


class EvidenceSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField(allow_null=True)))
    total = serializers.IntegerField(help_text="records that cost points (rows holds at most 500)")
    counted_title = serializers.CharField(allow_blank=True)
    counted_rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True)),
        help_text="the records that counted for the worker, where the indicator is a rate",
    )
    counted_total = serializers.IntegerField()


class AppealSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="PENDING, ACCEPTED or REJECTED")

    class Meta:
        model = Appeal
        fields = [
            "id",
            "assessment",
            "worker",
            "grid",
            "reason",
            "status",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision",
            "corrected",
        ]
        read_only_fields = fields


class AppealCreateSerializer(serializers.Serializer):
    assessment = serializers.IntegerField()
    reason = serializers.CharField()


class AppealAcceptSerializer(serializers.Serializer):
    points = serializers.DictField(
        child=serializers.DecimalField(max_digits=6, decimal_places=2),
        help_text="corrected points by indicator code",
    )
    decision = serializers.CharField()


class AppealRejectSerializer(serializers.Serializer):
    decision = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    role = serializers.CharField(help_text="WORKER or HEAD")
    kind = serializers.CharField(help_text="PAYMENT or CORRECTION")

    class Meta:
        model = BonusPayment
        fields = [
            "id",
            "period",
            "recipient",
            "role",
            "grid",
            "street",
            "kind",
            "amount",
            "note",
            "created_at",
        ]


class RunningTotalSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class StarSerializer(serializers.Serializer):
    name = serializers.CharField(source="worker.display_name")
    grid = serializers.CharField(source="grid.name")
    stars = serializers.IntegerField()
