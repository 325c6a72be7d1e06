from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from grids import access, selectors, services, territory
from grids.locator import locate
from grids.models import CHILD_KIND, GridNode, NodeKind
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
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


# --- the map editor and the tree's shape (requests and answers) ---------------------------------

MAX_ID = 2**63 - 1
WRITE_RESPONSES = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class GridNodeCreateSerializer(NoUnknownFields, serializers.Serializer):
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The new node's parent")
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    boundary = serializers.JSONField(required=False, allow_null=True, help_text="A GeoJSON (Multi)Polygon")


class GridNodeUpdateSerializer(NoUnknownFields, serializers.Serializer):
    code = serializers.CharField(max_length=32, required=False)
    name = serializers.CharField(max_length=64, required=False)


class GridNodeMoveSerializer(NoUnknownFields, serializers.Serializer):
    parent = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The node's new parent")


class FeaturePropertiesSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=NodeKind.choices)
    parent = serializers.CharField(allow_null=True)


class FeatureSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    properties = FeaturePropertiesSerializer()
    geometry = serializers.JSONField(allow_null=True)


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField()
    properties = serializers.DictField()
    features = FeatureSerializer(many=True)


class GeometryRequestSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection (each feature's properties: code, name; parent for a new node),
    with what a merge adds: the codes to `remove` and which node `absorb`s each one's rows."""

    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = serializers.ListField(child=serializers.DictField(), max_length=territory.MAX_FEATURES)
    remove = serializers.ListField(child=serializers.CharField(max_length=32), required=False, max_length=50)
    absorb = serializers.DictField(child=serializers.CharField(max_length=32), required=False)
    move_points = serializers.BooleanField(
        required=False, default=False, help_text="Move the points that fall in another grid to it"
    )


class GeometryQuerySerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False, help_text="1: only the plan")


class PlanMessageSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PlanChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["create", "update"])
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    area_m2 = serializers.FloatField(allow_null=True)
    trimmed_m2 = serializers.FloatField()


class PlanRemovedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PlanPointsSerializer(serializers.Serializer):
    source = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PlanSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    applied = serializers.BooleanField()
    node = serializers.IntegerField()
    errors = PlanMessageSerializer(many=True)
    warnings = PlanMessageSerializer(many=True)
    changes = PlanChangeSerializer(many=True)
    removed = PlanRemovedSerializer(many=True)
    points = PlanPointsSerializer(many=True)
    points_to_move = serializers.IntegerField()
    points_outside = serializers.IntegerField()


class SplitRequestSerializer(NoUnknownFields, serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="The child to split")
    line = serializers.JSONField(help_text="A GeoJSON LineString crossing it")
    new_code = serializers.CharField(max_length=32)
    new_name = serializers.CharField(max_length=64)


class MergeRequestSerializer(NoUnknownFields, serializers.Serializer):
    keep = serializers.CharField(max_length=32, help_text="The child that stays")
    absorb = serializers.CharField(max_length=32, help_text="The child merged into it and removed")


class ProposalSerializer(serializers.Serializer):
    """A split or merge, as the request to send to geometry/ (after looking at its plan)."""

    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
    remove = serializers.ListField(child=serializers.CharField())
    absorb = serializers.DictField(child=serializers.CharField())
    plan = PlanSerializer()


def _child(node: GridNode, code: str, field: str) -> GridNode:
    child = node.get_children().filter(code=code).first()
    if child is None:
        raise InvalidInput.field(
            field, _("%(code)s is not a child of %(name)s.") % {"code": code, "name": node.name}
        )
    return child


def proposal_features(items: list[dict]) -> list[dict]:
    return [
        {
            "type": "Feature",
            "properties": {
                k: v for k, v in (("code", i["code"]), ("name", i["name"]), ("parent", i.get("parent"))) if v
            },
            "geometry": i["geometry"],
        }
        for i in items
    ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", enum=NodeKind.values),
            OpenApiParameter("parent", int),
        ],
        tags=["grids"],
    ),
    retrieve=extend_schema(responses={200: GridNodeDetailSerializer, 404: ErrorSerializer}, tags=["grids"]),
    create=extend_schema(
        request=GridNodeCreateSerializer,
        responses={201: GridNodeDetailSerializer, **WRITE_RESPONSES},
        tags=["grids"],
        description="Create a child of `parent` (its kind follows the parent's); OFFICIAL or ADMIN over it.",
    ),
    partial_update=extend_schema(
        request=GridNodeUpdateSerializer,
        responses={200: GridNodeDetailSerializer, **WRITE_RESPONSES},
        tags=["grids"],
        description="Rename or recode a node. OFFICIAL over its parent, or ADMIN.",
    ),
    destroy=extend_schema(
        responses={204: None, **WRITE_RESPONSES},
        tags=["grids"],
        description="Delete an empty leaf node (no children, posts or records).",
    ),
)
class GridNodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The grid tree within the caller's scope, in tree order (codes are hierarchical); officials
    and administrators shape it: create, rename, move, delete, and redraw a subtree's polygons."""

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

    def create(self, request):
        body = GridNodeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        parent = selectors.gridnode_get(user=request.user, pk=data["parent"])
        kind = CHILD_KIND.get(parent.kind)
        if kind is None:
            raise InvalidInput.field("parent", _("A grid cannot have child nodes."))
        node = services.gridnode_create(
            actor=request.user,
            parent=parent,
            kind=kind,
            code=data["code"],
            name=data["name"],
            boundary=data.get("boundary"),
        )
        node = selectors.gridnode_get(user=request.user, pk=node.pk)
        return Response(GridNodeDetailSerializer(node).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        node = self.get_object()
        body = GridNodeUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.gridnode_update(actor=request.user, node=node, **body.validated_data)
        return Response(GridNodeDetailSerializer(selectors.gridnode_get(user=request.user, pk=node.pk)).data)

    def destroy(self, request, pk=None):
        node = self.get_object()
        services.gridnode_delete(actor=request.user, node=node)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=GridNodeMoveSerializer,
        responses={200: GridNodeDetailSerializer, **WRITE_RESPONSES},
        tags=["grids"],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the node under another parent (its boundary must fit there)."""
        node = self.get_object()
        body = GridNodeMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = selectors.gridnode_get(user=request.user, pk=body.validated_data["parent"])
        services.gridnode_move(actor=request.user, node=node, target=target)
        return Response(GridNodeDetailSerializer(selectors.gridnode_get(user=request.user, pk=node.pk)).data)

    @extend_schema(responses={200: FeatureCollectionSerializer, 404: ErrorSerializer}, tags=["grids"])
    @action(detail=True, methods=["get"], pagination_class=None)
    def geojson(self, request, pk=None):
        """The node and its subtree as a GeoJSON FeatureCollection (properties: code, name, kind, parent)."""
        return Response(territory.subtree_collection(self.get_object()))

    @extend_schema(
        request=GeometryRequestSerializer,
        parameters=[GeometryQuerySerializer],
        responses={200: PlanSerializer, **WRITE_RESPONSES},
        tags=["grids"],
    )
    @action(detail=True, methods=["post"])
    def geometry(self, request, pk=None):
        """Redraw the node's subtree from a FeatureCollection: `?dry_run=1` answers the plan
        (errors, warnings, changes, points that would fall in another grid) and changes nothing;
        without it the whole collection is applied in one transaction, or nothing (400)."""
        node = self.get_object()
        query = GeometryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        body = GeometryRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kwargs = {
            "actor": request.user,
            "node": node,
            "collection": {"type": "FeatureCollection", "features": data["features"]},
            "remove": data.get("remove", []),
            "absorb": data.get("absorb", {}),
        }
        if query.validated_data["dry_run"]:
            plan = services.gridnode_geometry_plan(**kwargs)
            return Response({**plan.as_dict(), "applied": False})
        plan = services.gridnode_geometry_apply(**kwargs, move_points=data["move_points"])
        return Response({**plan.as_dict(), "applied": True})

    @extend_schema(
        request=SplitRequestSerializer, responses={200: ProposalSerializer, **WRITE_RESPONSES}, tags=["grids"]
    )
    @action(detail=True, methods=["post"], url_path="geometry/split")
    def split(self, request, pk=None):
        """Propose cutting a child in two along a line: the collection to send to geometry/, and its plan."""
        node = self.get_object()
        access.require_may_place(request.user, node)
        body = SplitRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        child = _child(node, data["code"], "code")
        items = territory.split_proposal(
            node=node, child=child, line=data["line"], new_code=data["new_code"], new_name=data["new_name"]
        )
        return self._proposal(request, node, items, remove=[], absorb={})

    @extend_schema(
        request=MergeRequestSerializer, responses={200: ProposalSerializer, **WRITE_RESPONSES}, tags=["grids"]
    )
    @action(detail=True, methods=["post"], url_path="geometry/merge")
    def merge(self, request, pk=None):
        """Propose merging one child into another: the collection to send to geometry/, and its plan."""
        node = self.get_object()
        access.require_may_place(request.user, node)
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        keep = _child(node, body.validated_data["keep"], "keep")
        absorbed = _child(node, body.validated_data["absorb"], "absorb")
        items = territory.merge_proposal(node=node, keep=keep, absorb=absorbed)
        return self._proposal(request, node, items, remove=[absorbed.code], absorb={absorbed.code: keep.code})

    def _proposal(self, request, node, items, *, remove, absorb):
        collection = {"type": "FeatureCollection", "features": proposal_features(items)}
        plan = services.gridnode_geometry_plan(
            actor=request.user, node=node, collection=collection, remove=remove, absorb=absorb
        )
        return Response(
            {**collection, "remove": remove, "absorb": absorb, "plan": {**plan.as_dict(), "applied": False}}
        )

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
    city = serializers.IntegerField(source="city_id")
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
        return selectors.department_list(user=self.request.user)
