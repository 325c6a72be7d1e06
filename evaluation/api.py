"""REST API under /api/v1/evaluation/: thin serializers and viewsets over services and selectors.

Changes to a published period answer 409 (TransitionNotAllowed from the services).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from evaluation import selectors, services
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
from hlgrid.api import ErrorSerializer
from hlgrid.errors import Forbidden, InvalidInput
from hlgrid.models import User
from hlgrid.pagination import DefaultCursorPagination

CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Not allowed in the period's current state (e.g. published)"
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    403: OpenApiResponse(ErrorSerializer, description="Not an assessor"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside your scope"),
    409: CONFLICT,
}
TAGS = ["evaluation"]


def _require_assessor(user) -> None:
    if not services.is_assessor(user):
        raise Forbidden(_("Only the organisation department's assessors may do this."))


# --- periods ----------------------------------------------------------------------------------
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
        ]
        read_only_fields = [f for f in fields if f not in ("name", "kind", "starts_on", "ends_on", "scheme")]


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


class PeriodPagination(DefaultCursorPagination):
    ordering = "-starts_on"


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: PeriodDetailSerializer, 404: ERRORS[404]}),
)
class PeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessment periods: draft → open → computed → published (locked)."""

    serializer_class = PeriodSerializer
    pagination_class = PeriodPagination

    def get_queryset(self):
        return selectors.period_list()

    def get_object(self):
        return selectors.period_get(pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PeriodDetailSerializer if self.action == "retrieve" else PeriodSerializer

    def _detail(self, period, code=status.HTTP_200_OK):
        return Response(PeriodDetailSerializer(selectors.period_get(pk=period.pk)).data, status=code)

    @extend_schema(
        request=PeriodWriteSerializer, responses={201: PeriodDetailSerializer, **ERRORS}, tags=TAGS
    )
    def create(self, request):
        data = PeriodWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.period_create(actor=request.user, **data.validated_data)
        return self._detail(period, status.HTTP_201_CREATED)

    @extend_schema(
        request=PeriodPatchSerializer, responses={200: PeriodDetailSerializer, **ERRORS}, tags=TAGS
    )
    def partial_update(self, request, pk=None):
        data = PeriodPatchSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        period = services.period_update(actor=request.user, period=self.get_object(), **data.validated_data)
        return self._detail(period)

    @extend_schema(request=None, responses={200: PeriodDetailSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open the period for inspections; its indicators and bonus rule are frozen."""
        return self._detail(services.period_open(actor=request.user, period=self.get_object()))

    @extend_schema(request=None, responses={200: PeriodDetailSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def compute(self, request, pk=None):
        """Compute (or recompute, keeping the previous results in history) every worker's result."""
        return self._detail(services.period_compute(actor=request.user, period=self.get_object()))

    @extend_schema(request=None, responses={200: PeriodDetailSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish: lock the period, write the bonus ledger, notify the heads."""
        return self._detail(services.period_publish(actor=request.user, period=self.get_object()))

    @extend_schema(responses={200: PreviewSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["get"], pagination_class=None)
    def preview(self, request, pk=None):
        """What publishing pays (or paid): totals, by street, grade distribution."""
        _require_assessor(request.user)
        preview = selectors.period_preview(user=request.user, period=self.get_object())
        return Response(PreviewSerializer(preview).data)

    @extend_schema(responses={200: ShareSerializer(many=True)}, tags=TAGS)
    @action(detail=False, methods=["get"], url_path="excellent-share", pagination_class=None)
    def excellent_share(self, request):
        """The share of 优秀 per published period, oldest first, within the caller's scope."""
        return Response(
            ShareSerializer(selectors.excellent_share_over_periods(user=request.user), many=True).data
        )


# --- inspections ------------------------------------------------------------------------------
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
        return [photo.image.url for photo in inspection.photos.all()]


class InspectionWriteSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    worker = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Method.choices)
    mode = serializers.ChoiceField(choices=Mode.choices, default=Mode.OPEN)
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("period", int)]),
    retrieve=extend_schema(tags=TAGS, responses={200: InspectionSerializer, 404: ERRORS[404]}),
    destroy=extend_schema(tags=TAGS, responses={204: None, **ERRORS}),
)
class InspectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Inspections (听·评·看·议, 明察/暗访). A worker sees its covert ones only after publication."""

    serializer_class = InspectionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        period = self.request.query_params.get("period")
        if period and not period.isdigit():
            raise InvalidInput.field("period", _("A period id is a number."))
        qs = selectors.inspection_list(user=self.request.user)
        return qs.filter(period_id=int(period)) if period else qs

    def get_object(self):
        return selectors.inspection_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=InspectionWriteSerializer, responses={201: InspectionSerializer, **ERRORS}, tags=TAGS
    )
    def create(self, request):
        data = InspectionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _require_assessor(request.user)
        period = selectors.period_get(pk=values["period"])
        worker = get_object_or_404(User, pk=values["worker"])
        inspection = services.inspection_record(
            actor=request.user,
            period=period,
            worker=worker,
            method=values["method"],
            mode=values["mode"],
            score=values["score"],
            notes=values["notes"],
            photos=values["photos"],
        )
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.inspection_delete(actor=self.request.user, inspection=instance)


# --- assessments ------------------------------------------------------------------------------
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


class AssessmentPagination(DefaultCursorPagination):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("period", int), OpenApiParameter("worker", int)],
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: AssessmentDetailSerializer, 404: ERRORS[404]}),
)
class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Results: one current assessment per worker and period; lines explain every point."""

    serializer_class = AssessmentSerializer
    pagination_class = AssessmentPagination

    def get_queryset(self):
        params = self.request.query_params
        qs = selectors.assessment_list(user=self.request.user)
        for name in ("period", "worker"):
            value = params.get(name)
            if value:
                if not value.isdigit():
                    raise InvalidInput.field(name, _("An id is a number."))
                qs = qs.filter(**{f"{name}_id": int(value)})
        return qs

    def get_object(self):
        return selectors.assessment_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return AssessmentDetailSerializer if self.action == "retrieve" else AssessmentSerializer

    @extend_schema(
        parameters=[OpenApiParameter("indicator", str, required=True, description="the indicator's code")],
        responses={200: EvidenceSerializer, **ERRORS},
        tags=TAGS,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def evidence(self, request, pk=None):
        """The records behind one indicator's points (late petitions, households not visited …)."""
        assessment = self.get_object()
        code = request.query_params.get("indicator", "")
        line = next((ln for ln in assessment.lines.all() if ln.indicator.code == code), None)
        if line is None:
            raise InvalidInput.field("indicator", _("Unknown indicator %(code)s.") % {"code": code})
        found = selectors.line_evidence(assessment=assessment, indicator=line.indicator)
        rows = [["" if v is None else str(v) for v in row] for row in found.rows]
        return Response(
            EvidenceSerializer({"title": found.title, "columns": found.columns, "rows": rows}).data
        )

    @extend_schema(responses={200: AssessmentSerializer(many=True), 404: ERRORS[404]}, tags=TAGS)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every result computed for this worker in this period, newest first (kept on recompute)."""
        assessment = self.get_object()
        rows = selectors.assessment_history(user=request.user, assessment=assessment)
        return Response(AssessmentSerializer(rows, many=True).data)


# --- appeals ----------------------------------------------------------------------------------
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


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: AppealSerializer, 404: ERRORS[404]}),
)
class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A worker appeals a published result within the window; an assessor accepts or rejects."""

    serializer_class = AppealSerializer

    def get_queryset(self):
        return selectors.appeal_list(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(request=AppealCreateSerializer, responses={201: AppealSerializer, **ERRORS}, tags=TAGS)
    def create(self, request):
        data = AppealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = selectors.assessment_get(user=request.user, pk=data.validated_data["assessment"])
        appeal = services.appeal_submit(
            actor=request.user, assessment=assessment, reason=data.validated_data["reason"]
        )
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AppealAcceptSerializer, responses={200: AppealSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = AppealAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_accept(actor=request.user, appeal=self.get_object(), **data.validated_data)
        return Response(AppealSerializer(appeal).data)

    @extend_schema(request=AppealRejectSerializer, responses={200: AppealSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = AppealRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_reject(actor=request.user, appeal=self.get_object(), **data.validated_data)
        return Response(AppealSerializer(appeal).data)


# --- the ledger and the star board ------------------------------------------------------------
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


class PaymentPagination(DefaultCursorPagination):
    ordering = "id"


@extend_schema_view(list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("period", int)]))
class PaymentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The bonus ledger (append-only) within the assessor's scope."""

    serializer_class = PaymentSerializer
    pagination_class = PaymentPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BonusPayment.objects.none()
        _require_assessor(self.request.user)
        period = self.request.query_params.get("period")
        if period and not period.isdigit():
            raise InvalidInput.field("period", _("A period id is a number."))
        qs = selectors.payment_list(user=self.request.user)
        return qs.filter(period_id=int(period)) if period else qs

    @extend_schema(responses={200: RunningTotalSerializer, 403: ERRORS[403]}, tags=TAGS)
    @action(detail=False, methods=["get"], url_path="total", pagination_class=None)
    def total(self, request):
        """Everything paid since the start (corrections included)."""
        _require_assessor(request.user)
        return Response(RunningTotalSerializer({"total": selectors.running_total()}).data)


class StarSerializer(serializers.Serializer):
    name = serializers.CharField(source="worker.display_name")
    grid = serializers.CharField(source="grid.name")
    stars = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("period", int, description="a published period (default: the latest)")],
        responses={200: StarSerializer(many=True), 404: ERRORS[404]},
    )
)
class StarBoardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """评星公示: the public star board of a published period (name, grid, stars only)."""

    serializer_class = StarSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        period_id = self.request.query_params.get("period")
        if period_id:
            if not period_id.isdigit():
                raise InvalidInput.field("period", _("A period id is a number."))
            period = selectors.period_get(pk=int(period_id))
        else:
            period = selectors.latest_published()
        if period is None or period.status != "PUBLISHED":
            return Assessment.objects.none()
        return selectors.star_board(period=period)
