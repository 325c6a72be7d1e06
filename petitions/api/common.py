"""What the petitions API modules share: the documented error answers, small reference
serializers and the one way a view validates its input."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from hlgrid.api import ErrorSerializer
from petitions.models import Satisfaction

E400 = OpenApiResponse(ErrorSerializer, description="Invalid input")
E403 = OpenApiResponse(ErrorSerializer, description="Your role may not do this")
E404 = OpenApiResponse(ErrorSerializer, description="Not found or outside your scope")
E409 = OpenApiResponse(ErrorSerializer, description="Not allowed in the current state")
E422 = OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with a different request")
E429 = OpenApiResponse(ErrorSerializer, description="Too many requests from this client")
TRANSITION_ERRORS = {400: E400, 403: E403, 404: E404, 409: E409}


class GridRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class CallbackSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    solved = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AttachmentUploadSerializer(serializers.Serializer):
    photo = serializers.FileField()


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
