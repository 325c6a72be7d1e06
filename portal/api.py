"""The caller's own endpoints: the token login and its profile (who am I, which posts)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.selectors import user_posts
from hlgrid.api import ErrorSerializer


class TokenLoginView(ObtainAuthToken):
    """Exchange a username and password for an API token (repeated failures lock the account)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer(
            "TokenLoginRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer("TokenLoginResponse", {"token": serializers.CharField()}),
            400: ErrorSerializer,
            429: OpenApiResponse(description="Locked out after repeated failures"),
        },
        tags=["auth"],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def get_serializer_context(self):
        # django-axes marks a locked-out attempt on the Django request; handing the
        # serializer DRF's wrapper would hide the mark from AxesMiddleware.
        return {**super().get_serializer_context(), "request": self.request._request}


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    node = serializers.IntegerField(source="node_id")
    node_name = serializers.CharField(source="node.name")
    node_kind = serializers.CharField(source="node.kind")
    department = serializers.IntegerField(source="department_id", allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    is_superuser = serializers.BooleanField()
    posts = PostSerializer(many=True)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "is_superuser": user.is_superuser,
            "posts": list(user_posts(user=user)),
        }
        return Response(MeSerializer(data).data)
