"""The caller's inbox over the API."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hlgrid.errors import InvalidInput
from petitions import selectors, services
from petitions.models import Notification


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    tracking_code = serializers.CharField(source="petition.tracking_code", default=None, allow_null=True)
    whistle = serializers.IntegerField(source="whistle_id", allow_null=True)
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


@extend_schema_view(
    list=extend_schema(tags=["notifications"]), retrieve=extend_schema(tags=["notifications"])
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's inbox."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = selectors.notification_list(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset.order_by("-id")

    @extend_schema(
        request=inline_serializer(
            "MarkRead", {"ids": serializers.ListField(child=serializers.IntegerField(), required=False)}
        ),
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
        tags=["notifications"],
    )
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        if ids is not None and not (isinstance(ids, list) and all(isinstance(i, int) for i in ids)):
            raise InvalidInput.field("ids", _("A list of notification ids."))
        return Response({"marked": services.notification_mark_read(actor=request.user, ids=ids)})
