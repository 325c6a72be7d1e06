"""REST API under /api/v1/evaluation/: thin viewsets over services and selectors (the
serializers are in evaluation.serializers).

Changes to a published period answer 409 (TransitionNotAllowed from the services).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from evaluation import selectors, services
from evaluation.models import Assessment, BonusPayment
from evaluation.policy import require_assessor
from evaluation.serializers import (
    AppealAcceptSerializer,
    AppealCreateSerializer,
    AppealRejectSerializer,
    AppealSerializer,
    AssessmentDetailSerializer,
    AssessmentSerializer,
    CloseEarlySerializer,
    EvidenceSerializer,
    InspectionSerializer,
    InspectionWriteSerializer,
    PaymentSerializer,
    PeriodDetailSerializer,
    PeriodPatchSerializer,
    PeriodSerializer,
    PeriodWriteSerializer,
    PreviewSerializer,
    RunningTotalSerializer,
    ShareSerializer,
    StarSerializer,
)
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.models import User
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser

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


# --- periods ----------------------------------------------------------------------------------


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
        return selectors.period_list(user=self.request.user)

    def get_object(self):
        return selectors.period_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return PeriodDetailSerializer if self.action == "retrieve" else PeriodSerializer

    def _detail(self, period, code=status.HTTP_200_OK):
        period = selectors.period_get(user=self.request.user, pk=period.pk)
        return Response(PeriodDetailSerializer(period).data, status=code)

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

    @extend_schema(request=CloseEarlySerializer, responses={200: PeriodDetailSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"], url_path="close-early")
    def close_early(self, request, pk=None):
        """Close an open period before its end date, with the reason; it may then be computed as
        final and published (before that, publishing answers 409)."""
        data = CloseEarlySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period = services.period_close_early(
            actor=request.user, period=self.get_object(), reason=data.validated_data["reason"]
        )
        return self._detail(period)

    @extend_schema(responses={200: PreviewSerializer, **ERRORS}, tags=TAGS)
    @action(detail=True, methods=["get"], pagination_class=None)
    def preview(self, request, pk=None):
        """What publishing pays (or paid): totals, by street, grade distribution."""
        period = self.get_object()  # another city's period: 404 before anything else is said
        require_assessor(request.user, period.city)
        preview = selectors.period_preview(user=request.user, period=period)
        return Response(PreviewSerializer(preview).data)

    @extend_schema(responses={200: ShareSerializer(many=True)}, tags=TAGS)
    @action(detail=False, methods=["get"], url_path="excellent-share", pagination_class=None)
    def excellent_share(self, request):
        """The share of 优秀 per published period, oldest first, within the caller's scope."""
        return Response(
            ShareSerializer(selectors.excellent_share_over_periods(user=request.user), many=True).data
        )


# --- inspections ------------------------------------------------------------------------------


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
        require_assessor(request.user)
        period = selectors.period_get(user=request.user, pk=values["period"])
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

        def text(rows):
            return [["" if v is None else str(v) for v in row] for row in rows]

        return Response(
            EvidenceSerializer(
                {
                    "title": found.title,
                    "columns": found.columns,
                    "rows": text(found.rows),
                    "total": found.total,
                    "counted_title": found.counted_title,
                    "counted_rows": text(found.counted_rows),
                    "counted_total": found.counted_total,
                }
            ).data
        )

    @extend_schema(responses={200: AssessmentSerializer(many=True), 404: ERRORS[404]}, tags=TAGS)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every result computed for this worker in this period, newest first (kept on recompute)."""
        assessment = self.get_object()
        rows = selectors.assessment_history(user=request.user, assessment=assessment)
        return Response(AssessmentSerializer(rows, many=True).data)


# --- appeals ----------------------------------------------------------------------------------


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
        require_assessor(self.request.user)
        period = self.request.query_params.get("period")
        if period and not period.isdigit():
            raise InvalidInput.field("period", _("A period id is a number."))
        qs = selectors.payment_list(user=self.request.user)
        return qs.filter(period_id=int(period)) if period else qs

    @extend_schema(responses={200: RunningTotalSerializer, 403: ERRORS[403]}, tags=TAGS)
    @action(detail=False, methods=["get"], url_path="total", pagination_class=None)
    def total(self, request):
        """Everything paid since the start (corrections included)."""
        require_assessor(request.user)
        return Response(RunningTotalSerializer({"total": selectors.running_total(user=request.user)}).data)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("period", int, description="a published period (default: the latest)"),
            OpenApiParameter("city", int, description="the latest published period of this city"),
        ],
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
            period = selectors.period_get(user=None, pk=int(period_id))
        else:
            city = self.request.query_params.get("city")
            if city and not city.isdigit():
                raise InvalidInput.field("city", _("A city id is a number."))
            period = selectors.latest_published(user=None, city=int(city) if city else None)
        if period is None or period.status != "PUBLISHED":
            return Assessment.objects.none()
        return selectors.star_board(period=period)
