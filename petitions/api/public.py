"""The residents' API, without an account: report a problem, follow it by tracking code, rate
the result. Thin: every write is a service call, every read a selector."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from hlgrid import photos
from hlgrid.errors import NotFound
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


class PublicStepSerializer(serializers.Serializer):
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField()


class PublicPhotoSerializer(serializers.Serializer):
    kind = serializers.CharField()
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class PublicPetitionSerializer(serializers.Serializer):
    """What a reporter sees: progress, never personal data or staff names."""

    tracking_code = serializers.CharField(source="asked_code")
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    light = serializers.CharField(source="current_light")
    grid = GridRefSerializer()
    category = serializers.CharField(source="category.__str__", default="")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    satisfaction = serializers.CharField()
    can_rate = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    def get_can_rate(self, petition) -> bool:
        return petition.status == Status.RESOLVED

    @extend_schema_field(PublicStepSerializer(many=True))
    def get_steps(self, petition) -> list[dict]:
        return PublicStepSerializer(selectors.public_timeline(petition=petition), many=True).data

    @extend_schema_field(PublicPhotoSerializer(many=True))
    def get_photos(self, petition) -> list[dict]:
        """The reporter's own photos and the resolution photos, each behind the tracking code."""
        shown = [
            {"kind": a.kind, "url": a.tracking_url(petition.asked_code), "width": a.width, "height": a.height}
            for a in selectors.public_attachments(petition=petition)
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
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=photos.MAX_COUNT)


class PublicThrottle(ScopedRateThrottle):
    """Per client address (residents have no account): the settings' "public" rate."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        # The address the WSGI server saw (a TLS proxy sets it): a client-sent
        # X-Forwarded-For must not buy a fresh allowance.
        return request.META.get("REMOTE_ADDR", "")


class PublicPetitionViewSet(viewsets.ViewSet):
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
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A retry with the same key returns the first answer and creates nothing.",
            )
        ],
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
        fingerprint = services.request_fingerprint(
            {**data, "category": category.pk if category else None}, {"photos": photos}
        )

        def render(petition: Petition) -> dict:
            shown = selectors.public_petition(tracking_code=petition.tracking_code)
            return dict(PublicPetitionSerializer(shown).data)

        code, answer, _created = services.public_petition_submit(
            idempotency_key=request.headers.get("Idempotency-Key"),
            fingerprint=fingerprint,
            render=render,
            category=category,
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
