"""The bulletins' API, /api/v1/bulletins/: list, detail (with the snapshot), PDF and .xlsx.

Read-only and scoped like the pages (a bulletin at a node outside the caller's posts: 404).
portal/urls.py registers the routes with `register_routes`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from bulletins import render as rendering
from bulletins import selectors
from bulletins.models import Bulletin, Kind
from bulletins.views import pdf_response
from hlgrid import xlsx
from hlgrid.api import ERROR_RESPONSES
from hlgrid.ids import parse_id
from hlgrid.pagination import DefaultCursorPagination

TAGS = ["bulletins"]


class BulletinSerializer(serializers.ModelSerializer):
    node_name = serializers.CharField(source="node.name")
    kind = serializers.CharField(help_text="WEEK (Monday to Sunday) or MONTH")
    title = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "node",
            "node_name",
            "kind",
            "first_day",
            "last_day",
            "title",
            "generated_at",
            "published_at",
            "recipients",
        ]

    def get_title(self, bulletin) -> str:
        return rendering.title(bulletin)


class BulletinDetailSerializer(BulletinSerializer):
    figures = serializers.JSONField(help_text="The snapshot: node, period, sections (columns and rows).")

    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "figures"]


class BulletinPagination(DefaultCursorPagination):
    ordering = ("-first_day", "-id")


BINARY = {
    "pdf": {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), **ERROR_RESPONSES},
    "xlsx": {(200, xlsx.CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY), **ERROR_RESPONSES},
}


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("node", int, description="only this node's bulletins"),
            OpenApiParameter("kind", str, enum=Kind.values),
        ],
        responses={200: BulletinSerializer(many=True), **ERROR_RESPONSES},
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: BulletinDetailSerializer, **ERROR_RESPONSES}),
)
class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Bulletin.objects.none()
    pagination_class = BulletinPagination

    def get_queryset(self):
        params = self.request.query_params
        if self.action == "list":
            return selectors.bulletin_list(
                user=self.request.user, node_id=parse_id(params.get("node")), kind=params.get("kind")
            ).order_by("-first_day", "-id")
        return selectors.bulletin_list(user=self.request.user)

    def get_object(self):
        return selectors.bulletin_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_serializer_class(self):
        return BulletinSerializer if self.action == "list" else BulletinDetailSerializer

    @extend_schema(tags=TAGS, responses=BINARY["pdf"])
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return pdf_response(self.get_object())

    @extend_schema(tags=TAGS, responses=BINARY["xlsx"])
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        bulletin = self.get_object()
        return xlsx.response(rendering.workbook(bulletin), rendering.filename(bulletin, "xlsx"))


def register_routes(router) -> None:
    router.register("bulletins", BulletinViewSet, basename="bulletin")
