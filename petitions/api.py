"""Petitions API: public intake and tracking, scoped petitions, one endpoint per transition,
events, attachments, categories, whistles, check-ins and the inbox. Thin: every write is a
service call, every read a selector."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from grids.models import Department
from hlgrid.api import ErrorSerializer
from hlgrid.crypto import mask_name
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.models import User
from petitions import selectors, services
from petitions.models import (
    AttachmentKind,
    Category,
    Level,
    Light,
    Notification,
    Petition,
    Satisfaction,
    Status,
)

E400 = OpenApiResponse(ErrorSerializer, description="Invalid input")
E403 = OpenApiResponse(ErrorSerializer, description="Your role may not do this")
E404 = OpenApiResponse(ErrorSerializer, description="Not found or outside your scope")
E409 = OpenApiResponse(ErrorSerializer, description="Not allowed in the current state")
E422 = OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with a different request")
E429 = OpenApiResponse(ErrorSerializer, description="Too many requests from this client")
TRANSITION_ERRORS = {400: E400, 403: E403, 404: E404, 409: E409}


# --- serializers -------------------------------------------------------------------------------
class GridRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer):
    parent_name = serializers.CharField(source="parent.name", default="", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "parent_name",
            "keywords",
            "department",
            "department_name",
            "level",
            "verify_hours",
            "handle_limit",
            "handle_unit",
            "callback_days",
        ]


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class PetitionSerializer(serializers.ModelSerializer):
    light = serializers.SerializerMethodField()
    grid = GridRefSerializer()
    category_name = serializers.CharField(source="category.__str__", default="", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)
    assignee = PersonRefSerializer(allow_null=True)
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.CharField(source="reporter_phone_hint")
    merged_into = serializers.CharField(source="merged_into.tracking_code", default=None, read_only=True)

    class Meta:
        model = Petition
        fields = [
            "id",
            "tracking_code",
            "status",
            "light",
            "step",
            "due_at",
            "warn_at",
            "grid",
            "source",
            "description",
            "category",
            "category_name",
            "level",
            "department",
            "department_name",
            "assignee",
            "latitude",
            "longitude",
            "address",
            "reporter_name",
            "reporter_phone",
            "received_at",
            "verified_at",
            "classified_at",
            "handle_due_at",
            "resolved_at",
            "resolved_on_time",
            "closed_at",
            "resolution",
            "reject_reason",
            "rework_count",
            "satisfaction",
            "solved",
            "merged_into",
        ]

    def get_light(self, petition) -> str:
        return getattr(petition, "current_light", None) or petition.light

    def get_reporter_name(self, petition) -> str:
        return mask_name(petition.reporter_name)


class EventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.display_name", default=None)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_url(self, attachment) -> str:
        return attachment.file.url


class HandlingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    hours = serializers.IntegerField(allow_null=True)
    requested_at = serializers.DateTimeField()


class PublicStepSerializer(serializers.Serializer):
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    at = serializers.DateTimeField()


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

    def get_can_rate(self, petition) -> bool:
        return petition.status == Status.RESOLVED

    @extend_schema_field(PublicStepSerializer(many=True))
    def get_steps(self, petition) -> list[dict]:
        return PublicStepSerializer(selectors.public_timeline(petition=petition), many=True).data


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
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=services.MAX_PHOTOS
    )


class CallbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    solved = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClassifySerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EscalateSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices, help_text="COMMUNITY or STREET")
    reason = serializers.CharField()


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField()
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=services.MAX_PHOTOS
    )


class ExtendSerializer(serializers.Serializer):
    hours = serializers.IntegerField(min_value=1, max_value=24 * 60)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- public ------------------------------------------------------------------------------------
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
        position = services.photo_gps(upload=data["photo"])
        lat, lng = position if position else (None, None)
        return Response({"latitude": lat, "longitude": lng})


# --- staff --------------------------------------------------------------------------------------
def _transition_schema(request_serializer, *, accepted: bool = False, description: str = ""):
    responses = {200: PetitionSerializer, **TRANSITION_ERRORS}
    if accepted:
        responses[202] = OpenApiResponse(
            HandlingRequestSerializer, description="Request sent to the head above"
        )
    return extend_schema(
        request=request_serializer, responses=responses, tags=["petitions"], description=description
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("light", enum=Light.values),
            OpenApiParameter("status", enum=Status.values),
            OpenApiParameter("active", bool),
            OpenApiParameter("mine", bool),
            OpenApiParameter("grid", int),
        ],
        responses={200: PetitionSerializer(many=True), 400: E400},
        tags=["petitions"],
    ),
    retrieve=extend_schema(responses={200: PetitionSerializer, 404: E404}, tags=["petitions"]),
)
class PetitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Petitions in the caller's scope (department staff: their department's), light computed now."""

    serializer_class = PetitionSerializer

    def get_queryset(self):
        params = self.request.query_params
        light = params.get("light")
        if light and light not in Light.values:
            raise InvalidInput.field("light", _("Unknown light."))
        state = params.get("status")
        if state and state not in Status.values:
            raise InvalidInput.field("status", _("Unknown status."))
        grid = params.get("grid")
        if grid and not grid.isdigit():
            raise InvalidInput.field("grid", _("A node id is a number."))
        return selectors.petition_list(
            user=self.request.user,
            light=light,
            status=state,
            active=params.get("active") in ("1", "true", "True"),
            mine=params.get("mine") in ("1", "true", "True"),
            grid_id=int(grid) if grid else None,
        ).order_by("-id")

    def get_object(self):
        return selectors.petition_get(user=self.request.user, pk=self.kwargs["pk"])

    def _answer(self, petition: Petition, code=status.HTTP_200_OK):
        return Response(
            PetitionSerializer(selectors.petition_get(user=self.request.user, pk=petition.pk)).data, code
        )

    def _target(self) -> Petition:
        # Scope first: a petition outside the caller's scope is a 404 before anything else.
        return self.get_object()

    @_transition_schema(NoteSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        data = _valid(NoteSerializer, request)
        return self._answer(services.petition_verify(actor=request.user, petition=self._target(), **data))

    @_transition_schema(ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = _valid(ReasonSerializer, request)
        return self._answer(services.petition_reject(actor=request.user, petition=self._target(), **data))

    @_transition_schema(MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        data = _valid(MergeSerializer, request)
        return self._answer(services.petition_merge(actor=request.user, petition=self._target(), **data))

    @_transition_schema(ClassifySerializer)
    @action(detail=True, methods=["post"])
    def classify(self, request, pk=None):
        data = _valid(ClassifySerializer, request)
        return self._answer(services.petition_classify(actor=request.user, petition=self._target(), **data))

    @_transition_schema(EscalateSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = _valid(EscalateSerializer, request)
        return self._answer(services.petition_escalate(actor=request.user, petition=self._target(), **data))

    @_transition_schema(RequiredNoteSerializer)
    @action(detail=True, methods=["post"])
    def note(self, request, pk=None):
        data = _valid(RequiredNoteSerializer, request)
        petition = self._target()
        services.petition_note(actor=request.user, petition=petition, **data)
        return self._answer(petition)

    @_transition_schema(ResolveSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def resolve(self, request, pk=None):
        data = _valid(ResolveSerializer, request)
        return self._answer(services.petition_resolve(actor=request.user, petition=self._target(), **data))

    @_transition_schema(
        OptionalReasonSerializer,
        accepted=True,
        description="The handler's call asks the head above (202); the head's call pauses the clock (200).",
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        data = _valid(OptionalReasonSerializer, request)
        petition, pending = services.petition_pause(actor=request.user, petition=self._target(), **data)
        if pending is not None:
            return Response(HandlingRequestSerializer(pending).data, status=status.HTTP_202_ACCEPTED)
        return self._answer(petition)

    @_transition_schema(NoteSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        data = _valid(NoteSerializer, request)
        return self._answer(services.petition_resume(actor=request.user, petition=self._target(), **data))

    @_transition_schema(
        ExtendSerializer,
        accepted=True,
        description="The handler's call asks the head above (202); the head's call moves the due time (200).",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = _valid(ExtendSerializer, request)
        petition, pending = services.petition_extend(actor=request.user, petition=self._target(), **data)
        if pending is not None:
            return Response(HandlingRequestSerializer(pending).data, status=status.HTTP_202_ACCEPTED)
        return self._answer(petition)

    @_transition_schema(ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def give_back(self, request, pk=None):
        data = _valid(ReasonSerializer, request)
        return self._answer(services.petition_return(actor=request.user, petition=self._target(), **data))

    @_transition_schema(CallbackSerializer)
    @action(detail=True, methods=["post"])
    def callback(self, request, pk=None):
        data = _valid(CallbackSerializer, request)
        return self._answer(services.petition_callback(actor=request.user, petition=self._target(), **data))

    @extend_schema(responses={200: EventSerializer(many=True), 404: E404}, tags=["petitions"])
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        petition = self._target()
        return Response(EventSerializer(selectors.petition_events(petition=petition), many=True).data)

    @extend_schema(responses={200: PetitionSerializer(many=True), 404: E404}, tags=["petitions"])
    @action(detail=True, methods=["get"], pagination_class=None)
    def duplicates(self, request, pk=None):
        petition = self._target()
        found = selectors.possible_duplicates(user=request.user, petition=petition)
        return Response(PetitionSerializer(found, many=True).data)

    @extend_schema(
        methods=["get"], responses={200: AttachmentSerializer(many=True), 404: E404}, tags=["petitions"]
    )
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: E400, 403: E403, 404: E404, 409: E409},
        tags=["petitions"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        petition = self._target()
        if request.method == "POST":
            data = _valid(AttachmentUploadSerializer, request)
            kind = AttachmentKind.RESOLUTION if petition.status == Status.HANDLING else AttachmentKind.INTAKE
            attachment = services.attachment_add(
                actor=request.user, petition=petition, photo=data["photo"], kind=kind
            )
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        return Response(AttachmentSerializer(petition.attachments.all(), many=True).data)

    @extend_schema(request=None, responses={200: ContactSerializer, 403: E403, 404: E404}, tags=["petitions"])
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Reveal the reporter's name and phone (written to the access log)."""
        petition = self._target()
        return Response(
            services.petition_reveal_contact(actor=request.user, petition=petition, request=request)
        )


@extend_schema_view(
    list=extend_schema(tags=["petitions"]),
    retrieve=extend_schema(responses={200: CategorySerializer, 404: E404}, tags=["petitions"]),
)
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The categories with their department, level and time limits (public: the report form uses them)."""

    serializer_class = CategorySerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return selectors.category_list()


class CheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    due_at = serializers.DateTimeField()
    light = serializers.SerializerMethodField()
    checked_in_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    report = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)

    def get_light(self, checkin) -> str:
        return getattr(checkin, "current_light", None) if checkin.checked_in_at is None else checkin.light


class WhistleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    street = GridRefSerializer()
    petition = serializers.CharField(source="petition.tracking_code", default=None)
    blown_by = serializers.CharField(source="blown_by.display_name")
    blown_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    status = serializers.CharField()
    checkins = CheckInSerializer(many=True)


class WhistleCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True
    )
    checkin_hours = serializers.IntegerField(min_value=1, max_value=24 * 14, default=24)
    petition = serializers.IntegerField(required=False, allow_null=True)
    street = serializers.IntegerField(required=False, allow_null=True)


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField()


@extend_schema_view(
    list=extend_schema(tags=["whistles"]),
    retrieve=extend_schema(responses={200: WhistleSerializer, 404: E404}, tags=["whistles"]),
)
class WhistleViewSet(viewsets.ReadOnlyModelViewSet):
    """街区吹哨: whistles of the caller's streets, or that summoned the caller's department."""

    serializer_class = WhistleSerializer

    def get_queryset(self):
        return selectors.whistle_list(user=self.request.user).order_by("-id")

    def get_object(self):
        return selectors.whistle_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=WhistleCreateSerializer,
        responses={201: WhistleSerializer, 400: E400, 403: E403, 404: E404, 409: E409},
        tags=["whistles"],
    )
    def create(self, request):
        from grids.models import GridNode

        data = _valid(WhistleCreateSerializer, request)
        petition = None
        if data.get("petition"):
            petition = selectors.petition_get(user=request.user, pk=data["petition"])
        street = None
        if data.get("street"):
            street = get_object_or_404(GridNode, pk=data["street"])
        whistle = services.whistle_blow(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            departments=list(data["departments"]),
            checkin_hours=data["checkin_hours"],
            petition=petition,
            street=street,
        )
        return Response(
            WhistleSerializer(selectors.whistle_get(user=request.user, pk=whistle.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None, responses={200: WhistleSerializer, 403: E403, 404: E404, 409: E409}, tags=["whistles"]
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        whistle = self.get_object()
        services.whistle_close(actor=request.user, whistle=whistle)
        return Response(WhistleSerializer(self.get_object()).data)


@extend_schema_view(
    list=extend_schema(tags=["whistles"]),
    retrieve=extend_schema(responses={200: CheckInSerializer, 404: E404}, tags=["whistles"]),
)
class CheckInViewSet(viewsets.ReadOnlyModelViewSet):
    """部门报到: each summoned department checks in before its deadline, then reports its action."""

    serializer_class = CheckInSerializer

    def get_queryset(self):
        return selectors.checkin_scope(user=self.request.user).order_by("-id")

    @extend_schema(request=None, responses={200: CheckInSerializer, 404: E404, 409: E409}, tags=["whistles"])
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        checkin = services.checkin_record(actor=request.user, checkin=self.get_object())
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)

    @extend_schema(
        request=ReportSerializer,
        responses={200: CheckInSerializer, 400: E400, 404: E404, 409: E409},
        tags=["whistles"],
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        data = _valid(ReportSerializer, request)
        checkin = services.checkin_report(
            actor=request.user, checkin=self.get_object(), report=data["report"]
        )
        return Response(CheckInSerializer(self.get_queryset().get(pk=checkin.pk)).data)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_display = serializers.CharField(source="get_kind_display")
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    tracking_code = serializers.CharField(source="petition.tracking_code", default=None)
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
        return Response({"marked": services.notification_mark_read(user=request.user, ids=ids)})
