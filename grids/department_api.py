"""The departments' API: read by every signed-in user (the catalogue of grids.api), created and
changed by those who may configure the city (grids.departments)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from grids import access, cities, departments
from grids.api import DepartmentSerializer
from grids.api import DepartmentViewSet as DepartmentReadViewSet
from grids.models import Department
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound


class DepartmentWriteSerializer(NoUnknownFields, serializers.Serializer):
    city = cities.city_write_field()
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    phone = serializers.CharField(max_length=32, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)


class DepartmentAdminSerializer(DepartmentSerializer):
    is_active = serializers.BooleanField()


WRITE = {**ERROR_RESPONSES, 403: ErrorSerializer}


@extend_schema_view(
    create=extend_schema(
        request=DepartmentWriteSerializer, responses={201: DepartmentAdminSerializer, **WRITE}, tags=["grids"]
    ),
    partial_update=extend_schema(
        request=DepartmentWriteSerializer, responses={200: DepartmentAdminSerializer, **WRITE}, tags=["grids"]
    ),
)
class DepartmentViewSet(DepartmentReadViewSet):
    """The active departments; administrators and city-level officials create and change them
    (PATCH `is_active: false` deactivates one: it is never deleted)."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        access.require_may_configure(request.user)
        data = DepartmentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = departments.department_create(actor=request.user, **data.validated_data)
        return Response(DepartmentAdminSerializer(department).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        # another city's (or none at all): 404 before anything else is said
        department = access.scope_to_cities(request.user, Department.objects.all()).filter(pk=pk).first()
        if department is None:
            raise NotFound()
        access.require_may_configure(request.user, department.city)
        data = DepartmentWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "city" in data.validated_data:
            raise InvalidInput.field("city", _("A department does not move to another city."))
        department = departments.department_update(
            actor=request.user, department=department, **data.validated_data
        )
        return Response(DepartmentAdminSerializer(department).data)
