"""The API of a 楼栋长 or 单元长 (/api/v1/heads/...): its account, its units and households
(names and masked phones, never ID numbers), its key people with when they were last seen and
the "seen" confirmation. Thin over residents.heads: everything is scoped to the head's
building or unit, so a head never reaches another one (404), and an account without an active
head account gets nothing (404 for the account, empty lists)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from hlgrid.api import ErrorSerializer, NoUnknownFields
from hlgrid.errors import NotFound
from hlgrid.pagination import DefaultCursorPagination
from residents import heads
from residents.models import Household, KeyMembership, Resident, Unit

TAGS = ["heads"]


class IdPagination(DefaultCursorPagination):
    ordering = "id"


class HeadAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="resident.name")
    role = serializers.SerializerMethodField()
    grid = serializers.IntegerField(source="grid_id")
    grid_name = serializers.CharField(source="grid.name")
    building = serializers.IntegerField(source="building_id")
    building_name = serializers.CharField(source="building.__str__")
    unit = serializers.IntegerField(source="unit_id", allow_null=True)
    unit_name = serializers.SerializerMethodField()

    def get_role(self, account) -> str:
        return "UNIT_HEAD" if account.unit_id else "BUILDING_HEAD"

    def get_unit_name(self, account) -> str | None:
        return str(account.unit) if account.unit_id else None


class HeadAccountView(APIView):
    """The caller's head account: its building, or its unit (404 without one)."""

    @extend_schema(tags=TAGS, responses={200: HeadAccountSerializer, 404: ErrorSerializer})
    def get(self, request):
        return Response(HeadAccountSerializer(heads.require_head(request.user)).data)


class HeadUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    household_count = serializers.IntegerField()


@extend_schema_view(list=extend_schema(tags=TAGS))
class HeadUnitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The units of the head's building (a unit head: its own unit only)."""

    serializer_class = HeadUnitSerializer
    pagination_class = None
    queryset = Unit.objects.none()

    def get_queryset(self):
        account = heads.head_account_of(self.request.user)
        return heads.head_units(account=account) if account else Unit.objects.none()


class HeadHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    door = serializers.CharField()
    label = serializers.CharField()
    resident_count = serializers.IntegerField()


class HeadPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField(help_text="masked")


class HeadHouseholdDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="household.pk")
    door = serializers.CharField(source="household.door")
    label = serializers.CharField(source="household.label")
    residents = HeadPersonSerializer(many=True, source="people")


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS, responses={200: HeadHouseholdDetailSerializer, 404: ErrorSerializer}),
)
class HeadHouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The households of the head's building or unit; one household with its residents (names
    and masked phones; the look is written to the access log). 404 outside."""

    serializer_class = HeadHouseholdSerializer
    pagination_class = IdPagination
    queryset = Household.objects.none()

    def get_queryset(self):
        account = heads.head_account_of(self.request.user)
        return heads.head_households(account=account) if account else Household.objects.none()

    def retrieve(self, request, pk=None):
        account = heads.require_head(request.user)
        household, people = heads.head_household(account=account, pk=int(pk))
        return Response(HeadHouseholdDetailSerializer({"household": household, "people": people}).data)


class HeadKeyPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resident = serializers.IntegerField(source="resident_id")
    name = serializers.CharField(source="resident.name")
    group = serializers.CharField(source="group.name")
    household = serializers.CharField(source="resident.household.label")
    last_seen_at = serializers.DateTimeField(allow_null=True)


class HeadSeenSerializer(NoUnknownFields, serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class HeadSightingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    resident = serializers.IntegerField(source="resident_id")
    seen_at = serializers.DateTimeField()
    note = serializers.CharField()


@extend_schema_view(list=extend_schema(tags=TAGS))
class HeadKeyPersonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The key people living in the head's building or unit, with when they were last seen;
    `POST .../{resident id}/seen/` confirms one was seen (404 for anyone else's)."""

    serializer_class = HeadKeyPersonSerializer
    pagination_class = IdPagination
    queryset = KeyMembership.objects.none()

    def get_queryset(self):
        account = heads.head_account_of(self.request.user)
        if self.action == "seen":
            if account is None:
                return Resident.objects.none()
            return Resident.objects.filter(
                pk__in=heads.head_key_people(account=account).values("resident_id")
            )
        return heads.head_key_people_seen(account=account) if account else KeyMembership.objects.none()

    @extend_schema(
        tags=TAGS,
        request=HeadSeenSerializer,
        responses={201: HeadSightingSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def seen(self, request, pk=None):
        """Confirm that this key person (the resident's id) was seen."""
        data = HeadSeenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resident = self.get_queryset().filter(pk=int(pk)).first()
        if resident is None:
            raise NotFound()
        sighting = heads.sighting_record(
            actor=request.user, resident=resident, note=data.validated_data["note"]
        )
        return Response(HeadSightingSerializer(sighting).data, status=status.HTTP_201_CREATED)
