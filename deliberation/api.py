"""The deliberation API under /api/v1/deliberation/: thin serializers and viewsets over
deliberation.selectors and deliberation.services. Every list is scoped; an object outside the
caller's scope answers 404 (its body is not even read). portal/urls.py registers the routes
with `register_routes`."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from deliberation import selectors, services
from deliberation.models import (
    Channel,
    Choice,
    ParticipantRole,
    Share,
    TopicSource,
    TopicStatus,
    VoteRule,
)
from deliberation.services.topics import Screening
from grids import access
from grids.models import GridNode
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput
from hlgrid.lights import Light
from hlgrid.models import User
from hlgrid.pagination import DefaultCursorPagination
from residents import selectors as residents_selectors
from residents.models import Building, Unit

TAGS = ["deliberation"]
WRITE_ERRORS = {**ERROR_RESPONSES, 403: ErrorSerializer, 409: ErrorSerializer}


def choices_text(choices, **kwargs) -> serializers.CharField:
    """A plain string documented with its values (enum components named "status" would collide
    with other apps'); the services validate the value and answer 400 with the field."""
    return serializers.CharField(help_text=" | ".join(choices.values), **kwargs)


def _valid(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


def _node(user, pk) -> GridNode:
    node = access.scope_queryset(user, GridNode.objects.all(), node_path="").filter(pk=pk).first()
    if node is None:
        raise InvalidInput.field("node", _("Unknown node."))
    return node


def _household(user, pk, field: str = "household"):
    if pk is None:
        return None
    household = residents_selectors.household_list(user=user).filter(pk=pk).first()
    if household is None:
        raise InvalidInput.field(field, _("Unknown household."))
    return household


# --- topics -----------------------------------------------------------------------------------


class DeliberationTopicSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    node_name = serializers.CharField(source="node.name")
    building = serializers.IntegerField(source="building_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    tracking_code = serializers.CharField()
    merged_into = serializers.IntegerField(source="merged_into_id", allow_null=True)
    answer = serializers.CharField()
    petition = serializers.IntegerField(source="petition_id", allow_null=True)
    visit = serializers.IntegerField(source="visit_id", allow_null=True)
    created_at = serializers.DateTimeField()
    screened_at = serializers.DateTimeField(allow_null=True)


class DeliberationTopicCreateSerializer(NoUnknownFields, serializers.Serializer):
    node = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=4000)
    source = choices_text(TopicSource, required=False)
    building = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    unit = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    visit = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class DeliberationScreenSerializer(NoUnknownFields, serializers.Serializer):
    decision = serializers.ChoiceField(choices=Screening.ALL)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    merge_into = serializers.IntegerField(min_value=1, required=False, allow_null=True)


TOPIC_PARAMS = [
    OpenApiParameter("status", str, description="open | closed | " + " | ".join(TopicStatus.values)),
    OpenApiParameter("node", int),
]


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=TOPIC_PARAMS),
    retrieve=extend_schema(tags=TAGS, responses={200: DeliberationTopicSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=DeliberationTopicCreateSerializer,
        responses={201: DeliberationTopicSerializer, **WRITE_ERRORS},
    ),
)
class TopicViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Topics for deliberation in the caller's scope, newest first."""

    serializer_class = DeliberationTopicSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        status_ = self.request.query_params.get("status")
        if status_ and status_ not in ("open", "closed", *TopicStatus.values):
            raise InvalidInput.field("status", _("Unknown status."))
        node = self.request.query_params.get("node")
        if node not in (None, "") and (not node.isdigit() or len(node) > 18):
            raise InvalidInput.field("node", _("An id is a number."))
        node_id = int(node) if node else None
        return selectors.topic_list(user=self.request.user, status=status_ or None, node_id=node_id).order_by(
            "-id"
        )

    def get_object(self):
        return selectors.topic_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request):
        v = _valid(DeliberationTopicCreateSerializer, request)
        user = request.user
        node = _node(user, v["node"])
        building = unit = None
        if v.get("building"):
            building = Building.objects.filter(pk=v["building"], grid_id=node.pk).first()
            if building is None:
                raise InvalidInput.field("building", _("Unknown building of this grid."))
        if v.get("unit"):
            unit = (
                Unit.objects.filter(pk=v["unit"], building__grid_id=node.pk)
                .select_related("building")
                .first()
            )
            if unit is None:
                raise InvalidInput.field("unit", _("Unknown unit of this grid."))
        topic = services.topic_raise(
            actor=user,
            node=node,
            title=v["title"],
            description=v["description"],
            source=v.get("source"),
            building=building,
            unit=unit,
            household=_household(user, v.get("household")),
            visit_id=v.get("visit"),
        )
        return Response(DeliberationTopicSerializer(topic).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=DeliberationScreenSerializer,
        responses={200: DeliberationTopicSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def screen(self, request, pk=None):
        """A head screens a topic: accept, merge (into `merge_into`) or answer with a reason."""
        topic = self.get_object()
        v = _valid(DeliberationScreenSerializer, request)
        target = None
        if v.get("merge_into"):
            target = services.topics.topic_get_for_merge(actor=request.user, topic=topic, pk=v["merge_into"])
        topic = services.topic_screen(
            actor=request.user, topic=topic, decision=v["decision"], reason=v["reason"], merge_into=target
        )
        return Response(DeliberationTopicSerializer(selectors.topic_get(user=request.user, pk=topic.pk)).data)


# --- meetings ---------------------------------------------------------------------------------


class DeliberationAgendaSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    topic = serializers.IntegerField(source="topic_id")
    title = serializers.CharField(source="topic.title")
    status = serializers.CharField(source="topic.status")


class DeliberationParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    name = serializers.CharField()
    household = serializers.IntegerField(source="household_id", allow_null=True)
    attended = serializers.BooleanField(allow_null=True)


class DeliberationMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    node_name = serializers.CharField(source="node.name")
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    place = serializers.CharField()
    invited_roles = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    held_at = serializers.DateTimeField(allow_null=True)


class DeliberationMeetingDetailSerializer(DeliberationMeetingSerializer):
    minutes = serializers.CharField()
    agenda = DeliberationAgendaSerializer(many=True)
    participants = DeliberationParticipantSerializer(many=True)


class DeliberationMeetingCreateSerializer(NoUnknownFields, serializers.Serializer):
    node = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=100)
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=100)
    invited_roles = serializers.ListField(child=choices_text(ParticipantRole), required=False, max_length=10)
    topics = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50)


class DeliberationParticipantCreateSerializer(NoUnknownFields, serializers.Serializer):
    role = choices_text(ParticipantRole)
    name = serializers.CharField(max_length=64)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class DeliberationAttendanceSerializer(NoUnknownFields, serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000)


class DeliberationMinutesSerializer(NoUnknownFields, serializers.Serializer):
    minutes = serializers.CharField(max_length=20000)


def _meeting_detail(user, pk) -> dict:
    page = selectors.meeting_page(user=user, pk=pk)
    meeting = page.meeting
    data = dict(DeliberationMeetingSerializer(meeting).data)
    data["minutes"] = meeting.minutes
    data["agenda"] = DeliberationAgendaSerializer(page.agenda, many=True).data
    data["participants"] = DeliberationParticipantSerializer(page.participants, many=True).data
    return data


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(
        tags=TAGS, responses={200: DeliberationMeetingDetailSerializer, 404: ErrorSerializer}
    ),
    create=extend_schema(
        tags=TAGS,
        request=DeliberationMeetingCreateSerializer,
        responses={201: DeliberationMeetingDetailSerializer, **WRITE_ERRORS},
    ),
)
class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Deliberation meetings in the caller's scope."""

    serializer_class = DeliberationMeetingSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return selectors.meeting_list(user=self.request.user).order_by("-id")

    def get_object(self):
        return selectors.meeting_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        return Response(_meeting_detail(request.user, pk))

    def create(self, request):
        v = _valid(DeliberationMeetingCreateSerializer, request)
        user = request.user
        node = _node(user, v["node"])
        ids = v.get("topics") or []
        topics = list(selectors.topic_list(user=user).filter(pk__in=ids))
        if len(topics) != len(set(ids)):
            raise InvalidInput.field("topics", _("Unknown or outside your scope."))
        order = {pk: i for i, pk in enumerate(ids)}
        meeting = services.meeting_create(
            actor=user,
            node=node,
            title=v["title"],
            starts_at=v["starts_at"],
            place=v["place"],
            invited_roles=v.get("invited_roles") or [],
            topics=sorted(topics, key=lambda t: order[t.pk]),
        )
        return Response(_meeting_detail(user, meeting.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=DeliberationParticipantCreateSerializer,
        responses={201: DeliberationParticipantSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        """Invite a participant in a role (a resident representative names its household)."""
        meeting = self.get_object()
        v = _valid(DeliberationParticipantCreateSerializer, request)
        participant = services.participant_add(
            actor=request.user,
            meeting=meeting,
            role=v["role"],
            name=v["name"],
            household=_household(request.user, v.get("household")),
        )
        return Response(DeliberationParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        request=DeliberationAttendanceSerializer,
        responses={200: DeliberationMeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record who came: the participants named are present, the others absent."""
        meeting = self.get_object()
        v = _valid(DeliberationAttendanceSerializer, request)
        services.attendance_record(actor=request.user, meeting=meeting, present=v["present"])
        return Response(_meeting_detail(request.user, meeting.pk))

    @extend_schema(
        tags=TAGS,
        request=DeliberationMinutesSerializer,
        responses={200: DeliberationMeetingDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        """Record the minutes: the meeting is held."""
        meeting = self.get_object()
        v = _valid(DeliberationMinutesSerializer, request)
        services.meeting_record_minutes(actor=request.user, meeting=meeting, minutes=v["minutes"])
        return Response(_meeting_detail(request.user, meeting.pk))


# --- votes ------------------------------------------------------------------------------------


class DeliberationVoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    meeting = serializers.IntegerField(source="meeting_id")
    topic = serializers.IntegerField(source="topic_id")
    question = serializers.CharField()
    rule = serializers.CharField()
    quorum = serializers.CharField()
    threshold = serializers.CharField()
    electorate = serializers.IntegerField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.CharField()
    yes = serializers.IntegerField(source="live_yes")
    no = serializers.IntegerField(source="live_no")
    abstain = serializers.IntegerField(source="live_abstain")
    result = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


class DeliberationVoteCreateSerializer(NoUnknownFields, serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1)
    topic = serializers.IntegerField(min_value=1)
    question = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    rule = choices_text(VoteRule)
    quorum = choices_text(Share)
    threshold = choices_text(Share)
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    closes_at = serializers.DateTimeField()


class DeliberationBallotSerializer(NoUnknownFields, serializers.Serializer):
    choice = choices_text(Choice)
    household = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    participant = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    channel = choices_text(Channel, required=False, default=Channel.MEETING)


class DeliberationBallotAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    vote = serializers.IntegerField(source="vote_id")
    household = serializers.IntegerField(source="household_id", allow_null=True)
    participant = serializers.IntegerField(source="participant_id", allow_null=True)
    choice = serializers.CharField()
    channel = serializers.CharField()
    cast_at = serializers.DateTimeField()


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=[OpenApiParameter("status", str, description="OPEN | CLOSED")]),
    retrieve=extend_schema(tags=TAGS, responses={200: DeliberationVoteSerializer, 404: ErrorSerializer}),
    create=extend_schema(
        tags=TAGS,
        request=DeliberationVoteCreateSerializer,
        responses={201: DeliberationVoteSerializer, **WRITE_ERRORS},
    ),
)
class VoteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Votes in the caller's scope; the counts are computed from the ballots."""

    serializer_class = DeliberationVoteSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        status_ = self.request.query_params.get("status")
        if status_ and status_ not in ("OPEN", "CLOSED"):
            raise InvalidInput.field("status", _("Unknown status."))
        return selectors.vote_list(user=self.request.user, status=status_ or None).order_by("-id")

    def get_object(self):
        return selectors.vote_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request):
        v = _valid(DeliberationVoteCreateSerializer, request)
        user = request.user
        meeting = selectors.meeting_list(user=user).filter(pk=v["meeting"]).first()
        if meeting is None:
            raise InvalidInput.field("meeting", _("Unknown meeting."))
        topic = selectors.topic_list(user=user).filter(pk=v["topic"]).first()
        if topic is None:
            raise InvalidInput.field("topic", _("Unknown topic."))
        vote = services.vote_open(
            actor=user,
            meeting=meeting,
            topic=topic,
            question=v["question"],
            rule=v["rule"],
            quorum=v["quorum"],
            threshold=v["threshold"],
            opens_at=v.get("opens_at"),
            closes_at=v["closes_at"],
        )
        return Response(
            DeliberationVoteSerializer(selectors.vote_get(user=user, pk=vote.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=TAGS,
        request=DeliberationBallotSerializer,
        responses={201: DeliberationBallotAnswerSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def ballots(self, request, pk=None):
        """Record a ballot: a household's (per-household rule) or a representative's."""
        vote = self.get_object()
        v = _valid(DeliberationBallotSerializer, request)
        participant = None
        if v.get("participant"):
            participant = vote.meeting.participants.filter(pk=v["participant"]).first()
            if participant is None:
                raise InvalidInput.field("participant", _("Unknown participant of this meeting."))
        ballot = services.ballot_cast(
            actor=request.user,
            vote=vote,
            choice=v["choice"],
            household=_household(request.user, v.get("household")),
            participant=participant,
            channel=v["channel"],
        )
        return Response(DeliberationBallotAnswerSerializer(ballot).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, request=None, responses={200: DeliberationVoteSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Count the ballots and decide the topic (before the window's end only if all voted)."""
        vote = self.get_object()
        services.vote_close(actor=request.user, vote=vote)
        return Response(DeliberationVoteSerializer(selectors.vote_get(user=request.user, pk=vote.pk)).data)


# --- resolutions ------------------------------------------------------------------------------


class DeliberationResolutionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    node = serializers.IntegerField(source="node_id")
    topic = serializers.IntegerField(source="topic_id")
    vote = serializers.IntegerField(source="vote_id")
    text = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id")
    owner_name = serializers.CharField(source="owner.display_name")
    due_at = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    light = serializers.CharField(source="current_light")
    status = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_note = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class DeliberationResolutionCreateSerializer(NoUnknownFields, serializers.Serializer):
    vote = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=4000)
    owner = serializers.IntegerField(min_value=1)
    working_days = serializers.IntegerField(min_value=1, max_value=250)


class DeliberationCloseSerializer(NoUnknownFields, serializers.Serializer):
    note = serializers.CharField(max_length=4000)


RESOLUTION_PARAMS = [
    OpenApiParameter("mine", bool, description="only the caller's own"),
    OpenApiParameter("light", str, description=" | ".join(Light.values) + " (open ones)"),
]


@extend_schema_view(
    list=extend_schema(tags=TAGS, parameters=RESOLUTION_PARAMS),
    retrieve=extend_schema(
        tags=TAGS, responses={200: DeliberationResolutionSerializer, 404: ErrorSerializer}
    ),
    create=extend_schema(
        tags=TAGS,
        request=DeliberationResolutionCreateSerializer,
        responses={201: DeliberationResolutionSerializer, **WRITE_ERRORS},
    ),
)
class ResolutionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Resolutions in the caller's scope with their light now; red first is `?light=RED`."""

    serializer_class = DeliberationResolutionSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        light = self.request.query_params.get("light")
        if light and light not in Light.values:
            raise InvalidInput.field("light", _("Unknown light."))
        mine = self.request.query_params.get("mine") in ("1", "true", "True")
        return selectors.resolution_list(user=self.request.user, mine=mine, light=light or None).order_by(
            "-id"
        )

    def get_object(self):
        return selectors.resolution_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request):
        v = _valid(DeliberationResolutionCreateSerializer, request)
        user = request.user
        vote = selectors.vote_list(user=user).filter(pk=v["vote"]).first()
        if vote is None:
            raise InvalidInput.field("vote", _("Unknown vote."))
        owner = User.objects.filter(pk=v["owner"], is_active=True).first()
        if owner is None:
            raise InvalidInput.field("owner", _("The owner holds a post over the node."))
        resolution = services.resolution_create(
            actor=user, vote=vote, text=v["text"], owner=owner, working_days=v["working_days"]
        )
        return Response(
            DeliberationResolutionSerializer(selectors.resolution_get(user=user, pk=resolution.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        tags=TAGS,
        request=DeliberationCloseSerializer,
        responses={200: DeliberationResolutionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """The owner reports the resolution done (anyone else: 403)."""
        resolution = self.get_object()
        v = _valid(DeliberationCloseSerializer, request)
        services.resolution_close(actor=request.user, resolution=resolution, note=v["note"])
        return Response(
            DeliberationResolutionSerializer(selectors.resolution_get(user=request.user, pk=pk)).data
        )

    @extend_schema(tags=TAGS, request=None, responses={200: DeliberationResolutionSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish to the node's public board."""
        resolution = self.get_object()
        services.resolution_publish(actor=request.user, resolution=resolution)
        return Response(
            DeliberationResolutionSerializer(selectors.resolution_get(user=request.user, pk=pk)).data
        )


ROUTES = [
    ("deliberation/topics", TopicViewSet, "deliberation-topic"),
    ("deliberation/meetings", MeetingViewSet, "deliberation-meeting"),
    ("deliberation/votes", VoteViewSet, "deliberation-vote"),
    ("deliberation/resolutions", ResolutionViewSet, "deliberation-resolution"),
]


def register_routes(router) -> None:
    for prefix, viewset, basename in ROUTES:
        router.register(prefix, viewset, basename=basename)
