"""REST API for residents: places, residents (masked), key memberships and visits.

Every queryset comes from residents.selectors (scoped: out of scope answers 404), and every
object named in a request body is resolved through them too (residents.serializers); lists
use cursor pagination and django-filter filters. Unmasked values only come from the audited
`POST /api/v1/residents/<id>/reveal/`, which writes one access-log row per call.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import access
from grids.access import get_scoped_or_404
from hlgrid import idempotency, lights
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer
from hlgrid.errors import InvalidInput
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import MultiPartParser
from residents import selectors, services
from residents.models import KeyGroup
from residents.serializers import (
    BuildingFilter,
    BuildingSerializer,
    CoverageQuerySerializer,
    CoverageRowSerializer,
    HeadSerializer,
    HouseholdFilter,
    HouseholdSerializer,
    KeyGroupSerializer,
    KeyMembershipFilter,
    KeyMembershipSerializer,
    OccupancySerializer,
    ResidentCreateSerializer,
    ResidentFilter,
    ResidentSerializer,
    RevealRequestSerializer,
    RevealSerializer,
    UnitFilter,
    UnitSerializer,
    VisitCreateSerializer,
    VisitFilter,
    VisitPhotoSerializer,
    VisitPhotoUploadSerializer,
    VisitSerializer,
)

TAG = ["residents"]
WRITE_RESPONSES = {400: ErrorSerializer, 404: ErrorSerializer}


class IdPagination(DefaultCursorPagination):
    ordering = "id"


class MembershipPagination(DefaultCursorPagination):
    ordering = ("next_visit_due", "id")


class VisitPagination(DefaultCursorPagination):
    ordering = ("-visited_at", "-id")


# --- viewsets ----------------------------------------------------------------------------------


def _head(request):
    """The resident named as head in the body (through the scoped selector), or None to clear."""
    query = HeadSerializer(data=request.data, context={"request": request})
    query.is_valid(raise_exception=True)
    return query.validated_data["head"]


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: BuildingSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: BuildingSerializer, **WRITE_RESPONSES}),
)
class BuildingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Buildings (楼栋) in the caller's grids, with their 楼栋长."""

    serializer_class = BuildingSerializer
    pagination_class = IdPagination
    filterset_class = BuildingFilter

    def get_queryset(self):
        return selectors.building_list(user=self.request.user)

    def get_object(self):
        return selectors.building_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        building = services.building_create(
            actor=request.user,
            grid=data["grid"],
            number=data["number"],
            name=data.get("name", ""),
            address=data.get("address", ""),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        return Response(BuildingSerializer(building).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeadSerializer, responses={200: BuildingSerializer, **WRITE_RESPONSES}, tags=TAG)
    @action(detail=True, methods=["post"], url_path="head", filterset_class=None, pagination_class=None)
    def set_head(self, request, pk=None):
        """Make a resident of the building its 楼栋长 (or clear it with null)."""
        building = self.get_object()
        head = _head(request)
        building = services.building_set_head(actor=request.user, building=building, head=head)
        return Response(BuildingSerializer(building).data)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: UnitSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: UnitSerializer, **WRITE_RESPONSES}),
)
class UnitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Units (单元) of buildings in the caller's grids, with their 单元长 and group-chat link."""

    serializer_class = UnitSerializer
    pagination_class = IdPagination
    filterset_class = UnitFilter

    def get_queryset(self):
        return selectors.unit_list(user=self.request.user)

    def get_object(self):
        return selectors.unit_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        unit = services.unit_create(
            actor=request.user,
            building=data["building"],
            number=data["number"],
            wechat_group_url=data.get("wechat_group_url", ""),
        )
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HeadSerializer, responses={200: UnitSerializer, **WRITE_RESPONSES}, tags=TAG)
    @action(detail=True, methods=["post"], url_path="head", filterset_class=None, pagination_class=None)
    def set_head(self, request, pk=None):
        """Make a resident of the unit its 单元长 (or clear it with null)."""
        unit = self.get_object()
        unit = services.unit_set_head(actor=request.user, unit=unit, head=_head(request))
        return Response(UnitSerializer(unit).data)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: HouseholdSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: HouseholdSerializer, **WRITE_RESPONSES}),
)
class HouseholdViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Households (户) in the caller's grids."""

    serializer_class = HouseholdSerializer
    pagination_class = IdPagination
    filterset_class = HouseholdFilter

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    def get_object(self):
        return selectors.household_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        household = services.household_create(actor=request.user, unit=data["unit"], door=data["door"])
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OccupancySerializer, responses={200: HouseholdSerializer, **WRITE_RESPONSES}, tags=TAG
    )
    @action(detail=True, methods=["post"], url_path="occupancy", filterset_class=None, pagination_class=None)
    def set_occupancy(self, request, pk=None):
        """How the dwelling is used (自住 / 出租 / 空置) and, when let, the landlord's household."""
        household = self.get_object()
        query = OccupancySerializer(data=request.data, context={"request": request})
        query.is_valid(raise_exception=True)
        household = services.household_set_occupancy(
            actor=request.user, household=household, **query.validated_data
        )
        return Response(HouseholdSerializer(household).data)


@extend_schema_view(
    list=extend_schema(tags=TAG, description="Residents in scope; ID numbers, phones and health masked."),
    retrieve=extend_schema(tags=TAG, responses={200: ResidentSerializer, 404: ERROR_RESPONSES[404]}),
)
class ResidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Residents, always masked; `reveal` shows the whole values and is logged."""

    serializer_class = ResidentSerializer
    pagination_class = IdPagination
    filterset_class = ResidentFilter

    def get_queryset(self):
        return selectors.resident_list(user=self.request.user)

    def get_object(self):
        return selectors.resident_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request=ResidentCreateSerializer,
        responses={201: ResidentSerializer, **WRITE_RESPONSES},
        tags=TAG,
        description="Register a resident. A bad ID number (length, date, check character) is a 400 on "
        "`id_number` and nothing is written.",
    )
    def create(self, request, *args, **kwargs):
        serializer = ResidentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        resident = services.resident_create(actor=request.user, **serializer.validated_data)
        return Response(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealSerializer, 404: ERROR_RESPONSES[404]},
        tags=TAG,
        description="The unmasked values. Each call writes exactly one access-log row (who, whom, "
        "which fields, when, from where).",
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def reveal(self, request, pk=None):
        resident = self.get_object()
        query = RevealRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        fields = query.validated_data.get("fields") or services.REVEALABLE
        values = services.resident_reveal(
            actor=request.user, resident=resident, fields=fields, request=request
        )
        return Response(RevealSerializer({"id": resident.pk, "name": resident.name, **values}).data)


@extend_schema_view(list=extend_schema(tags=TAG), retrieve=extend_schema(tags=TAG))
class KeyGroupViewSet(viewsets.ReadOnlyModelViewSet):
    """The key groups (五类人群) and their visit intervals."""

    serializer_class = KeyGroupSerializer
    pagination_class = None
    filterset_class = None

    def get_queryset(self):
        return access.scope_to_cities(self.request.user, KeyGroup.objects.all())


@extend_schema_view(
    list=extend_schema(tags=TAG, description="Active key memberships with their light, most overdue first."),
    retrieve=extend_schema(tags=TAG, responses={200: KeyMembershipSerializer, 404: ERROR_RESPONSES[404]}),
    create=extend_schema(tags=TAG, responses={201: KeyMembershipSerializer, **WRITE_RESPONSES}),
)
class KeyMembershipViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Key people's memberships of the five groups, most overdue first, each with its light."""

    serializer_class = KeyMembershipSerializer
    pagination_class = MembershipPagination
    filterset_class = KeyMembershipFilter

    def get_queryset(self):
        return selectors.membership_list(user=self.request.user).order_by("next_visit_due", "id")

    def get_object(self):
        return selectors.membership_get(user=self.request.user, pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.key_membership_create(actor=request.user, **serializer.validated_data)
        membership = selectors.membership_get(user=request.user, pk=membership.pk, on=lights.today())
        return Response(KeyMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(tags=TAG),
    retrieve=extend_schema(tags=TAG, responses={200: VisitSerializer, 404: ERROR_RESPONSES[404]}),
)
class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Visits (走访), newest first. Creating one logs a visit; visits are never edited (a
    correction is a new visit with `corrects`)."""

    serializer_class = VisitSerializer
    pagination_class = VisitPagination
    filterset_class = VisitFilter

    def get_queryset(self):
        return selectors.visit_list(user=self.request.user)

    def get_object(self):
        return selectors.visit_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        request={"application/json": VisitCreateSerializer, "multipart/form-data": VisitCreateSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Generated on the phone: the same key and body answers the first answer and "
                "logs nothing; the same key with another body is refused (422).",
            )
        ],
        responses={
            201: VisitSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input, e.g. far outside the grid"),
            404: ErrorSerializer,
            422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with another request"),
        },
        tags=TAG,
    )
    def create(self, request, *args, **kwargs):
        serializer = VisitCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("visited_at") is not None:
            services.check_captured_at(data["visited_at"])
        household = data.pop("household")
        wanted = set(data.pop("people_seen"))
        people = list(household.residents.filter(pk__in=wanted))
        if len(people) != len(wanted):
            raise InvalidInput.field("people_seen", _("The people seen must live in the household visited."))

        def create() -> dict:
            visit = services.visit_log(actor=request.user, household=household, people_seen=people, **data)
            return VisitSerializer(selectors.visit_get(user=request.user, pk=visit.pk)).data

        key = idempotency.client_key(request.headers.get("Idempotency-Key"))
        if not key:
            return Response(create(), status=201)
        fields = {
            name: request.data.getlist(name) if hasattr(request.data, "getlist") else request.data[name]
            for name in request.data
            if name not in request.FILES
        }
        status_code, answer, _created = idempotency.submit_once(
            stored_key=idempotency.scoped_key(scope="visit", owner=request.user.pk, key=key),
            fingerprint=idempotency.request_fingerprint(
                fields, {n: request.FILES.getlist(n) for n in request.FILES}
            ),
            create=create,
        )
        return Response(answer, status=status_code)

    @extend_schema(
        request={"multipart/form-data": VisitPhotoUploadSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Generated on the phone, one per photo: the same key and photo answers the "
                "first answer and adds nothing; the same key with another photo is refused (422).",
            )
        ],
        responses={
            201: VisitPhotoSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="Not an image, too many photos, not your visit"
            ),
            404: ErrorSerializer,
            422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with another request"),
        },
        tags=TAG,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request, pk=None):
        """Adds one photo to your own visit (the outbox sends a visit's photos one by one)."""
        visit = self.get_object()
        upload = VisitPhotoUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        photo = upload.validated_data["photo"]

        def create() -> dict:
            return VisitPhotoSerializer(
                services.visit_photo_add(actor=request.user, visit=visit, photo=photo)
            ).data

        key = idempotency.client_key(request.headers.get("Idempotency-Key"))
        if not key:
            return Response(create(), status=201)
        status_code, answer, _created = idempotency.submit_once(
            stored_key=idempotency.scoped_key(scope="visit-photo", owner=request.user.pk, key=key),
            fingerprint=idempotency.request_fingerprint({"visit": visit.pk}, {"photo": [photo]}),
            create=create,
        )
        return Response(answer, status=status_code)


class CoverageViewSet(viewsets.ViewSet):
    """Visit coverage of a subtree over a period, by grid (computed in SQL)."""

    @extend_schema(
        parameters=[CoverageQuerySerializer],
        responses={
            200: inline_serializer(
                "Coverage",
                {
                    "node": serializers.IntegerField(),
                    "start": serializers.DateField(),
                    "end": serializers.DateField(),
                    "total": CoverageRowSerializer(),
                    "rows": CoverageRowSerializer(many=True),
                },
            ),
            **WRITE_RESPONSES,
        },
        tags=TAG,
    )
    def list(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if data["start"] > data["end"]:
            raise InvalidInput.field("start", _("The period must start before it ends."))
        node = get_scoped_or_404(
            request.user,
            selectors.coverage_nodes(user=request.user),
            node_path="",
            post_kinds=selectors.COVERAGE_POST_KINDS,
            pk=data["node"],
        )
        report = selectors.coverage(user=request.user, node=node, start=data["start"], end=data["end"])
        return Response(
            {
                "node": node.pk,
                "start": report.start,
                "end": report.end,
                "total": CoverageRowSerializer(report.total).data,
                "rows": CoverageRowSerializer(report.rows, many=True).data,
            }
        )
