"""A 楼栋长's or 单元长's reports through the API (/api/v1/heads/petitions/): report a problem
(a petition with source HEAD, in the grid of the head's building, with a photo optionally) and
list its own reports. Thin over petitions.services.intake.head_petition_report; 404 without an
active head account."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from hlgrid.api import ErrorSerializer, NoUnknownFields
from hlgrid.pagination import DefaultCursorPagination
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser
from petitions.models import Petition, Source
from petitions.services.intake import head_petition_report
from residents.heads import head_account_of, require_head

TAGS = ["heads"]


class HeadReportSerializer(NoUnknownFields, serializers.Serializer):
    description = serializers.CharField(max_length=2000)
    photo = serializers.FileField(required=False)


class HeadPetitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    light = serializers.CharField()
    grid = serializers.IntegerField(source="grid_id")
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class NewestFirst(DefaultCursorPagination):
    ordering = "-id"


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(
        tags=TAGS,
        request={"multipart/form-data": HeadReportSerializer, "application/json": HeadReportSerializer},
        responses={201: HeadPetitionSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    ),
)
class HeadPetitionViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The head's own reports; a new report lands in its building's grid with the head as reporter."""

    serializer_class = HeadPetitionSerializer
    pagination_class = NewestFirst
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = Petition.objects.none()

    def get_queryset(self):
        if head_account_of(self.request.user) is None:
            return Petition.objects.none()
        return Petition.objects.filter(created_by_id=self.request.user.pk, source=Source.HEAD)

    def create(self, request):
        require_head(request.user)
        data = HeadReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = data.validated_data.get("photo")
        petition = head_petition_report(
            actor=request.user,
            description=data.validated_data["description"],
            photos=[photo] if photo else [],
        )
        return Response(HeadPetitionSerializer(petition).data, status=status.HTTP_201_CREATED)
