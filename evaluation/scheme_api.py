"""The assessment schemes' API: their thresholds, bonus rule and indicators; a PATCH changes the
thresholds and the bonus rule through services.scheme_save (a new version, copied by periods
opened from now on). Assessors and administrators change them; officials read them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from evaluation import services
from evaluation.models import GRADE_ORDER, HeadMode, Scheme, SchemeIndicator
from evaluation.policy import is_assessor, require_assessor
from grids import access
from hlgrid.api import ERROR_RESPONSES, ErrorSerializer, NoUnknownFields
from hlgrid.errors import NotFound

TAGS = ["evaluation"]
FIELDS = (
    "excellent_min",
    "good_min",
    "pass_min",
    "star_thresholds",
    "worker_base",
    "coefficients",
    "head_base",
    "head_mode",
    "min_tenure_percent",
    "appeal_days",
)


class SchemeIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchemeIndicator
        fields = ["code", "name", "source", "method", "weight", "rule", "params"]


class SchemeSerializer(serializers.ModelSerializer):
    indicators = SchemeIndicatorSerializer(many=True, read_only=True)
    star_thresholds = serializers.ListField(child=serializers.CharField())
    coefficients = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = Scheme
        fields = ["id", "name", "version", *FIELDS, "indicators", "updated_at"]


def _points():
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )


class SchemeChangeSerializer(NoUnknownFields, serializers.Serializer):
    excellent_min = _points()
    good_min = _points()
    pass_min = _points()
    star_thresholds = serializers.ListField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100),
        min_length=4,
        max_length=4,
        required=False,
    )
    worker_base = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    coefficients = serializers.DictField(
        child=serializers.DecimalField(max_digits=4, decimal_places=2, min_value=0), required=False
    )
    head_base = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    head_mode = serializers.ChoiceField(choices=HeadMode.choices, required=False)
    min_tenure_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    appeal_days = serializers.IntegerField(min_value=1, max_value=60, required=False)

    def validate_coefficients(self, value):
        unknown = sorted(set(value) - set(GRADE_ORDER))
        if unknown:
            raise serializers.ValidationError(f"Unknown grades: {', '.join(unknown)}")
        return value


def _may_read(user) -> bool:
    return is_assessor(user) or access.may_view_configuration(user)


@extend_schema_view(
    list=extend_schema(responses={200: SchemeSerializer(many=True), 404: ErrorSerializer}, tags=TAGS),
    retrieve=extend_schema(responses={200: SchemeSerializer, 404: ERROR_RESPONSES[404]}, tags=TAGS),
    partial_update=extend_schema(
        request=SchemeChangeSerializer,
        responses={200: SchemeSerializer, **ERROR_RESPONSES, 403: ErrorSerializer},
        tags=TAGS,
    ),
)
class SchemeViewSet(viewsets.GenericViewSet):
    """Assessment schemes (考核方案) with their indicators and bonus rule."""

    serializer_class = SchemeSerializer
    pagination_class = None
    queryset = Scheme.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if not _may_read(self.request.user):
            return Scheme.objects.none()
        schemes = access.scope_to_cities(self.request.user, Scheme.objects.all())
        return schemes.prefetch_related("indicators").order_by("name")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except Scheme.DoesNotExist:
            raise NotFound() from None

    def list(self, request):
        if not _may_read(request.user):
            raise NotFound()
        return Response(SchemeSerializer(self.get_queryset(), many=True).data)

    def retrieve(self, request, pk=None):
        return Response(SchemeSerializer(self.get_object()).data)

    def partial_update(self, request, pk=None):
        scheme = self.get_object()
        require_assessor(request.user)
        data = SchemeChangeSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {name: getattr(scheme, name) for name in FIELDS}
        values.update(data.validated_data)
        if "coefficients" in data.validated_data:
            values["coefficients"] = {**scheme.coefficients, **data.validated_data["coefficients"]}
        saved = services.scheme_save(
            actor=request.user,
            city=scheme.city,
            name=scheme.name,
            indicators=services.scheme_specs(scheme),
            **values,
        )
        return Response(SchemeSerializer(Scheme.objects.prefetch_related("indicators").get(pk=saved.pk)).data)
