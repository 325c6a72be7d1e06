"""The caller's own endpoints: the token login and its profile (who am I, which posts)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.selectors import user_posts
from hlgrid.api import ErrorSerializer
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser
from hlgrid.throttles import AddressThrottle


class TokenBurstThrottle(AddressThrottle):
    scope = "token-burst"


class TokenSustainedThrottle(AddressThrottle):
    scope = "token-sustained"


class TokenLoginView(ObtainAuthToken):
    """Exchange a username and password for an API token.

    Repeated failures lock the account (django-axes, per username and address); attempts from
    one address are limited whatever usernames they name (a burst per minute, a sustained rate
    per hour), so one address cannot try a password against every account."""

    permission_classes = [AllowAny]
    throttle_classes = [TokenBurstThrottle, TokenSustainedThrottle]
    parser_classes = [FormParser, MultiPartParser, JSONParser]  # the bounded ones, not DRF's

    @extend_schema(
        request=inline_serializer(
            "TokenLoginRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses={
            200: inline_serializer("TokenLoginResponse", {"token": serializers.CharField()}),
            400: ErrorSerializer,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many attempts from this address, or the account is locked out "
                "after repeated failures (see Retry-After)",
            ),
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
