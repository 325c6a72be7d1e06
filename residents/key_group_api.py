"""The key groups' API: read by every signed-in user, created and changed by those who may
configure the city (residents.key_groups)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from grids import access, cities
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from residents import key_groups
from residents.api import KeyGroupViewSet as KeyGroupReadViewSet
from residents.models import KeyGroup
from residents.serializers import KeyGroupSerializer

TAG = ["residents"]
WRITE = {**ERROR_RESPONSES, 403: ErrorSerializer}


class KeyGroupWriteSerializer(NoUnknownFields, serializers.Serializer):
    city = cities.city_write_field()
    name = serializers.CharField(max_length=32)
    visit_interval_days = serializers.IntegerField()
    description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    order = serializers.IntegerField(required=False)


@extend_schema_view(
    create=extend_schema(
        request=KeyGroupWriteSerializer, responses={201: KeyGroupSerializer, **WRITE}, tags=TAG
    ),
    partial_update=extend_schema(
        request=KeyGroupWriteSerializer, responses={200: KeyGroupSerializer, **WRITE}, tags=TAG
    ),
)
class KeyGroupViewSet(KeyGroupReadViewSet):
    """The key groups (五类人群) and their visit intervals; administrators and city-level
    officials create and change them. A new interval applies to new members and from each
    member's next visit."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        access.require_may_configure(request.user)
        data = KeyGroupWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = key_groups.key_group_create(actor=request.user, **data.validated_data)
        return Response(KeyGroupSerializer(group).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        # another city's (or none at all): 404 before anything else is said
        group = access.scope_to_cities(request.user, KeyGroup.objects.all()).filter(pk=pk).first()
        if group is None:
            raise NotFound()
        access.require_may_configure(request.user, group.city)
        data = KeyGroupWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "city" in data.validated_data:
            raise InvalidInput.field("city", _("A key group does not move to another city."))
        group = key_groups.key_group_update(actor=request.user, group=group, **data.validated_data)
        return Response(KeyGroupSerializer(group).data)
