from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from grids import selectors
from grids.locator import locate
from grids.models import GridNode, NodeKind
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.pagination import DefaultCursorPagination


class GridPagination(DefaultCursorPagination):
    ordering = "code"


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")


class GridNodeSerializer(serializers.ModelSerializer):
    heads = PersonSerializer(source="head_posts", many=True, read_only=True)
    workers = PersonSerializer(source="worker_posts", many=True, read_only=True)
    depth = serializers.IntegerField(source="level", read_only=True)
    centroid = serializers.SerializerMethodField()

    class Meta:
        model = GridNode
        fields = ["id", "code", "name", "kind", "parent", "depth", "centroid", "heads", "workers"]

    def get_centroid(self, node) -> list[float] | None:
        if node.centroid_lng is None:
            return None
        return [node.centroid_lng, node.centroid_lat]


class GridNodeDetailSerializer(GridNodeSerializer):
    class Meta(GridNodeSerializer.Meta):
        fields = [*GridNodeSerializer.Meta.fields, "boundary", "min_lng", "min_lat", "max_lng", "max_lat"]


class LocatedGridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", enum=NodeKind.values),
            OpenApiParameter("parent", int),
        ],
        tags=["grids"],
    ),
    retrieve=extend_schema(responses={200: GridNodeDetailSerializer, 404: ErrorSerializer}, tags=["grids"]),
)
class GridNodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The grid tree within the caller's scope, in tree order (codes are hierarchical)."""

    serializer_class = GridNodeSerializer
    pagination_class = GridPagination

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind")
        if kind and kind not in NodeKind.values:
            raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
        parent = params.get("parent")
        if parent and not parent.isdigit():
            raise InvalidInput.field("parent", _("A node id is a number."))
        return selectors.gridnode_list(user=self.request.user, kind=kind, parent_id=parent and int(parent))

    def get_object(self):
        return selectors.gridnode_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return GridNodeDetailSerializer if self.action == "retrieve" else GridNodeSerializer

    @extend_schema(
        parameters=[LocateQuerySerializer],
        responses={
            200: LocatedGridSerializer,
            400: ErrorSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Outside the service area"),
        },
        tags=["grids"],
    )
    @action(detail=False, methods=["get"], permission_classes=[AllowAny], pagination_class=None)
    def locate(self, request):
        """The GRID whose polygon contains the point (public: residents' reports use it)."""
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        grid = locate(query.validated_data["lat"], query.validated_data["lng"])
        if grid is None:
            raise NotFound(_("This location is outside the service area."))
        return Response(LocatedGridSerializer(grid).data)


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


@extend_schema_view(
    list=extend_schema(tags=["grids"]),
    retrieve=extend_schema(tags=["grids"], responses={200: DepartmentSerializer, 404: ERROR_RESPONSES[404]}),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.department_list()
