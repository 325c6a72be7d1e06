"""The residents' public grid card: GET /api/v1/public/grid-card/?lat=..&lng=..

Which grid a point is in, with its 联心卡 (community, street, the grid's workers and head with
their WORK phones) and the announcements its residents read. Anonymous, limited per client
address; it carries no personal data beyond the staff's names and work phones. A point outside
the service area is a 400 naming `lat`/`lng` (the front door shows the message)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.api import LocateQuerySerializer
from hlgrid.api import ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.throttles import AddressThrottle
from portal import public


class CardThrottle(AddressThrottle):
    scope = "public-card"


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class WorkContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField(help_text="The post's work phone (empty when none is on record).")


class PublicAnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    node_name = serializers.CharField(source="node.name")
    published_at = serializers.DateTimeField()
    photo_url = serializers.SerializerMethodField()

    def get_photo_url(self, announcement) -> str | None:
        return reverse("announcements:photo", args=[announcement.pk]) if announcement.photo else None


class GridCardSerializer(serializers.Serializer):
    grid = PlaceSerializer(source="card.grid")
    community = PlaceSerializer(source="card.community", allow_null=True)
    street = PlaceSerializer(source="card.street", allow_null=True)
    workers = WorkContactSerializer(source="card.workers", many=True)
    head = WorkContactSerializer(source="card.head", allow_null=True)
    announcements = PublicAnnouncementSerializer(many=True)
    report_url = serializers.CharField(help_text="The report form pre-set to this grid.")
    card_url = serializers.CharField(help_text="The 我的网格 page of this grid.")


class PublicGridCardView(APIView):
    """我的网格 for residents, without an account."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [CardThrottle]

    @extend_schema(
        parameters=[LocateQuerySerializer],
        responses={200: GridCardSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        tags=["public"],
    )
    def get(self, request):
        """The grid that contains the point, its contact card and its announcements."""
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        grid = public.locate_grid(query.validated_data["lat"], query.validated_data["lng"])
        if grid is None:
            message = _("This location is outside the service area.")
            raise InvalidInput(message, errors={"lat": [message], "lng": [message]})
        return Response(GridCardSerializer(public.grid_view(grid)).data)
