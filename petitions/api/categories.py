"""The petition categories: public, because the residents' report form offers them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from petitions import selectors
from petitions.api.common import E404
from petitions.models import Category


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
