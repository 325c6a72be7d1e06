"""The mediation API under /api/v1/mediation/: thin serializers and viewsets over
mediation.selectors and mediation.services. Every list is scoped; a case outside the caller's
scope answers 404, the answer a missing id gets, before its body is even read.
portal/urls.py registers the routes with `register_routes`.

A petition is turned into a case on the petition's page (portal.mediation_links), where the
petition can be read; this API registers cases found on a visit, by a hotline call or a walk-in.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from mediation import selectors, services
from mediation.models import (
    Kind,
    MediatorKind,
    MonthlyReport,
    Notice,
    PartyRole,
    ReferredTo,
    ReportStatus,
    Risk,
    Source,
    Status,
)
from mediation.services.common import CASE_POST_KINDS
from residents.models import Resident

TAGS = ["mediation"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


def choices_text(choices, **kwargs) -> serializers.CharField:
    """A plain string documented with its values (enum components of one name would collide
    across apps); the services validate the values and answer 400 with the field."""
    kwargs.setdefault("help_text", " | ".join(choices.values))
    return serializers.CharField(**kwargs)


# --- reading ---------------------------------------------------------------------------------


class MediationPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = choices_text(PartyRole)
    resident = serializers.IntegerField(source="resident_id", allow_null=True)
    name = serializers.CharField(source="name_masked", help_text="masked; POST .../reveal/ to see it")
    phone = serializers.CharField(source="phone_masked", help_text="masked")


class MediationCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    status = choices_text(Status)
    kind = choices_text(Kind)
    source = choices_text(Source)
    description = serializers.CharField()
    visit = serializers.IntegerField(source="visit_id", allow_null=True)
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    risk = choices_text(Risk, help_text="LOW | MEDIUM | HIGH, empty before grading")
    risk_reasons = serializers.CharField()
    light = serializers.CharField(source="current_light", help_text="GREEN | YELLOW | RED")
    due_at = serializers.DateTimeField(allow_null=True)
    registered_at = serializers.DateTimeField()
    graded_at = serializers.DateTimeField(allow_null=True)
    referred_to = choices_text(ReferredTo, help_text="JUDICIAL | POLICE | COURT, empty unless referred")
    referral_reason = serializers.CharField()
    concluded_at = serializers.DateTimeField(allow_null=True)
    parties = MediationPartySerializer(many=True)


class MediationEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()


class MediatorSerializer(serializers.Serializer):
    kind = choices_text(MediatorKind)
    name = serializers.CharField(max_length=64)


class MediationSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_at = serializers.DateTimeField()
    place = serializers.CharField()
    mediators = MediatorSerializer(many=True)
    summary = serializers.CharField()


class MediationAgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    terms = serializers.CharField()
    signatures = serializers.CharField()
    signed_on = serializers.DateField()
    follow_up_days = serializers.IntegerField()
    follow_up_from = serializers.DateField()
    follow_up_due = serializers.DateField()


class MediationFollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agreement = serializers.IntegerField(source="agreement_id")
    held_at = serializers.DateTimeField()
    holds = serializers.BooleanField()
    on_time = serializers.BooleanField()
    notes = serializers.CharField()


class MediationCaseDetailSerializer(MediationCaseSerializer):
    events = MediationEventSerializer(many=True)
    sessions = MediationSessionSerializer(many=True)
    agreements = MediationAgreementSerializer(many=True)
    follow_ups = MediationFollowUpSerializer(many=True)


# --- writing ---------------------------------------------------------------------------------


class MediationPartyInputSerializer(NoUnknownFields, serializers.Serializer):
    role = choices_text(PartyRole)
    resident = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")


class MediationRegisterSerializer(NoUnknownFields, serializers.Serializer):
    source = serializers.CharField(help_text="VISIT | HOTLINE | WALK_IN (a petition: from its page)")
    kind = choices_text(Kind)
    description = serializers.CharField(max_length=4000)
    grid = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="not for a visit")
    visit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    parties = MediationPartyInputSerializer(many=True, max_length=20)


class MediationGradeSerializer(NoUnknownFields, serializers.Serializer):
    risk = choices_text(Risk)
    reasons = serializers.CharField(max_length=2000)


class MediationSessionInputSerializer(NoUnknownFields, serializers.Serializer):
    mediators = MediatorSerializer(many=True, max_length=10)
    summary = serializers.CharField(max_length=4000)
    place = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    held_at = serializers.DateTimeField(required=False)


class MediationAgreementInputSerializer(NoUnknownFields, serializers.Serializer):
    terms = serializers.CharField(max_length=4000)
    signatures = serializers.CharField(max_length=300)
    signed_on = serializers.DateField(required=False)
    follow_up_days = serializers.IntegerField(required=False, min_value=1, max_value=365, default=30)


class MediationReferSerializer(NoUnknownFields, serializers.Serializer):
    to = choices_text(ReferredTo)
    reason = serializers.CharField(max_length=2000)


class MediationFollowUpInputSerializer(NoUnknownFields, serializers.Serializer):
    holds = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    held_at = serializers.DateTimeField(required=False)


class MediationRevealSerializer(NoUnknownFields, serializers.Serializer):
    party = serializers.IntegerField(min_value=1)


class MediationRevealedSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


def _resident(user, pk) -> Resident:
    resident = (
        access.scope_queryset(
            user,
            Resident.objects.select_related("household__grid"),
            node_path="household__grid",
            post_kinds=CASE_POST_KINDS,
        )
        .filter(pk=pk)
        .first()
    )
    if resident is None:
        raise InvalidInput.field("parties", _("Unknown resident, or outside your scope."))
    return resident


def _grid(user, pk) -> GridNode:
    grid = selectors.grid_list(user=user).filter(pk=pk).first()
    if grid is None:
        raise InvalidInput.field("grid", _("Unknown grid, or outside your scope."))
    return grid


LIST_PARAMETERS = [
    OpenApiParameter("status", str, description=" | ".join(Status.values)),
    OpenApiParameter("risk", str, description=" | ".join(Risk.values)),
    OpenApiParameter("kind", str, description=" | ".join(Kind.values)),
]


def _choice_param(request, name: str, choices) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices.values:
        raise InvalidInput.field(name, _("Unknown value."))
    return value


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=LIST_PARAMETERS),
    retrieve=extend_schema(tags=TAGS, responses={200: MediationCaseDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=MediationRegisterSerializer,
        responses={201: MediationCaseDetailSerializer, **WRITE_ERRORS},
    ),
)
class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Disputes (矛盾纠纷) in the caller's grids, newest first."""

    serializer_class = MediationCaseSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        request = self.request
        return (
            selectors.case_list(
                user=request.user,
                status=_choice_param(request, "status", Status),
                risk=_choice_param(request, "risk", Risk),
                kind=_choice_param(request, "kind", Kind),
            )
            .prefetch_related("parties__resident")
            .order_by("-id")
        )

    def get_object(self):
        return selectors.case_get(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, case, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.case_get(user=self.request.user, pk=case.pk)
        return Response(MediationCaseDetailSerializer(fresh).data, status=code)

    def retrieve(self, request, pk=None):
        return Response(MediationCaseDetailSerializer(self.get_object()).data)

    def create(self, request):
        data = MediationRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        source = v["source"]
        if source == Source.PETITION:
            raise InvalidInput.field(
                "source", _("A petition is turned into a case from the petition's page.")
            )
        visit = None
        if v.get("visit"):
            visit = selectors.visits_for(user=request.user).filter(pk=v["visit"]).first()
            if visit is None:
                raise InvalidInput.field("visit", _("Unknown visit, or outside your scope."))
        grid = _grid(request.user, v["grid"]) if v.get("grid") else None
        parties = [
            services.PartyInput(
                role=p["role"],
                resident=_resident(request.user, p["resident"]) if p.get("resident") else None,
                name=p.get("name", ""),
                phone=p.get("phone", ""),
            )
            for p in v["parties"]
        ]
        case = services.case_register(
            actor=request.user,
            source=source,
            kind=v["kind"],
            description=v["description"],
            grid=grid,
            visit=visit,
            parties=parties,
        )
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=MediationGradeSerializer,
        responses={200: MediationCaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        """Grade the risk (研判) with reasons; high risk tells the community and the street at once."""
        case = self.get_object()
        data = MediationGradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_grade(actor=request.user, case=case, **data.validated_data)
        return self._detail(case)

    @extend_schema(
        tags=TAGS,
        request=MediationSessionInputSerializer,
        responses={201: MediationCaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        """Record a mediation session."""
        case = self.get_object()
        data = MediationSessionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.session_record(actor=request.user, case=case, **data.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=MediationAgreementInputSerializer,
        responses={201: MediationCaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        """Record the agreement (调解协议): terms, signatures, when to follow up."""
        case = self.get_object()
        data = MediationAgreementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.agreement_record(actor=request.user, case=case, **data.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=MediationReferSerializer,
        responses={200: MediationCaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer the case on (司法所, 派出所, 法院 诉调对接) with the reason."""
        case = self.get_object()
        data = MediationReferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_refer(actor=request.user, case=case, **data.validated_data)
        return self._detail(case)

    @extend_schema(
        tags=TAGS,
        request=MediationFollowUpInputSerializer,
        responses={201: MediationCaseDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """The follow-up (回访): closes the case if the agreement holds, resumes mediation if not."""
        case = self.get_object()
        data = MediationFollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.follow_up_record(actor=request.user, case=case, **data.validated_data)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=MediationRevealSerializer,
        responses={200: MediationRevealedSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """A party's unmasked name and phone; every reveal is written to the access log."""
        case = self.get_object()
        data = MediationRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = case.parties.filter(pk=data.validated_data["party"]).select_related(
            "resident__household__grid"
        )
        party = party.first()
        if party is None:
            raise InvalidInput.field("party", _("Not a party to this case."))
        party.case = case
        return Response(services.party_reveal(actor=request.user, party=party, request=request))


# --- the monthly 排查 ------------------------------------------------------------------------


class MediationReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    grid = serializers.IntegerField(source="grid_id")
    month = serializers.DateField(help_text="the first day of the month")
    status = choices_text(ReportStatus, read_only=True)
    cases_found = serializers.IntegerField(read_only=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reported_at = serializers.DateTimeField(read_only=True, allow_null=True)
    on_time = serializers.BooleanField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)


class MediationReportInputSerializer(NoUnknownFields, serializers.Serializer):
    grid = serializers.IntegerField(min_value=1)
    month = serializers.DateField(help_text="any day of the month reported (this month or the one before)")
    zero = serializers.BooleanField(help_text="true: a zero report (零报告), no dispute found")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request=MediationReportInputSerializer,
        responses={201: MediationReportSerializer, **WRITE_ERRORS},
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The grids' monthly dispute reports (排查) in the caller's scope, newest month first."""

    serializer_class = MediationReportSerializer
    pagination_class = DefaultCursorPagination
    queryset = MonthlyReport.objects.none()

    def get_queryset(self):
        return selectors.report_list(user=self.request.user).order_by("-id")

    def create(self, request):
        data = MediationReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        grid = _grid(request.user, v["grid"])
        if grid.kind != NodeKind.GRID:  # defensive: grid_list holds grids only
            raise InvalidInput.field("grid", _("Each grid reports its own month."))
        report = services.report_submit(
            actor=request.user, grid=grid, month=v["month"], zero=v["zero"], note=v.get("note", "")
        )
        return Response(MediationReportSerializer(report).data, status=status.HTTP_201_CREATED)


# --- the inbox -------------------------------------------------------------------------------


class MediationNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    grid = serializers.IntegerField(source="grid_id")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MediationMarkReadSerializer(NoUnknownFields, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="all when left out",
    )


class MediationMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema_view(list=extend_schema(tags=TAGS))
class NoticeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own mediation notices (high risk, overdue steps, missed reports)."""

    serializer_class = MediationNoticeSerializer
    pagination_class = DefaultCursorPagination
    queryset = Notice.objects.none()

    def get_queryset(self):
        return selectors.notice_list(user=self.request.user).order_by("-id")

    @extend_schema(
        tags=TAGS,
        request=MediationMarkReadSerializer,
        responses={200: MediationMarkedSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark the caller's notices read."""
        data = MediationMarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notice_mark_read(actor=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked})


ROUTES = [
    ("mediation/cases", CaseViewSet, "mediation-case"),
    ("mediation/reports", ReportViewSet, "mediation-report"),
    ("mediation/notices", NoticeViewSet, "mediation-notice"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
