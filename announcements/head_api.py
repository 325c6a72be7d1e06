"""A 楼栋长's or 单元长's relays through the API (/api/v1/heads/relays/): relay a live
announcement of its grid, or a short notice of its own, to its building's or unit's chat
groups, and list its own relays. Thin over announcements.relay.head_relay; 404 without an
active head account or for an announcement its grid does not read."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from announcements.models import Relay
from announcements.relay import RELAY_TEXT_MAX, head_relay
from hlgrid.api import ErrorSerializer, NoUnknownFields
from hlgrid.pagination import DefaultCursorPagination
from residents.heads import head_account_of, require_head

TAGS = ["heads"]


class HeadRelayRequestSerializer(NoUnknownFields, serializers.Serializer):
    announcement = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    text = serializers.CharField(max_length=RELAY_TEXT_MAX, required=False, default="", allow_blank=True)


class HeadRelaySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    announcement = serializers.IntegerField(source="announcement_id", allow_null=True)
    text = serializers.CharField()
    groups = serializers.IntegerField(help_text="chat groups reached")
    created_at = serializers.DateTimeField()


class NewestFirst(DefaultCursorPagination):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request=HeadRelayRequestSerializer,
        responses={201: HeadRelaySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    ),
)
class HeadRelayViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = HeadRelaySerializer
    pagination_class = NewestFirst
    queryset = Relay.objects.none()

    def get_queryset(self):
        account = head_account_of(self.request.user)
        return Relay.objects.filter(account=account) if account else Relay.objects.none()

    def create(self, request):
        require_head(request.user)
        data = HeadRelayRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        relay = head_relay(
            actor=request.user,
            announcement=data.validated_data.get("announcement"),
            text=data.validated_data.get("text", ""),
        )
        return Response(HeadRelaySerializer(relay).data, status=status.HTTP_201_CREATED)
