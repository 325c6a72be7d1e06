"""The residents' API, without an account: report a problem, follow it by tracking code, rate
the result. Thin: every write is a service call, every read a selector."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from grids.locator import locate
from grids.models import GridNode, NodeKind
from hlgrid import photos
from hlgrid.api import NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser
from petitions import selectors, services
from petitions.api.common import (
    E400,
    E404,
    E409,
    E422,
    E429,
    AttachmentUploadSerializer,
    CallbackSerializer,
    GridRefSerializer,
    _valid,
)
from petitions.models import Category, Petition, Status
from petitions.services.intake import category_suggest


class PublicStepSerializer(serializers.Serializer):
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField()


class PublicPhotoSerializer(serializers.Serializer):
    kind = serializers.CharField()
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class CategoryNameField(serializers.CharField):
    """The category as "parent › name", "" without one (a source of "category.__str__" gave
    the text of None's bound method for a report with no category)."""

    def get_attribute(self, petition):
        return str(petition.category) if petition.category_id else ""


class PublicPetitionSerializer(serializers.Serializer):
    """What a reporter sees: progress, never personal data or staff names."""

    tracking_code = serializers.CharField(source="asked_code")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    light = serializers.CharField(source="current_light")
    grid = GridRefSerializer()
    category = CategoryNameField(default="")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    satisfaction = serializers.SerializerMethodField()
    joined = serializers.SerializerMethodField(help_text="The code is a joiner's (我也遇到了).")
    can_rate = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    def get_can_rate(self, petition) -> bool:
        return bool(getattr(petition, "can_rate", petition.status == Status.RESOLVED))

    def get_satisfaction(self, petition) -> str:
        """The rating of whoever holds the code (a joiner rates for themselves)."""
        return getattr(petition, "my_satisfaction", petition.satisfaction) or ""

    def get_joined(self, petition) -> bool:
        return getattr(petition, "join", None) is not None

    @extend_schema_field(PublicStepSerializer(many=True))
    def get_steps(self, petition) -> list[dict]:
        steps = getattr(petition, "public_steps", None)  # a report just written knows its own
        if steps is None:
            steps = selectors.public_timeline(petition=petition)
        return PublicStepSerializer(steps, many=True).data

    @extend_schema_field(PublicPhotoSerializer(many=True))
    def get_photos(self, petition) -> list[dict]:
        """The reporter's own photos and the resolution photos, each behind the tracking code."""
        photos = getattr(petition, "public_photos", None)  # a report just written knows its own
        if photos is None:
            photos = selectors.public_attachments(petition=petition)
        shown = [
            {"kind": a.kind, "url": a.tracking_url(petition.asked_code), "width": a.width, "height": a.height}
            for a in photos
        ]
        return PublicPhotoSerializer(shown, many=True).data


class PublicCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    reporter_notify = serializers.BooleanField(
        required=False, default=False, help_text="Keep me informed by SMS (needs reporter_phone)."
    )
    grid = serializers.PrimaryKeyRelatedField(
        queryset=GridNode.objects.filter(kind=NodeKind.GRID),
        required=False,
        allow_null=True,
        help_text="The grid, when the point is only its centre (a building without a point).",
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=photos.MAX_COUNT)


class PublicThrottle(ScopedRateThrottle):
    """Per client address (residents have no account): the settings' "public" rate."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        # The address the WSGI server saw (a TLS proxy sets it): a client-sent
        # X-Forwarded-For must not buy a fresh allowance.
        return request.META.get("REMOTE_ADDR", "")


class NearbyQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    category = serializers.IntegerField(required=False, min_value=1, help_text="A category's id.")
    text = serializers.CharField(
        required=False, max_length=2000, help_text="Without a category: the description to suggest one from."
    )


class NearbyReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Join it with POST join/ {petition: id, latitude, longitude}.")
    category = serializers.CharField()
    summary = serializers.CharField(help_text="The start of the description, long numbers hidden.")
    received_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    status_display = serializers.CharField()
    photo_count = serializers.IntegerField()
    joined_count = serializers.IntegerField()
    distance_m = serializers.IntegerField()


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class NearbySerializer(serializers.Serializer):
    category = CategoryRefSerializer(allow_null=True)
    radius_m = serializers.IntegerField()
    results = NearbyReportSerializer(many=True)


class JoinSerializer(NoUnknownFields, serializers.Serializer):
    petition = serializers.IntegerField(
        required=False, min_value=1, help_text="The id from nearby/ (needs latitude and longitude)."
    )
    tracking_code = serializers.CharField(
        required=False, max_length=20, help_text="Or the tracking code of the report to join."
    )
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    notify = serializers.BooleanField(required=False, default=False, help_text="Keep me informed by SMS.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.get("petition") and not attrs.get("tracking_code"):
            raise serializers.ValidationError({"petition": [_("Choose the report you want to join.")]})
        return attrs


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="A retry with the same key returns the first answer and creates nothing.",
)


class NearbyJoinActions:
    """我也遇到了 (on PublicPetitionViewSet): the open reports of a category near a point, and
    joining one. The look-up counts against the "public-lookup" rate, the join the "public" one."""

    @extend_schema(
        parameters=[NearbyQuerySerializer],
        responses={200: NearbySerializer, 400: E400, 429: E429},
        tags=["public"],
    )
    @action(detail=False, methods=["get"], throttle_scope="public-lookup")
    def nearby(self, request):
        """The open reports of the same category within about 50 m, with no personal data."""
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        category = None
        # the categories of the city the point is in (none outside the service area)
        located = locate(data["lat"], data["lng"])
        if data.get("category"):
            category = selectors.category_leaves().filter(pk=data["category"]).select_related("city").first()
            if category is None:
                raise InvalidInput.field("category", _("Unknown category."))
            if located is None or category.city.tree_id != located.tree_id:
                category = None  # another city's category has no reports here
        elif data.get("text") and located is not None:
            category = category_suggest(text=data["text"], grid=located)
        results = (
            selectors.public_nearby(latitude=data["lat"], longitude=data["lng"], category_id=category.pk)
            if category
            else []
        )
        return Response(
            NearbySerializer(
                {"category": category, "radius_m": services.common.DUPLICATE_RADIUS_M, "results": results}
            ).data
        )

    @extend_schema(
        request=JoinSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: PublicPetitionSerializer,
            200: PublicPetitionSerializer,
            400: E400,
            404: E404,
            409: E409,
            422: E422,
            429: E429,
        },
        tags=["public"],
    )
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, FormParser])
    def join(self, request):
        """Join an open report instead of filing a duplicate: answered with the joiner's own
        tracking code (201; 200 for a repeat of a join already made)."""
        data = _valid(JoinSerializer, request)
        fingerprint = services.request_fingerprint(dict(data), {})
        join, created = services.petition_join(
            tracking_code_or_pk=data.get("petition") or data.get("tracking_code"),
            note=data["note"],
            phone=data["phone"],
            notify=data["notify"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            idempotency_key=request.headers.get("Idempotency-Key"),
            fingerprint=fingerprint,
        )
        shown = selectors.public_petition(tracking_code=join.tracking_code)
        return Response(PublicPetitionSerializer(shown).data, status=201 if created else 200)


class PublicPetitionViewSet(NearbyJoinActions, viewsets.ViewSet):
    """Residents, without an account: report, follow by tracking code, rate the result."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    throttle_scope = "public"
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_field = "tracking_code"
    lookup_value_regex = "[0-9A-Za-z-]{4,20}"

    @extend_schema(
        request={"multipart/form-data": PublicCreateSerializer, "application/json": PublicCreateSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: PublicPetitionSerializer,
            400: E400,
            422: E422,
            429: E429,
        },
        tags=["public"],
    )
    def create(self, request):
        """Report a problem: routed to its grid and department, answered with a tracking code."""
        data = _valid(PublicCreateSerializer, request)
        photos = data.pop("photos", [])
        category = data.pop("category", None)
        grid = data.pop("grid", None)
        fingerprint = services.request_fingerprint(
            {**data, "category": category.pk if category else None, "grid": grid.pk if grid else None},
            {"photos": photos},
        )

        def render(petition: Petition) -> dict:
            # answered from what the intake's transaction wrote, not read back
            shown = selectors.public_petition_written(petition=petition)
            return dict(PublicPetitionSerializer(shown).data)

        code, answer, _created = services.public_petition_submit(
            idempotency_key=request.headers.get("Idempotency-Key"),
            fingerprint=fingerprint,
            render=render,
            category=category,
            grid=grid,
            photos=photos,
            **data,
        )
        return Response(answer, status=code)

    @extend_schema(responses={200: PublicPetitionSerializer, 404: E404, 429: E429}, tags=["public"])
    def retrieve(self, request, tracking_code: str | None = None):
        """The progress of a report, without personal data."""
        petition = selectors.public_petition(tracking_code=tracking_code)
        if petition is None:
            raise NotFound(_("No petition has this tracking code."))
        return Response(PublicPetitionSerializer(petition).data)

    @extend_schema(
        request=CallbackSerializer,
        responses={200: PublicPetitionSerializer, 400: E400, 404: E404, 409: E409, 429: E429},
        tags=["public"],
    )
    @action(detail=True, methods=["post"])
    def callback(self, request, tracking_code: str | None = None):
        """The resident's rating: unsatisfied or unsolved reopens the petition."""
        data = _valid(CallbackSerializer, request)
        services.public_callback(tracking_code=tracking_code, **data)
        return Response(PublicPetitionSerializer(selectors.public_petition(tracking_code=tracking_code)).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            200: inline_serializer(
                "PhotoGps",
                {
                    "latitude": serializers.FloatField(allow_null=True),
                    "longitude": serializers.FloatField(allow_null=True),
                },
            ),
            400: E400,
            429: E429,
        },
        tags=["public"],
    )
    @action(detail=False, methods=["post"], url_path="photo-gps", parser_classes=[MultiPartParser])
    def photo_gps(self, request):
        """The EXIF position of a photo, offered to the reporter (the stored copy has no EXIF)."""
        data = _valid(AttachmentUploadSerializer, request)
        position = photos.gps(data["photo"])
        lat, lng = position if position else (None, None)
        return Response({"latitude": lat, "longitude": lng})


class BuildingQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=60, help_text="Words of the address, building, grid or community.")


class PublicBuildingGridSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    exact = serializers.BooleanField(help_text="False: the point is the grid's centre (send `grid`).")
    grid = PublicBuildingGridSerializer()
    community = serializers.CharField()


class PublicBuildingViewSet(viewsets.ViewSet):
    """The register's buildings for a resident without a position: places only, no people."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]
    throttle_scope = "public-lookup"

    @extend_schema(
        parameters=[BuildingQuerySerializer],
        responses={200: PublicBuildingSerializer(many=True), 400: E400, 429: E429},
        tags=["public"],
    )
    def list(self, request):
        """Buildings whose address, name, number, grid or community match every word (at most
        10): the building, its point (or its grid's centre), grid and community."""
        from residents.selectors import building_public_search

        query = BuildingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = building_public_search(query=query.validated_data["q"])
        return Response(PublicBuildingSerializer(found, many=True).data)
