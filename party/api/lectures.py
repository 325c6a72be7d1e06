"""The lecture rota's API: a year's lectures in scope, one lecture, and swapping the lecturers
of two lectures (the generator and the other edits are on the pages)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hlgrid.api import ErrorSerializer
from party import selectors
from party.api.common import TAGS, WRITE_ERRORS
from party.services.lectures import lecture_swap


class PartyLectureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    branch = serializers.IntegerField(source="branch_id")
    branch_name = serializers.CharField(source="branch.name")
    month = serializers.DateField()
    theme = serializers.CharField()
    lecturer = serializers.IntegerField(source="lecturer_id", allow_null=True)
    lecturer_name = serializers.CharField(source="lecturer.name", allow_null=True, default=None)
    scheduled_on = serializers.DateField()
    place = serializers.CharField()
    attendance = serializers.IntegerField(allow_null=True)


class PartyLectureSwapSerializer(serializers.Serializer):
    other = serializers.IntegerField(help_text="The lecture whose lecturer is swapped with this one's.")


@extend_schema_view(
    list=extend_schema(
        tags=TAGS, parameters=[OpenApiParameter("year", int, description="default: this year")]
    ),
    retrieve=extend_schema(tags=TAGS, responses={200: PartyLectureSerializer, 404: ErrorSerializer}),
)
class LectureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyLectureSerializer
    pagination_class = None

    def get_queryset(self):
        try:
            year = int(self.request.query_params.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        return selectors.lecture_list(user=self.request.user, year=min(max(year, 2000), 2100))

    def get_object(self):
        return selectors.lecture_get(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(
        tags=TAGS,
        request=PartyLectureSwapSerializer,
        responses={200: PartyLectureSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        """Swap this lecture's lecturer with another lecture's (no lecturer twice a month)."""
        slot = self.get_object()
        data = PartyLectureSwapSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = selectors.lecture_get(user=request.user, pk=data.validated_data["other"])
        slot, _other = lecture_swap(actor=request.user, slot=slot, other=other)
        return Response(PartyLectureSerializer(selectors.lecture_get(user=request.user, pk=slot.pk)).data)
