"""The staff API of announcements, /api/v1/announcements/: thin over selectors and services.

The list and every detail are scoped (outside: 404). Creating and changing take JSON or
multipart (with a `photo`); withdrawing is `POST /{id}/withdraw/`. Residents read announcements
through the public grid card (/api/v1/public/grid-card/, portal.public_api). portal/urls.py
registers the routes with `register_routes`."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from announcements import selectors, services
from grids import access
from grids.models import GridNode
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import NotFound
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser

TAGS = ["announcements"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


class AnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    node_name = serializers.CharField(source="node.name")
    title = serializers.CharField()
    body = serializers.CharField()
    photo_url = serializers.SerializerMethodField()
    published_by = serializers.CharField(source="published_by.display_name", allow_null=True, default=None)
    published_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    def get_photo_url(self, announcement) -> str | None:
        if not announcement.photo:
            return None
        return reverse("announcements:photo", args=[announcement.pk])


class AnnouncementWriteSerializer(NoUnknownFields, serializers.Serializer):
    node = serializers.IntegerField(help_text="The node it is posted for (its whole subtree reads it).")
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    photo = serializers.FileField(required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class AnnouncementUpdateSerializer(NoUnknownFields, serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    photo = serializers.FileField(required=False, allow_null=True)
    remove_photo = serializers.BooleanField(required=False, default=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class AnnouncementPagination(DefaultCursorPagination):
    ordering = ("-published_at", "-id")


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _node(user, pk: int) -> GridNode:
    """A node in the caller's scope; any other is a 404, as if it did not exist."""
    node = access.scope_queryset(user, GridNode.objects.all(), node_path="").filter(pk=pk).first()
    if node is None:
        raise NotFound()
    return node


@extend_schema_view(
    list=extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("node", int, description="Only those posted within this node's subtree."),
            OpenApiParameter("live", bool, description="Only those not withdrawn."),
        ],
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: AnnouncementSerializer, 404: ERROR_RESPONSES[404]}),
)
class AnnouncementViewSet(viewsets.GenericViewSet):
    """大事要闻 for staff: heads and officials post for a node and its subtree and change their own."""

    serializer_class = AnnouncementSerializer
    pagination_class = AnnouncementPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        node = None
        wanted = self.request.query_params.get("node", "")
        if wanted.isdigit():
            node = _node(self.request.user, int(wanted))
        live = self.request.query_params.get("live") in ("1", "true", "True")
        return selectors.announcement_list(user=self.request.user, node=node, include_withdrawn=not live)

    def get_object(self):
        return selectors.announcement_get(user=self.request.user, pk=self.kwargs["pk"])

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AnnouncementSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(AnnouncementSerializer(self.get_object()).data)

    @extend_schema(
        request={
            "application/json": AnnouncementWriteSerializer,
            "multipart/form-data": AnnouncementWriteSerializer,
        },
        responses={201: AnnouncementSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def create(self, request):
        data = _valid(AnnouncementWriteSerializer, request)
        announcement = services.announcement_publish(
            actor=request.user,
            node=_node(request.user, data["node"]),
            title=data["title"],
            body=data["body"],
            photo=data.get("photo"),
            expires_at=data.get("expires_at"),
        )
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "application/json": AnnouncementUpdateSerializer,
            "multipart/form-data": AnnouncementUpdateSerializer,
        },
        responses={200: AnnouncementSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def update(self, request, pk=None):
        announcement = self.get_object()
        data = _valid(AnnouncementUpdateSerializer, request)
        announcement = services.announcement_update(
            actor=request.user,
            announcement=announcement,
            title=data["title"],
            body=data["body"],
            photo=data.get("photo"),
            remove_photo=data.get("remove_photo", False),
            expires_at=data.get("expires_at"),
        )
        return Response(AnnouncementSerializer(announcement).data)

    @extend_schema(request=None, responses={200: AnnouncementSerializer, **WRITE_ERRORS}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        announcement = services.announcement_withdraw(actor=request.user, announcement=self.get_object())
        return Response(AnnouncementSerializer(announcement).data)


def register_routes(router) -> None:
    router.register("announcements", AnnouncementViewSet, basename="announcement")
