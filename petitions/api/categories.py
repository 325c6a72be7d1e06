"""The petition categories: public to read, because the residents' report form offers them;
created and changed by those who may configure the city (petitions.services.categories)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from grids import access, cities
from grids.models import Department
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import InvalidInput, NotFound
from petitions import selectors, services
from petitions.api.common import E404
from petitions.models import Category, Level, LimitUnit


class CategorySerializer(serializers.ModelSerializer):
    parent_name = serializers.CharField(source="parent.name", default="", read_only=True)
    department_name = serializers.CharField(source="department.name", default="", read_only=True)

    class Meta:
        model = Category
        fields = [
            "id",
            "city",
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
            "urgent_hours",
            "critical_hours",
        ]


class CategoryWriteSerializer(NoUnknownFields, serializers.Serializer):
    """A category's fields; the service checks them (positive limits, a unique code, two levels)."""

    city = cities.city_write_field()
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=64)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), allow_null=True, required=False
    )
    keywords = serializers.CharField(max_length=500, allow_blank=True, required=False)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False
    )
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    verify_hours = serializers.IntegerField(required=False)
    handle_limit = serializers.IntegerField(required=False)
    handle_unit = serializers.ChoiceField(choices=LimitUnit.choices, required=False)
    callback_days = serializers.IntegerField(required=False)
    urgent_hours = serializers.IntegerField(required=False)
    critical_hours = serializers.IntegerField(required=False)
    is_active = serializers.BooleanField(required=False)


WRITE_RESPONSES = {200: CategorySerializer, **ERROR_RESPONSES, 403: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(tags=["petitions"]),
    retrieve=extend_schema(responses={200: CategorySerializer, 404: E404}, tags=["petitions"]),
    create=extend_schema(
        request=CategoryWriteSerializer,
        responses={201: CategorySerializer, **ERROR_RESPONSES, 403: ErrorSerializer},
        tags=["petitions"],
    ),
    partial_update=extend_schema(
        request=CategoryWriteSerializer, responses=WRITE_RESPONSES, tags=["petitions"]
    ),
)
class CategoryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The categories with their department, level and time limits (public: the report form
    uses them). Administrators and city-level officials create and change them (PATCH
    `is_active: false` deactivates one); a change applies to petitions received or classified
    from now on, and open petitions keep their deadlines."""

    serializer_class = CategorySerializer
    permission_classes = [AllowAny]
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        """Signed in: the categories of the user's cities; the public: every city's, or those of
        `?city=` (the report form of one city)."""
        user = self.request.user
        categories = selectors.category_list(user=user if user.is_authenticated else None)
        city = self.request.query_params.get("city", "")
        if city:
            if not city.isdigit():
                raise InvalidInput.field("city", _("A city id is a number."))
            categories = categories.filter(city_id=int(city))
        return categories

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except Category.DoesNotExist:
            raise NotFound() from None

    def create(self, request, *args, **kwargs):
        access.require_may_configure(request.user)
        data = CategoryWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(actor=request.user, **data.validated_data)
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        access.require_may_configure(request.user)
        category = (
            access.scope_to_cities(request.user, Category.objects.all()).filter(pk=kwargs["pk"]).first()
        )
        if category is None:
            raise NotFound()
        data = CategoryWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "city" in data.validated_data:
            raise InvalidInput.field("city", _("A category does not move to another city."))
        category = services.category_update(actor=request.user, category=category, **data.validated_data)
        return Response(CategorySerializer(category).data)
