"""The dashboard's figures as JSON for other screens: /api/v1/dashboard/<node_id>/..."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards import selectors
from dashboards.cache import cached
from dashboards.periods import window_from
from grids.models import GridNode
from hlgrid.api import ERROR_RESPONSES

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period", str, enum=["week", "month", "quarter", "custom"], description="default: month"
    ),
    OpenApiParameter("start", str, description="first day, YYYY-MM-DD (custom period)"),
    OpenApiParameter("end", str, description="last day, YYYY-MM-DD (custom period)"),
]


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="petitions received in the period")
    open = serializers.IntegerField(help_text="petitions open now (paused included)")
    red = serializers.IntegerField(help_text="open petitions whose current step is overdue")
    yellow = serializers.IntegerField(help_text="open petitions in the last quarter of their step's limit")
    resolved = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="% of the period's resolutions on time")
    avg_handling_hours = serializers.FloatField(allow_null=True, required=False)
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text="% satisfied among rated closures")
    rework_rate = serializers.FloatField(allow_null=True, help_text="% of closures that were reopened")
    households = serializers.IntegerField()
    households_visited = serializers.IntegerField()
    visit_rate = serializers.FloatField(allow_null=True)
    key_people = serializers.IntegerField()
    key_overdue = serializers.IntegerField()
    workers = serializers.IntegerField()
    workers_active = serializers.IntegerField()


class NodeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class HeadlineSerializer(FiguresSerializer):
    node = NodeRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()


class ChildSerializer(serializers.Serializer):
    node = NodeRefSerializer()
    figures = FiguresSerializer()


class BoardItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["petition", "key_person", "checkin", "dispute"])
    light = serializers.CharField()
    due = serializers.DateTimeField()
    title = serializers.CharField()
    place = serializers.CharField()
    url = serializers.CharField()


class _NodeView(APIView):
    def node(self, request, node_id) -> GridNode:
        return selectors.node_get(user=request.user, pk=node_id)


class HeadlineView(_NodeView):
    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: HeadlineSerializer, **ERROR_RESPONSES},
        tags=["dashboard"],
    )
    def get(self, request, node_id: int):
        """Headline figures of a node for a period, including RED and YELLOW open petitions."""
        node = self.node(request, node_id)
        window = window_from(request.query_params)
        now = timezone.now()
        figures = cached(
            "headline", node, window.key, lambda: selectors.headline(node=node, window=window, now=now)
        )
        return Response(
            HeadlineSerializer(
                {**figures, "node": node, "start": window.first_day, "end": window.last_day}
            ).data
        )


class ChildrenView(_NodeView):
    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: ChildSerializer(many=True), **ERROR_RESPONSES},
        tags=["dashboard"],
    )
    def get(self, request, node_id: int):
        """Every headline figure for each child of the node."""
        node = self.node(request, node_id)
        window = window_from(request.query_params)
        now = timezone.now()
        rows = cached(
            "children", node, window.key, lambda: selectors.children(node=node, window=window, now=now)
        )
        return Response(ChildSerializer(rows, many=True).data)


class LightsView(_NodeView):
    @extend_schema(responses={200: BoardItemSerializer(many=True), **ERROR_RESPONSES}, tags=["dashboard"])
    def get(self, request, node_id: int):
        """Every RED and YELLOW item of the subtree (petitions, key-person visits, check-ins)."""
        node = self.node(request, node_id)
        now = timezone.now()
        board = cached("lights", node, "now", lambda: selectors.lights_board(node=node, now=now))
        return Response(BoardItemSerializer(board, many=True).data)


class TrendsView(_NodeView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES}, tags=["dashboard"])
    def get(self, request, node_id: int):
        """Weekly petitions by category, on-time and satisfaction rates, visit coverage, share of 优秀."""
        node = self.node(request, node_id)
        now = timezone.now()
        return Response(cached("trends", node, "now", lambda: selectors.trends(node=node, now=now)))


class MapView(_NodeView):
    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **ERROR_RESPONSES},
        tags=["dashboard"],
    )
    def get(self, request, node_id: int):
        """The node's children as a GeoJSON FeatureCollection whose properties carry the figures."""
        node = self.node(request, node_id)
        window = window_from(request.query_params)
        now = timezone.now()
        rows = cached(
            "children", node, window.key, lambda: selectors.children(node=node, window=window, now=now)
        )
        return Response(selectors.map_features(node=node, rows=rows))


class QualityYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    received = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    satisfaction_rate = serializers.FloatField(allow_null=True)


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    category = serializers.CharField(required=False)
    month = serializers.IntegerField(required=False)
    season = serializers.IntegerField(required=False)


class HistorySerializer(serializers.Serializer):
    quality = QualityYearSerializer(many=True)
    by_category = YearCountSerializer(many=True)
    by_month = YearCountSerializer(many=True)
    by_season = YearCountSerializer(many=True)


class HistoryView(APIView):
    @extend_schema(
        responses={200: HistorySerializer, **ERROR_RESPONSES},
        summary="Petitions of a node over the years: by category, month, season; quality by year",
    )
    def get(self, request, node_id: int):
        from dashboards import history

        node = selectors.node_get(user=request.user, pk=node_id)
        return Response(
            {
                "quality": history.quality(node=node),
                "by_category": history.by_category(node=node),
                "by_month": history.by_month(node=node),
                "by_season": history.by_season(node=node),
            }
        )


class HotspotPlaceSerializer(serializers.Serializer):
    grid_id = serializers.IntegerField()
    grid_name = serializers.CharField()
    place = serializers.CharField(source="key", help_text="map cell: lat,lng rounded to 3 decimals")
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    category_id = serializers.IntegerField(allow_null=True)
    category = serializers.CharField()
    department_id = serializers.IntegerField(allow_null=True)
    department = serializers.CharField()
    count = serializers.IntegerField()
    returns = serializers.IntegerField(help_text="petitions within K days after a closed one here")
    key_people = serializers.IntegerField(help_text="petitions from a cell where key people live")
    last_received = serializers.DateTimeField()


class ReporterCategorySerializer(serializers.Serializer):
    category = serializers.CharField()
    petitions = serializers.IntegerField()
    reporters = serializers.IntegerField()


class ReportersSerializer(serializers.Serializer):
    reporters = serializers.IntegerField(help_text="reporters with N petitions or more (counts only)")
    petitions = serializers.IntegerField()
    categories = ReporterCategorySerializer(many=True)


class HotspotsSerializer(serializers.Serializer):
    heat = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()), help_text="[lng, lat, count] per cell"
    )
    places = HotspotPlaceSerializer(many=True)
    reporters = ReportersSerializer()


class HotspotsView(APIView):
    @extend_schema(responses={200: HotspotsSerializer, **ERROR_RESPONSES}, summary="Hotspots of a node")
    def get(self, request, node_id: int):
        from dashboards import hotspots

        node = selectors.node_get(user=request.user, pk=node_id)
        now = timezone.now()
        data = {
            "heat": hotspots.heat(node=node, now=now),
            "places": hotspots.recurring_places(node=node, now=now),
            "reporters": hotspots.recurring_reporters(node=node, now=now),
        }
        return Response(HotspotsSerializer(data).data)


class ProblemSerializer(serializers.Serializer):
    place = HotspotPlaceSerializer()
    score = serializers.IntegerField(source="place.score")
    actions = serializers.DictField(
        child=serializers.IntegerField(), help_text="kind -> id of the created object"
    )


class TargetedActionInputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    grid = serializers.IntegerField()
    place = serializers.CharField()
    category = serializers.IntegerField(allow_null=True, required=False)


class TargetedActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    object_id = serializers.IntegerField()
    place = serializers.CharField()
    grid_id = serializers.IntegerField()
    category_id = serializers.IntegerField(allow_null=True)


class TargetedView(APIView):
    @extend_schema(
        responses={200: ProblemSerializer(many=True), **ERROR_RESPONSES}, summary="Targeted service list"
    )
    def get(self, request, node_id: int):
        from dashboards import targeted

        node = selectors.node_get(user=request.user, pk=node_id)
        return Response(ProblemSerializer(targeted.problems(node=node, now=timezone.now()), many=True).data)

    @extend_schema(
        request=TargetedActionInputSerializer,
        responses={201: TargetedActionSerializer, **ERROR_RESPONSES},
        summary="Create the suggested action for a problem (once; a repeat returns the first)",
    )
    def post(self, request, node_id: int):
        from dashboards import targeted

        node = selectors.node_get(user=request.user, pk=node_id)
        data = TargetedActionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = targeted.action_create(
            actor=request.user,
            node=node,
            kind=data.validated_data["kind"],
            grid_id=data.validated_data["grid"],
            place=data.validated_data["place"],
            category_id=data.validated_data.get("category"),
            now=timezone.now(),
        )
        return Response(TargetedActionSerializer(action).data, status=201)
