"""The supervision API under /api/v1/supervision/: thin serializers and viewsets over
supervision.selectors and supervision.services. Every list is scoped; an object outside the
caller's scope answers 404. portal/urls.py registers the routes with `register_routes`."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from deliberation import selectors as deliberation_selectors
from grids.models import Department
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput
from hlgrid.lights import Light
from hlgrid.pagination import DefaultCursorPagination
from petitions import selectors as petition_selectors
from supervision import selectors, services
from supervision.models import CaseKind, ExcuseReason, OrderStatus, Outcome

TAGS = ["supervision"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


def choices_text(choices, **kwargs) -> serializers.CharField:
    return serializers.CharField(help_text=" | ".join(choices.values), **kwargs)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class SupervisionOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    whistle = serializers.IntegerField(source="whistle_id", allow_null=True)
    resolution = serializers.IntegerField(source="resolution_id", allow_null=True)
    node = serializers.IntegerField(source="node_id")
    title = serializers.CharField()
    instruction = serializers.CharField()
    handler = serializers.IntegerField(source="handler_id", allow_null=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    issued_by = serializers.IntegerField(source="issued_by_id", allow_null=True)
    issued_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    light = serializers.CharField(source="light_now", help_text=" | ".join(Light.values))
    status = serializers.CharField(help_text=" | ".join(OrderStatus.values))
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    replied_late = serializers.BooleanField(allow_null=True)
    returns = serializers.IntegerField()
    closed_at = serializers.DateTimeField(allow_null=True)


class SupervisionIssueSerializer(NoUnknownFields, serializers.Serializer):
    petition = serializers.IntegerField(required=False, min_value=1)
    whistle = serializers.IntegerField(required=False, min_value=1)
    resolution = serializers.IntegerField(required=False, min_value=1)
    department = serializers.IntegerField(required=False, min_value=1)
    title = serializers.CharField(required=False, allow_blank=True, max_length=120)
    instruction = serializers.CharField(max_length=4000)
    working_days = serializers.IntegerField(min_value=1, max_value=30)


class SupervisionReplySerializer(NoUnknownFields, serializers.Serializer):
    reply = serializers.CharField(max_length=4000, allow_blank=True)


class SupervisionSendBackSerializer(NoUnknownFields, serializers.Serializer):
    note = serializers.CharField(max_length=4000, allow_blank=True)
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=30)


class SupervisionCloseSerializer(NoUnknownFields, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


def _order_answer(user, pk) -> dict:
    order = selectors.annotate_light(selectors.orders_visible(user), timezone.now()).get(pk=pk)
    return SupervisionOrderSerializer(order).data


def _subject(user, v: dict) -> dict:
    getters = {
        "petition": petition_selectors.petition_get,
        "whistle": petition_selectors.whistle_get,
        "resolution": deliberation_selectors.resolution_get,
    }
    named = [key for key in getters if v.get(key)]
    if len(named) != 1:
        raise InvalidInput.field("subject", _("Name one petition, whistle or resolution."))
    key = named[0]
    try:
        return {key: getters[key](user=user, pk=v[key])}
    except Http404:
        raise InvalidInput.field(key, _("Unknown %(what)s.") % {"what": key}) from None


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("light", str, enum=list(Light.values)),
            OpenApiParameter("status", str, enum=list(OrderStatus.values)),
            OpenApiParameter("mine", str, enum=["handle", "issued"]),
        ],
    ),
    retrieve=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request=SupervisionIssueSerializer,
        responses={201: SupervisionOrderSerializer, **WRITE_ERRORS},
    ),
)
class SupervisionOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """督办 orders in the caller's scope (and those it must answer), red first."""

    serializer_class = SupervisionOrderSerializer
    pagination_class = DefaultCursorPagination
    ordering = ("light_rank", "due_at", "id")

    def get_queryset(self):
        params = self.request.query_params
        filters = {k: params.get(k, "") for k in selectors.ORDER_FILTERS}
        if filters["light"] and filters["light"] not in Light.values:
            raise InvalidInput.field("light", _("Unknown light."))
        if filters["status"] and filters["status"] not in OrderStatus.values:
            raise InvalidInput.field("status", _("Unknown status."))
        return selectors.order_list(user=self.request.user, now=timezone.now(), filters=filters).order_by(
            "-id"
        )

    def get_object(self):
        return selectors.order_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        self.get_object()
        return Response(_order_answer(request.user, pk))

    def create(self, request):
        v = _valid(SupervisionIssueSerializer, request)
        department = None
        if v.get("department"):
            department = Department.objects.filter(pk=v["department"]).first()
            if department is None:
                raise InvalidInput.field("department", _("Unknown department."))
        order = services.order_issue(
            actor=request.user,
            instruction=v["instruction"],
            working_days=v["working_days"],
            title=v.get("title", ""),
            department=department,
            **_subject(request.user, v),
        )
        return Response(_order_answer(request.user, order.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=SupervisionReplySerializer,
        responses={200: SupervisionOrderSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The handler's written reply (required; anyone else: 403)."""
        order = self.get_object()
        v = _valid(SupervisionReplySerializer, request)
        services.order_reply(actor=request.user, order=order, reply=v["reply"])
        return Response(_order_answer(request.user, order.pk))

    @extend_schema(
        tags=TAGS,
        request=SupervisionSendBackSerializer,
        responses={200: SupervisionOrderSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """The issuer sends the reply back (saying why), optionally with a new deadline."""
        order = self.get_object()
        v = _valid(SupervisionSendBackSerializer, request)
        services.order_send_back(
            actor=request.user, order=order, note=v["note"], working_days=v.get("working_days")
        )
        return Response(_order_answer(request.user, order.pk))

    @extend_schema(
        tags=TAGS,
        request=SupervisionCloseSerializer,
        responses={200: SupervisionOrderSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The issuer accepts the reply and closes the order (anyone else: 403)."""
        order = self.get_object()
        v = _valid(SupervisionCloseSerializer, request)
        services.order_close(actor=request.user, order=order, note=v.get("note", ""))
        return Response(_order_answer(request.user, order.pk))


class AccountabilityCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text=" | ".join(CaseKind.values))
    overdue = serializers.IntegerField(source="overdue_id", allow_null=True)
    checkin = serializers.IntegerField(source="checkin_id", allow_null=True)
    node = serializers.IntegerField(source="node_id")
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    user = serializers.IntegerField(source="user_id", allow_null=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    due_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField()
    outcome = serializers.CharField(help_text=" | ".join(Outcome.values))
    reason = serializers.CharField(help_text=" | ".join(ExcuseReason.values))
    note = serializers.CharField()
    counted = serializers.BooleanField()
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class CaseReviewSerializer(NoUnknownFields, serializers.Serializer):
    outcome = choices_text(Outcome)
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=" | ".join(ExcuseReason.values)
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseBulkReviewSerializer(CaseReviewSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class CaseBulkAnswerSerializer(serializers.Serializer):
    reviewed = AccountabilityCaseSerializer(many=True)


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("outcome", str, enum=list(Outcome.values)),
            OpenApiParameter("kind", str, enum=list(CaseKind.values)),
            OpenApiParameter("reason", str, enum=list(ExcuseReason.values)),
            OpenApiParameter("charged", str, enum=["worker", "department"]),
            OpenApiParameter("department", int),
            OpenApiParameter("user", int),
        ],
    ),
    retrieve=extend_schema(tags=TAGS),
)
class AccountabilityCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """追责 cases in the caller's scope (department staff: their department's), newest first."""

    serializer_class = AccountabilityCaseSerializer
    pagination_class = DefaultCursorPagination
    ordering = ("-id",)

    def get_queryset(self):
        params = self.request.query_params
        filters = {
            k: params.get(k, "") for k in ("outcome", "kind", "reason", "charged", "department", "user")
        }
        for key, allowed in (
            ("outcome", Outcome.values),
            ("kind", CaseKind.values),
            ("reason", ExcuseReason.values),
        ):
            if filters[key] and filters[key] not in allowed:
                raise InvalidInput.field(key, _("Unknown value."))
        for key in ("department", "user"):
            if filters[key] and not filters[key].isdigit():
                raise InvalidInput.field(key, _("Unknown value."))
        return selectors.case_list(user=self.request.user, filters=filters).order_by("-id")

    def get_object(self):
        case = selectors.cases_visible(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if case is None:
            raise Http404
        return case

    @extend_schema(
        tags=TAGS, request=CaseReviewSerializer, responses={200: AccountabilityCaseSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A head over the case's node: excused (with a reason), warned or penalised."""
        case = self.get_object()
        v = _valid(CaseReviewSerializer, request)
        case = services.case_review(
            actor=request.user,
            case=case,
            outcome=v["outcome"],
            reason=v.get("reason", ""),
            note=v.get("note", ""),
        )
        return Response(AccountabilityCaseSerializer(case).data)

    @extend_schema(
        tags=TAGS,
        operation_id="supervision_cases_bulk_review",
        request=CaseBulkReviewSerializer,
        responses={200: CaseBulkAnswerSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="review", url_name="bulk-review")
    def bulk_review(self, request):
        """Several pending cases reviewed alike, all or nothing (one foreign id: 404)."""
        v = _valid(CaseBulkReviewSerializer, request)
        cases = services.cases_review(
            actor=request.user,
            ids=v["ids"],
            outcome=v["outcome"],
            reason=v.get("reason", ""),
            note=v.get("note", ""),
        )
        return Response({"reviewed": AccountabilityCaseSerializer(cases, many=True).data})


ROUTES = [
    ("supervision/orders", SupervisionOrderViewSet, "supervision-order"),
    ("supervision/cases", AccountabilityCaseViewSet, "supervision-case"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
