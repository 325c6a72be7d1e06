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
