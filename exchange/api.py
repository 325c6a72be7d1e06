"""The partner API (12345 hotline platforms): `POST /api/v1/partner/12345/orders/`, signed.

Thin: the signature check and the order's use case are exchange.services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from exchange import selectors, services
from exchange.models import PartnerOrder
from hlgrid.api import ErrorSerializer
from hlgrid.parsers import JSONParser

TAG = "partner-12345"


class PartnerSignatureAuthentication(BaseAuthentication):
    """X-Partner-Key, X-Timestamp and X-Signature over the raw body (exchange.signing)."""

    def authenticate(self, request):
        headers = request._request.headers
        try:
            caller = services.partner_authenticate(
                key_id=headers.get("X-Partner-Key", ""),
                timestamp=headers.get("X-Timestamp", ""),
                signature=headers.get("X-Signature", ""),
                body=request._request.body,
            )
        except services.Unauthenticated as error:
            raise AuthenticationFailed(error.detail) from None
        return caller, caller.partner

    def authenticate_header(self, request) -> str:
        return 'HMAC-SHA256 realm="partner"'


class PartnerThrottle(SimpleRateThrottle):
    """Requests per partner platform (whatever its addresses), at the "partner" rate: one
    platform's burst cannot starve the others or the staff."""

    scope = "partner"

    def get_cache_key(self, request, view):
        if not isinstance(request.user, services.PartnerCaller):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.partner.pk}


class IsPartner(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, services.PartnerCaller)


class OrderSerializer(serializers.Serializer):
    """A work order of the hotline. Unknown keys are kept out of the petition but not refused
    (platforms add fields); they count for "the same order" all the same."""

    order_no = serializers.CharField(
        max_length=64, help_text=_("The hotline's order number (unique per partner).")
    )
    content = serializers.CharField(max_length=2000)
    category_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    grid_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    accept_within_hours = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=720
    )
    accept_due_at = serializers.DateTimeField(required=False, allow_null=True)
    finish_within_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=365)
    finish_due_at = serializers.DateTimeField(required=False, allow_null=True)


class OrderAnswerSerializer(serializers.Serializer):
    order_no = serializers.CharField()
    tracking_code = serializers.CharField()
    status = serializers.CharField(help_text=_("Our petition's status."))
    state = serializers.CharField(
        help_text=_("The order's state with us: RECEIVED, ACCEPTED, RETURNED, REPLIED, RATED.")
    )
    grid = serializers.CharField(help_text=_("The code of the grid it was routed to."))
    accept_due_at = serializers.DateTimeField(allow_null=True)
    finish_due_at = serializers.DateTimeField(allow_null=True)
    created = serializers.BooleanField(help_text=_("False when this order number was already received."))


def answer(order: PartnerOrder, created: bool) -> dict:
    petition = order.petition
    return OrderAnswerSerializer(
        {
            "order_no": order.order_no,
            "tracking_code": petition.tracking_code,
            "status": petition.status,
            "state": order.state,
            "grid": petition.grid.code,
            "accept_due_at": order.accept_due_at,
            "finish_due_at": order.finish_due_at,
            "created": created,
        }
    ).data


class OrderReceiveView(APIView):
    authentication_classes = [PartnerSignatureAuthentication]
    permission_classes = [IsPartner]
    throttle_classes = [PartnerThrottle]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="partner_12345_order_receive",
        summary="A 12345 work order becomes a petition (idempotent by order number)",
        description=(
            "Signed by the partner: X-Partner-Key (its key id), X-Timestamp (unix seconds or ISO 8601 "
            "with a zone, at most 5 minutes from our clock) and X-Signature = hex(HMAC-SHA256(secret, "
            'X-Timestamp + "\\n" + raw body)), each signature used once. 401: a missing or bad '
            "signature, a stale timestamp or a replay. The same order again answers 200 with the "
            "first petition; the same order number with other content, 409. Accept (签收), return "
            "(退单), reply (回单) and satisfaction are posted back to the partner's callback URL, "
            "signed the same way."
        ),
        request=OrderSerializer,
        responses={
            201: OrderAnswerSerializer,
            200: OpenApiResponse(OrderAnswerSerializer, description="The same order again: the first answer"),
            400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
            409: OpenApiResponse(
                ErrorSerializer, description="The order number was received with other content"
            ),
        },
    )
    def post(self, request):
        payload = OrderSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {key: value for key, value in payload.validated_data.items() if value not in (None, "")}
        order, created = services.order_receive(actor=request.user, data=data, document=request.data)
        return Response(
            answer(order, created), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class OrderStatusView(APIView):
    authentication_classes = [PartnerSignatureAuthentication]
    # A caller that is not a partner (a staff session in tests) gets the selector's 404, like
    # an order of another partner: nothing tells it that the route exists for somebody.
    permission_classes = [IsAuthenticated]
    throttle_classes = [PartnerThrottle]

    @extend_schema(
        tags=[TAG],
        operation_id="partner_12345_order_status",
        summary="Where one of the partner's orders stands now",
        description=(
            "Signed like an order, over an empty body: X-Signature = hex(HMAC-SHA256(secret, "
            "X-Timestamp + \"\\n\")). The partner's own orders only: another partner's order number, "
            "or an unknown one, is 404. For a platform that missed a callback or checks before it "
            "escalates on its side."
        ),
        responses={
            200: OrderAnswerSerializer,
            404: OpenApiResponse(ErrorSerializer, description="Not an order of this partner"),
        },
    )
    def get(self, request, order_no: str):
        order = selectors.partner_order(actor=request.user, order_no=order_no)
        return Response(answer(order, created=False))
