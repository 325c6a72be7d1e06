"""The property API: /api/v1/compounds/, /api/v1/property-firms/, /api/v1/renovations/ and
/api/v1/property-star-boards/. Thin serializers and viewsets over property.selectors and
property.services; every list is scoped, an object outside the caller's scope answers 404.
portal/urls.py registers the routes with `register_routes`. Money is sent and answered as
decimal strings ("1234.50"), never floats.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from grids.models import GridNode
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput
from hlgrid.ids import MAX_ID, in_range
from hlgrid.pagination import DefaultCursorPagination
from property import selectors, services
from property.models import (
    BoardStatus,
    CompoundKind,
    FundingSource,
    PartyForm,
    ProjectStatus,
    PropertyFirm,
    ScopeItem,
    Service,
)
from residents.models import Building

TAGS = ["property"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


def choices_text(choices, **kwargs) -> serializers.CharField:
    """A plain string documented with its values; the services validate it (400 with the field)."""
    kwargs.setdefault("help_text", " | ".join(choices.values))
    return serializers.CharField(**kwargs)


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)


def _node(user, pk, field: str) -> GridNode:
    node = access.scope_queryset(user, GridNode.objects.filter(pk=pk), node_path="").first()
    if node is None:
        raise InvalidInput.field(field, _("Unknown node, or outside your scope."))
    return node


def _node_param(request) -> GridNode | None:
    value = request.query_params.get("node")
    if not value:
        return None
    if not value.isdigit() or not in_range(int(value)):
        raise InvalidInput.field("node", _("Unknown node, or outside your scope."))
    return _node(request.user, int(value), "node")


NODE_PARAMETER = OpenApiParameter("node", int, description="only under this grid node")


# --- compounds --------------------------------------------------------------------------------


class CompoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    community = serializers.IntegerField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    kind = choices_text(CompoundKind)
    year_built = serializers.IntegerField(allow_null=True)
    address = serializers.CharField()
    service = choices_text(Service)
    firm = serializers.IntegerField(source="firm_id", allow_null=True)
    firm_name = serializers.CharField(source="firm.name", default="", allow_null=True)
    buildings = serializers.IntegerField(source="building_count")
    renovations = serializers.IntegerField(source="renovation_count")


class CompoundDetailSerializer(CompoundSerializer):
    grids = serializers.SerializerMethodField()
    building_ids = serializers.SerializerMethodField()

    def get_grids(self, obj) -> list[int]:
        return list(selectors.compound_grids(compound=obj).values_list("pk", flat=True))

    def get_building_ids(self, obj) -> list[int]:
        return list(selectors.compound_buildings(compound=obj).values_list("pk", flat=True))


class CompoundInputSerializer(NoUnknownFields, serializers.Serializer):
    community = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=100)
    kind = choices_text(CompoundKind)
    service = choices_text(Service)
    firm = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    year_built = serializers.IntegerField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    buildings = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=500
    )


class SampleInputSerializer(NoUnknownFields, serializers.Serializer):
    score = serializers.IntegerField()
    sampled_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class SampleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    firm = serializers.IntegerField(source="firm_id")
    compound = serializers.IntegerField(source="compound_id")
    score = serializers.IntegerField()
    sampled_on = serializers.DateField()


def _compound_detail(user, pk, code=status.HTTP_200_OK) -> Response:
    row = selectors.compound_list_page(user=user).get(pk=pk)
    return Response(CompoundDetailSerializer(row).data, status=code)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE_PARAMETER]),
    retrieve=extend_schema(tags=TAGS, responses={200: CompoundDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS, request=CompoundInputSerializer, responses={201: CompoundDetailSerializer, **WRITE_ERRORS}
    ),
)
class CompoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Compounds (小区) the caller sees: over its community, or with a building in the caller's grid."""

    serializer_class = CompoundSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.compound_list_page(user=self.request.user, node=_node_param(self.request)).order_by(
            "id"
        )

    def retrieve(self, request, pk=None):
        found = selectors.compound_get(user=request.user, pk=pk)
        return _compound_detail(request.user, found.pk)

    def create(self, request):
        data = CompoundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        firm = PropertyFirm.objects.filter(pk=v["firm"]).first() if v.get("firm") else None
        if v.get("firm") and firm is None:
            raise InvalidInput.field("firm", _("Unknown firm, or outside your scope."))
        buildings = []
        if v.get("buildings"):
            found = {
                b.pk: b
                for b in access.scope_queryset(
                    request.user, Building.objects.filter(pk__in=v["buildings"]), node_path="grid"
                )
            }
            if len(found) != len(set(v["buildings"])):
                raise InvalidInput.field("buildings", _("Unknown building, or outside your scope."))
            buildings = list(found.values())
        compound = services.compound_create(
            actor=request.user,
            community=_node(request.user, v["community"], "community"),
            name=v["name"],
            kind=v["kind"],
            service=v["service"],
            firm=firm,
            year_built=v.get("year_built"),
            address=v["address"],
            buildings=buildings,
        )
        return _compound_detail(request.user, compound.pk, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS, request=SampleInputSerializer, responses={201: SampleSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def samples(self, request, pk=None):
        """Record a resident's score (1–5) of the compound's property firm."""
        found = selectors.compound_get(user=request.user, pk=pk)
        data = SampleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sample = services.sample_record(actor=request.user, compound=found, **data.validated_data)
        return Response(SampleSerializer(sample).data, status=status.HTTP_201_CREATED)


# --- firms ------------------------------------------------------------------------------------


class FirmSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    street = serializers.IntegerField(source="street_id")
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField(source="contact_phone_hint", help_text="masked")
    red_heart = serializers.BooleanField(help_text="in the 红心物业 system")
    party_joined_on = serializers.DateField(allow_null=True)
    party_form = choices_text(PartyForm, help_text="BRANCH | INSTRUCTOR, empty if not joined")
    party_instructor = serializers.CharField()
    in_joint_committee = serializers.BooleanField()
    is_active = serializers.BooleanField()
    compounds = serializers.IntegerField(source="compound_count")
    latest_stars = serializers.IntegerField(allow_null=True)


class RatingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    published = serializers.BooleanField(source="board.published")
    samples = serializers.IntegerField()
    sample_average = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    petitions = serializers.IntegerField()
    petitions_on_time = serializers.IntegerField()
    petitions_resolved = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    inspections = serializers.IntegerField()
    inspection_average = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    stars = serializers.IntegerField(allow_null=True)


class FirmDetailSerializer(FirmSerializer):
    ratings = serializers.SerializerMethodField()

    def get_ratings(self, obj) -> list[dict]:
        user = self.context["request"].user
        rows = selectors.firm_ratings(firm=obj).filter(board__in=selectors.board_list(user=user))[:8]
        return RatingSerializer(rows, many=True).data


class FirmInputSerializer(NoUnknownFields, serializers.Serializer):
    street = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=18)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    party_joined_on = serializers.DateField(required=False, allow_null=True)
    party_form = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="BRANCH | INSTRUCTOR"
    )
    party_instructor = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    in_joint_committee = serializers.BooleanField(required=False, default=False)


def _firm_detail(request, pk, code=status.HTTP_200_OK) -> Response:
    row = selectors.firm_list_page(user=request.user).get(pk=pk)
    return Response(FirmDetailSerializer(row, context={"request": request}).data, status=code)


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE_PARAMETER]),
    retrieve=extend_schema(tags=TAGS, responses={200: FirmDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS, request=FirmInputSerializer, responses={201: FirmDetailSerializer, **WRITE_ERRORS}
    ),
)
class PropertyFirmViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Property firms (物业服务企业) the caller sees, with the 红心物业 status and the latest stars."""

    serializer_class = FirmSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.firm_list_page(user=self.request.user, node=_node_param(self.request)).order_by("id")

    def retrieve(self, request, pk=None):
        found = selectors.firm_get(user=request.user, pk=pk)
        return _firm_detail(request, found.pk)

    def create(self, request):
        data = FirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        street = _node(request.user, v.pop("street"), "street")
        firm = services.firm_create(actor=request.user, street=street, **v)
        return _firm_detail(request, firm.pk, status.HTTP_201_CREATED)


# --- star boards ------------------------------------------------------------------------------


class BoardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    street = serializers.IntegerField(source="street_id")
    street_name = serializers.CharField(source="street.name")
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    status = choices_text(BoardStatus)
    computed_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class BoardRowSerializer(serializers.Serializer):
    firm = serializers.IntegerField(source="firm_id")
    firm_name = serializers.CharField(source="firm.name")
    stars = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class BoardDetailSerializer(BoardSerializer):
    rows = serializers.SerializerMethodField()

    def get_rows(self, obj) -> list[dict]:
        return BoardRowSerializer(selectors.board_rows(board=obj), many=True).data


class BoardComputeSerializer(NoUnknownFields, serializers.Serializer):
    street = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: BoardDetailSerializer, 404: ErrorSerializer}),
)
class StarBoardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The firms' star boards (评星公示): drafts for the street's leaders, published ones for its staff."""

    serializer_class = BoardSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return selectors.board_list(user=self.request.user).order_by("id")

    def retrieve(self, request, pk=None):
        return Response(BoardDetailSerializer(selectors.board_get(user=request.user, pk=pk)).data)

    @extend_schema(
        tags=TAGS, request=BoardComputeSerializer, responses={200: BoardDetailSerializer, **WRITE_ERRORS}
    )
    @action(detail=False, methods=["post"])
    def compute(self, request):
        """Compute (or recompute) a street's quarter into its draft board."""
        data = BoardComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        board = services.board_compute(
            actor=request.user,
            street=_node(request.user, v["street"], "street"),
            year=v["year"],
            quarter=v["quarter"],
        )
        return Response(BoardDetailSerializer(board).data)

    @extend_schema(tags=TAGS, request=None, responses={200: BoardDetailSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the board (an official of the street); it is final afterwards."""
        board = services.board_publish(
            actor=request.user, board=selectors.board_get(user=request.user, pk=pk)
        )
        return Response(BoardDetailSerializer(board).data)


# --- renovations ------------------------------------------------------------------------------


class RenovationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    compound = serializers.IntegerField(source="compound_id")
    compound_name = serializers.CharField(source="compound.name")
    name = serializers.CharField()
    year = serializers.IntegerField()
    scope = serializers.ListField(child=serializers.CharField(), help_text=" | ".join(ScopeItem.values))
    status = choices_text(ProjectStatus)
    started_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    topic = serializers.IntegerField(source="topic_id", allow_null=True)
    budget_total = money()
    spent_total = money()


class BudgetLineSerializer(serializers.Serializer):
    source = choices_text(FundingSource)
    amount = money()


class SpendingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    spent_on = serializers.DateField()
    amount = money()
    what = serializers.CharField()
    over_budget_reason = serializers.CharField()


class RenovationDetailSerializer(RenovationSerializer):
    budget = BudgetLineSerializer(source="budget_lines", many=True)
    spending = SpendingSerializer(many=True)
    satisfaction_rate = serializers.SerializerMethodField()

    def get_satisfaction_rate(self, obj) -> str | None:
        rate = selectors.survey_figures(project=obj)["rate"]
        return None if rate is None else str(rate)


class RenovationInputSerializer(NoUnknownFields, serializers.Serializer):
    compound = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    name = serializers.CharField(max_length=120)
    year = serializers.IntegerField()
    scope = serializers.ListField(
        child=serializers.CharField(), max_length=20, help_text=" | ".join(ScopeItem.values)
    )
    started_on = serializers.DateField(required=False, allow_null=True)
    topic = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)


class BudgetInputSerializer(NoUnknownFields, serializers.Serializer):
    source = choices_text(FundingSource)
    amount = serializers.CharField(max_length=20, help_text='yuan as a decimal string, e.g. "1234.50"')


class SpendingInputSerializer(NoUnknownFields, serializers.Serializer):
    spent_on = serializers.DateField()
    amount = serializers.CharField(max_length=20, help_text='yuan as a decimal string, e.g. "1234.50"')
    what = serializers.CharField(max_length=200)
    over_budget_reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[NODE_PARAMETER]),
    retrieve=extend_schema(tags=TAGS, responses={200: RenovationDetailSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=RenovationInputSerializer,
        responses={201: RenovationDetailSerializer, **WRITE_ERRORS},
    ),
)
class RenovationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Old-compound renovation projects (老旧小区改造) with their budget and spending totals."""

    serializer_class = RenovationSerializer
    pagination_class = DefaultCursorPagination
    ordering = "id"

    def get_queryset(self):
        return (
            selectors.renovation_list_page(user=self.request.user, node=_node_param(self.request))
            .select_related("compound")
            .order_by("id")
        )

    def _detail(self, pk, code=status.HTTP_200_OK) -> Response:
        project = selectors.renovation_get(user=self.request.user, pk=pk)
        return Response(RenovationDetailSerializer(project).data, status=code)

    def retrieve(self, request, pk=None):
        return self._detail(pk)

    def create(self, request):
        data = RenovationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        compound = selectors.compound_list(user=request.user).filter(pk=v.pop("compound")).first()
        if compound is None:
            raise InvalidInput.field("compound", _("Unknown compound, or outside your scope."))
        project = services.renovation_create(actor=request.user, compound=compound, **v)
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS, request=BudgetInputSerializer, responses={200: RenovationDetailSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def budget(self, request, pk=None):
        """Set the amount one funding source gives (0.00 removes it)."""
        project = selectors.renovation_get(user=request.user, pk=pk)
        data = BudgetInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.budget_line_set(actor=request.user, project=project, **data.validated_data)
        return self._detail(project.pk)

    @extend_schema(
        tags=TAGS,
        request=SpendingInputSerializer,
        responses={201: RenovationDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def spending(self, request, pk=None):
        """Record spending; over the budget it needs `over_budget_reason`."""
        project = selectors.renovation_get(user=request.user, pk=pk)
        data = SpendingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.spending_record(actor=request.user, project=project, **data.validated_data)
        return self._detail(project.pk, status.HTTP_201_CREATED)


ROUTES = [
    ("compounds", CompoundViewSet, "compound"),
    ("property-firms", PropertyFirmViewSet, "property-firm"),
    ("property-star-boards", StarBoardViewSet, "property-star-board"),
    ("renovations", RenovationViewSet, "renovation"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
