"""REST API of departments under the same light, under /api/v1/evaluation/:

- department-league: the league of a node and period, and the petitions behind a figure;
- department-ratings: the streets' quarterly ratings (read in scope; a street's heads and
  officials give or change one with POST);
- department-boards: the published department assessments (public, like the star board),
  publishing one (assessors) and the city's weights (configuration rights).

Thin: evaluation.departments (reads) and evaluation.services (writes) do the work.
"""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from evaluation import departments, services
from evaluation.models import (
    DepartmentAssessment,
    DepartmentBoard,
    DepartmentRating,
    DepartmentWeights,
    Period,
)
from grids.models import Department, GridNode
from hlgrid.api import ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.pagination import DefaultCursorPagination

TAGS = ["evaluation"]
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed to do this"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside your scope"),
    409: OpenApiResponse(ErrorSerializer, description="The quarter's department assessment is published"),
}
NODE = OpenApiParameter("node", int, required=True, description="a grid node the caller covers")
PERIOD = OpenApiParameter("period", int, required=True, description="an assessment period that has started")


# --- serializers ---------------------------------------------------------------------------------


class DepartmentLeagueRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id")
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    returned = serializers.IntegerField()
    return_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    resolved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rework = serializers.IntegerField()
    rework_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    overdue = serializers.IntegerField()
    checkins = serializers.IntegerField()
    checkins_on_time = serializers.IntegerField()
    checkin_rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2)


class DepartmentDrillPetitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    grid = serializers.CharField(source="grid.name")
    received_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


class DepartmentRatingSerializer(serializers.ModelSerializer):
    street_name = serializers.CharField(source="street.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    rated_by_name = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentRating
        fields = [
            "id",
            "street",
            "street_name",
            "department",
            "department_name",
            "period",
            "score",
            "comments",
            "rated_by_name",
            "rated_at",
        ]

    def get_rated_by_name(self, rating) -> str:
        return rating.rated_by.display_name if rating.rated_by_id else ""


class DepartmentRatingWriteSerializer(NoUnknownFields, serializers.Serializer):
    street = serializers.IntegerField()
    department = serializers.IntegerField()
    period = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DepartmentBoardRowSerializer(serializers.ModelSerializer):
    department_code = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")

    class Meta:
        model = DepartmentAssessment
        fields = [
            "rank",
            "department",
            "department_code",
            "department_name",
            "league_score",
            "rating_score",
            "ratings",
            "total",
            "figures",
        ]


class DepartmentBoardSerializer(serializers.ModelSerializer):
    period_name = serializers.CharField(source="period.name")
    city_name = serializers.CharField(source="city.name")

    class Meta:
        model = DepartmentBoard
        fields = [
            "id",
            "period",
            "period_name",
            "city",
            "city_name",
            "league_weight",
            "rating_weight",
            "published_at",
        ]


class DepartmentBoardDetailSerializer(DepartmentBoardSerializer):
    rows = DepartmentBoardRowSerializer(many=True, source="ordered_rows")

    class Meta(DepartmentBoardSerializer.Meta):
        fields = [*DepartmentBoardSerializer.Meta.fields, "rows"]


class DepartmentPublishSerializer(NoUnknownFields, serializers.Serializer):
    period = serializers.IntegerField()
    city = serializers.IntegerField()


class DepartmentWeightsSerializer(NoUnknownFields, serializers.Serializer):
    city = serializers.IntegerField()
    league_weight = serializers.IntegerField(min_value=0, max_value=100)
    rating_weight = serializers.IntegerField(min_value=0, max_value=100)


class DepartmentWeightsOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = DepartmentWeights
        fields = ["city", "league_weight", "rating_weight", "updated_at"]


# --- helpers -----------------------------------------------------------------------------------


def _id(params, name: str, *, required: bool = True) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise InvalidInput.field(name, _("This parameter is required."))
        return None
    if not str(value).isdigit() or len(str(value)) > 18:
        raise InvalidInput.field(name, _("An id is a number."))
    return int(value)


def _get(queryset: QuerySet, pk: int | None):
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound()
    return found


def _period(pk, node: GridNode) -> Period:
    """A period of the node's city (another city's is as missing: 404)."""
    return _get(departments.league_periods(node=node), pk)


# --- views ---------------------------------------------------------------------------------------


class LeaguePagination(DefaultCursorPagination):
    ordering = "-id"


class DepartmentLeagueViewSet(viewsets.ViewSet):
    """部门同台: the departments' figures in a node's subtree for a period, best score first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[NODE, PERIOD],
        responses={200: DepartmentLeagueRowSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    def list(self, request):
        node = _get(GridNode.objects.all(), _id(request.query_params, "node"))
        period = _period(_id(request.query_params, "period"), node)
        rows = departments.league(user=request.user, node=node, period=period, now=timezone.now())
        return Response(DepartmentLeagueRowSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            NODE,
            PERIOD,
            OpenApiParameter("department", int, required=True),
            OpenApiParameter("figure", str, required=True, enum=[*departments.FIGURES]),
        ],
        responses={200: DepartmentDrillPetitionSerializer(many=True), **ERRORS},
        tags=TAGS,
    )
    @action(detail=False, methods=["get"])
    def petitions(self, request):
        """The petitions behind one figure of one department's row (cursor-paginated)."""
        params = request.query_params
        node = _get(GridNode.objects.all(), _id(params, "node"))
        period = _period(_id(params, "period"), node)
        department = _get(Department.objects.filter(city__tree_id=node.tree_id), _id(params, "department"))
        found = departments.drill_down(
            user=request.user,
            node=node,
            period=period,
            department=department,
            figure=params.get("figure", ""),
            now=timezone.now(),
        ).select_related("grid")
        paginator = LeaguePagination()
        page = paginator.paginate_queryset(found.distinct(), request, view=self)
        return paginator.get_paginated_response(DepartmentDrillPetitionSerializer(page, many=True).data)


class RatingPagination(DefaultCursorPagination):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("period", int), OpenApiParameter("street", int)]
    ),
)
class DepartmentRatingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """评价权: the streets' quarterly ratings of the departments that worked in them."""

    serializer_class = DepartmentRatingSerializer
    pagination_class = RatingPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DepartmentRating.objects.none()
        params = self.request.query_params
        queryset = departments.rating_list(user=self.request.user).order_by()
        period, street = _id(params, "period", required=False), _id(params, "street", required=False)
        if period is not None:
            queryset = queryset.filter(period_id=period)
        if street is not None:
            queryset = queryset.filter(street_id=street)
        return queryset

    @extend_schema(
        request=DepartmentRatingWriteSerializer,
        responses={201: DepartmentRatingSerializer, **ERRORS},
        tags=TAGS,
    )
    def create(self, request):
        """Give (or change) the street's rating of a department for a quarter."""
        data = DepartmentRatingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        street = _get(GridNode.objects.all(), values["street"])
        rating = services.department_rating_save(
            actor=request.user,
            street=street,
            department=_get(Department.objects.filter(city__tree_id=street.tree_id), values["department"]),
            period=_period(values["period"], street),
            score=values["score"],
            comments=values["comments"],
        )
        return Response(DepartmentRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class BoardPagination(DefaultCursorPagination):
    ordering = "-published_at"


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: DepartmentBoardDetailSerializer, 404: ERRORS[404]}),
)
class DepartmentBoardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """部门考核公示: published department assessments (public), publishing one, the weights."""

    serializer_class = DepartmentBoardSerializer
    pagination_class = BoardPagination
    permission_classes = [AllowAny]

    def get_queryset(self):
        return departments.board_list()

    def get_object(self):
        board = departments.board_get(pk=self.kwargs["pk"])
        board.ordered_rows = departments.board_rows(board=board)
        return board

    def get_serializer_class(self):
        return DepartmentBoardDetailSerializer if self.action == "retrieve" else DepartmentBoardSerializer

    @extend_schema(
        request=DepartmentPublishSerializer,
        responses={201: DepartmentBoardDetailSerializer, **ERRORS},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def publish(self, request):
        """Assessors: publish the city's department assessment of a quarter (once)."""
        data = DepartmentPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        city = _get(GridNode.objects.all(), data.validated_data["city"])
        board = services.department_board_publish(
            actor=request.user, period=_period(data.validated_data["period"], city), city=city
        )
        board.ordered_rows = departments.board_rows(board=board)
        return Response(DepartmentBoardDetailSerializer(board).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DepartmentWeightsSerializer,
        responses={200: DepartmentWeightsOutSerializer, **ERRORS},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def weights(self, request):
        """Configuration: the city's weights of the league and of the streets' ratings."""
        data = DepartmentWeightsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        weights = services.department_weights_set(
            actor=request.user,
            city=_get(GridNode.objects.all(), data.validated_data["city"]),
            league_weight=data.validated_data["league_weight"],
            rating_weight=data.validated_data["rating_weight"],
        )
        return Response(DepartmentWeightsOutSerializer(weights).data)


# Registered on portal's router (portal/urls.py).
ROUTES = [
    ("evaluation/department-league", DepartmentLeagueViewSet, "evaluation-department-league"),
    ("evaluation/department-ratings", DepartmentRatingViewSet, "evaluation-department-rating"),
    ("evaluation/department-boards", DepartmentBoardViewSet, "evaluation-department-board"),
]
