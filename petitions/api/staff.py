"""Staff petitions API: scoped lists and details, one endpoint per transition, events,
duplicates, attachments and the reporter's contact. Thin: every write is a service call."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids.models import Department
from hlgrid import idempotency, photos
from hlgrid.api import NoUnknownFields
from hlgrid.crypto import mask_name
from hlgrid.errors import InvalidInput
from hlgrid.models import User
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser
from petitions import selectors, services
from petitions.api.common import (
    E400,
    E403,
    E404,
    E409,
    E422,
    TRANSITION_ERRORS,
    AttachmentUploadSerializer,
    CallbackSerializer,
    GridRefSerializer,
    PersonRefSerializer,
    _valid,
)
from petitions.models import (
    AttachmentKind,
    Category,
    Level,
    Light,
    Petition,
    Risk,
    Source,
    Status,
    Urgency,
)


class PetitionSerializer(serializers.ModelSerializer):
    light = serializers.SerializerMethodField()
    grid = GridRefSerializer()
    category_name = serializers.CharField(source="category.__str__", default="", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)
    assignee = PersonRefSerializer(allow_null=True)
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.CharField(source="reporter_phone_hint")
    # Null unless the petition was merged into another one (the schema says so: allow_null).
    merged_into = serializers.CharField(
        source="merged_into.tracking_code", default=None, read_only=True, allow_null=True
    )
    # 研判 at verification: the risks recorded (Risk values) and the key person linked (an id
    # of the residents register's key people, readable there by whoever may see it).
    risks = serializers.ListField(child=serializers.ChoiceField(choices=Risk.choices), read_only=True)
    key_person = serializers.IntegerField(source="key_person_id", allow_null=True, read_only=True)

    class Meta:
        model = Petition
        fields = [
            "id",
            "tracking_code",
            "status",
            "light",
            "rung",
            "rung_changed_at",
            "taken_over_at",
            "urgency",
            "risks",
            "key_person",
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
    actor = serializers.CharField(source="actor.display_name", default=None, allow_null=True)  # SYSTEM: null


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
        # The checked view, not /media/: only who may see the petition gets the bytes.
        return attachment.get_absolute_url()


class HandlingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    hours = serializers.IntegerField(allow_null=True)
    requested_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class VerifySerializer(serializers.Serializer):
    """Verified, with the judgement (研判); `key_person` is one of `key-people`' suggestions or
    another key person of the caller's area."""

    note = serializers.CharField(required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    risks = serializers.ListField(
        child=serializers.ChoiceField(choices=Risk.choices), required=False, default=list, max_length=3
    )
    key_person = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class RejudgeSerializer(VerifySerializer):
    """The judgement revised, with the reason (kept in the history with what it was)."""

    note = None
    reason = serializers.CharField(max_length=500)


class KeyPersonSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked.")
    group = serializers.CharField()
    reason = serializers.ChoiceField(choices=["PHONE", "VISIT", "HOUSEHOLD", "BUILDING"])
    reason_label = serializers.CharField()
    preselected = serializers.BooleanField()


class TakeOverSerializer(serializers.Serializer):
    """Hand it to one person (staff of the level over its grid) or one department."""

    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


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
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=photos.MAX_COUNT)


class ExtendSerializer(serializers.Serializer):
    hours = serializers.IntegerField(min_value=1, max_value=24 * 60)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class IntakeSerializer(NoUnknownFields, serializers.Serializer):
    """A petition taken in by staff: the source, what and where, and the caller's contact."""

    source = serializers.ChoiceField(choices=[(s.value, s.label) for s in services.STAFF_SOURCES])
    description = serializers.CharField(max_length=2000)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A leaf category; left out, one is suggested from the description's keywords.",
    )
    building = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A building of the register (its grid)."
    )
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    grid = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A GRID node, with `address`."
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_notify = serializers.BooleanField(
        required=False, default=False, help_text="Keep the caller informed by SMS (needs the phone)."
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=photos.MAX_COUNT)


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
            OpenApiParameter("source", enum=Source.values),
            OpenApiParameter("urgency", enum=Urgency.values),
            OpenApiParameter("risk", enum=Risk.values),
            OpenApiParameter(
                "q",
                str,
                description="A tracking code (a joined resident's too), a phone number (exact) or "
                "words of the description.",
            ),
        ],
        responses={200: PetitionSerializer(many=True), 400: E400},
        tags=["petitions"],
    ),
    create=extend_schema(
        request={"multipart/form-data": IntakeSerializer, "application/json": IntakeSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="A retry with the same key (yours) returns the first answer and creates "
                "nothing; the same key with another body is refused (422).",
            )
        ],
        responses={201: PetitionSerializer, 400: E400, 403: E403, 404: E404, 422: E422},
        tags=["petitions"],
        description="Take a petition in by phone, at a window, from a walk-in or on a visit. The "
        "location is given one way: `building`, `latitude`+`longitude`, or `grid` with `address`.",
    ),
    retrieve=extend_schema(responses={200: PetitionSerializer, 404: E404}, tags=["petitions"]),
)
class PetitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Petitions in the caller's scope (department staff: their department's), light computed now;
    staff take new ones in (create)."""

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
        source = params.get("source")
        if source and source not in Source.values:
            raise InvalidInput.field("source", _("Unknown source."))
        urgency = params.get("urgency")
        if urgency and urgency not in Urgency.values:
            raise InvalidInput.field("urgency", _("Unknown urgency."))
        risk = params.get("risk")
        if risk and risk not in Risk.values:
            raise InvalidInput.field("risk", _("Unknown risk."))
        return selectors.petition_list(
            user=self.request.user,
            light=light,
            status=state,
            active=params.get("active") in ("1", "true", "True"),
            mine=params.get("mine") in ("1", "true", "True"),
            grid_id=int(grid) if grid else None,
            source=source or None,
            urgency=urgency or None,
            risk=risk or None,
            query=params.get("q", ""),
        ).order_by("-id")

    def create(self, request):
        data = _valid(IntakeSerializer, request)
        photos_sent = data.pop("photos", [])
        category = data.pop("category", None)
        building, grid = data.pop("building", None), data.pop("grid", None)
        fields = {
            **data,
            "category": category.pk if category else None,
            "building_id": building,
            "grid_id": grid,
        }
        fingerprint = services.request_fingerprint(fields, {"photos": photos_sent})
        fields["category"] = category

        def render(petition: Petition) -> dict:
            shown = selectors.petition_get(user=request.user, pk=petition.pk)
            return dict(PetitionSerializer(shown).data)

        code, answer, _created = services.petition_intake_submit(
            actor=request.user,
            idempotency_key=request.headers.get("Idempotency-Key"),
            fingerprint=fingerprint,
            render=render,
            photos=photos_sent,
            **fields,
        )
        return Response(answer, status=code)

    def get_object(self):
        return selectors.petition_get(user=self.request.user, pk=self.kwargs["pk"])

    def _answer(self, petition: Petition, code=status.HTTP_200_OK):
        return Response(
            PetitionSerializer(selectors.petition_get(user=self.request.user, pk=petition.pk)).data, code
        )

    def _target(self) -> Petition:
        # Scope first: a petition outside the caller's scope is a 404 before anything else.
        return self.get_object()

    @_transition_schema(
        VerifySerializer,
        description="Verified, with the judgement: the urgency (urgent and extra urgent shorten the "
        "handling deadline by the category's hours; extra urgent tells the community's and the "
        "street's heads at once), the risks, and the key person involved (see `key-people`).",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        data = _valid(VerifySerializer, request)
        return self._answer(services.petition_verify(actor=request.user, petition=self._target(), **data))

    @extend_schema(
        responses={200: KeyPersonSuggestionSerializer(many=True), 404: E404},
        tags=["petitions"],
        description="The key people of the register this petition may involve (the reporter's phone, "
        "the visit's household, the address's household or building), strongest first, masked.",
    )
    @action(detail=True, methods=["get"], url_path="key-people", pagination_class=None)
    def key_people(self, request, pk=None):
        petition = self._target()
        found = selectors.key_person_suggestions(user=request.user, petition=petition)
        return Response(KeyPersonSuggestionSerializer(found, many=True).data)

    @_transition_schema(
        RejudgeSerializer,
        description="The judgement (研判) of a verified, open petition revised by the field staff over its "
        "grid, with the reason. Being handled, its handling deadline is counted again from the step's "
        "start under the new urgency; raised to extra urgent, the community's and the street's heads "
        "are told at once.",
    )
    @action(detail=True, methods=["post"])
    def rejudge(self, request, pk=None):
        data = _valid(RejudgeSerializer, request)
        return self._answer(services.petition_rejudge(actor=request.user, petition=self._target(), **data))

    @_transition_schema(
        TakeOverSerializer,
        description="接管: a head or official of a level the overdue petition climbed to takes it over "
        "and hands it to staff of that level over its grid (`assignee`) or to a `department`.",
    )
    @action(detail=True, methods=["post"], url_path="take-over")
    def take_over(self, request, pk=None):
        data = _valid(TakeOverSerializer, request)
        return self._answer(services.petition_take_over(actor=request.user, petition=self._target(), **data))

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
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Generated on the phone, one per photo: the same key and photo returns the "
                "first answer and adds nothing; the same key with another photo is refused (422).",
            )
        ],
        responses={201: AttachmentSerializer, 400: E400, 403: E403, 404: E404, 409: E409, 422: E422},
        tags=["petitions"],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        petition = self._target()
        if request.method == "POST":
            data = _valid(AttachmentUploadSerializer, request)
            kind = AttachmentKind.RESOLUTION if petition.status == Status.HANDLING else AttachmentKind.INTAKE

            def create() -> dict:
                attachment = services.attachment_add(
                    actor=request.user, petition=petition, photo=data["photo"], kind=kind
                )
                return AttachmentSerializer(attachment).data

            key = idempotency.client_key(request.headers.get("Idempotency-Key"))
            if not key:
                return Response(create(), status=status.HTTP_201_CREATED)
            status_code, answer, _created = idempotency.submit_once(
                stored_key=idempotency.scoped_key(
                    scope="petition-attachment", owner=request.user.pk, key=key
                ),
                fingerprint=idempotency.request_fingerprint(
                    {"petition": petition.pk}, {"photo": [data["photo"]]}
                ),
                create=create,
            )
            return Response(answer, status=status_code)
        return Response(AttachmentSerializer(petition.attachments.all(), many=True).data)

    @extend_schema(request=None, responses={200: ContactSerializer, 403: E403, 404: E404}, tags=["petitions"])
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        """Reveal the reporter's name and phone (written to the access log)."""
        petition = self._target()
        return Response(
            services.petition_reveal_contact(actor=request.user, petition=petition, request=request)
        )
