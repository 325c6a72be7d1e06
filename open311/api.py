"""The GeoReport v2 endpoints (https://wiki.open311.org/GeoReport_v2), thin: parsing the
standard's parameters, then a selector or a service, then the standard's document.

Under /open311/: `discovery.{json|xml}`, and under `v2/`: `services`, `services/{code}`,
`requests` (GET, POST with api_key), `requests/{id}`, `tokens/{token}`. No session, no CSRF
(no cookie is read); every call is limited per client address (settings "open311" rate).
Requests are "realtime": POST answers the service_request_id at once; a token is the id
itself, so `tokens/{id}` answers for any published request.
"""

import re
from datetime import datetime, time

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from grids import access
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.ids import MAX_ID
from hlgrid.parsers import FormParser, JSONParser, MultiPartParser
from hlgrid.throttles import AddressThrottle
from open311 import georeport, selectors, services
from open311.georeport import NOT_XML

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
TAG = "Open311"
MAX_IDS = selectors.MAX_REQUESTS


class Open311Throttle(AddressThrottle):
    scope = "open311"


# --- the documents, for the schema ------------------------------------------------------------------
class Open311ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField()
    group = serializers.CharField()


class Open311ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = serializers.ListField(child=serializers.DictField())


class Open311RequestSerializer(serializers.Serializer):
    service_request_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_null=True)
    service_name = serializers.CharField(allow_null=True)
    service_code = serializers.CharField(allow_null=True)
    description = serializers.CharField()
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.CharField()
    updated_datetime = serializers.CharField()
    expected_datetime = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_null=True)


class Open311CreatedSerializer(serializers.Serializer):
    service_request_id = serializers.IntegerField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


class Open311TokenSerializer(serializers.Serializer):
    service_request_id = serializers.IntegerField()
    token = serializers.CharField()


class Open311EndpointSerializer(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.ChoiceField(choices=["production", "test"])
    formats = serializers.ListField(child=serializers.CharField())


class Open311DiscoverySerializer(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = Open311EndpointSerializer(many=True)


class Open311RequestCreateSerializer(serializers.Serializer):
    api_key = serializers.CharField()
    jurisdiction_id = serializers.CharField(required=False)
    service_code = serializers.CharField()
    lat = serializers.FloatField(required=False, help_text="With long; or give address_string instead.")
    long = serializers.FloatField(required=False)
    address_string = serializers.CharField(
        required=False, help_text="Without lat/long: it must name exactly one building of the register."
    )
    email = serializers.EmailField(required=False)
    device_id = serializers.CharField(required=False)
    account_id = serializers.CharField(required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    media_url = serializers.URLField(required=False)


FORMAT = OpenApiParameter(
    "fmt", str, OpenApiParameter.PATH, enum=["json", "xml"], description="json or xml (text/xml)"
)
JURISDICTION = OpenApiParameter(
    "jurisdiction_id",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="The city's code (HL, ...); needed only where the deployment serves several cities "
    "(with one, any value names it).",
)


# The standard's error list (an array at the root, which a serializer cannot describe here).
ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


def _errors(*codes: int) -> dict:
    """The answers every GeoReport view can give (a bad argument, no such resource, the rate
    limit) and the view's own, all as the standard's error list."""
    return {
        code: OpenApiResponse(ERROR_LIST, description="The standard's error list")
        for code in sorted({400, 404, 429, *codes})
    }


class GeoReportSchema(AutoSchema):
    def _get_format_parameters(self):
        return []  # the format is the path's suffix; ?format= is not read


def _ok(doc, description: str) -> OpenApiResponse:
    return OpenApiResponse(doc, description=description)


class GeoReportView(APIView):
    """No session or token (nothing to forge, so no CSRF), any caller, per-address limit."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = georeport.RENDERERS
    throttle_classes = [Open311Throttle]
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    xml_root = "response"
    schema = GeoReportSchema()

    def get_exception_handler(self):
        return georeport.exception_handler

    def get_format_suffix(self, **kwargs):
        # The routes name it `fmt`: "format" would make drf-spectacular leave them out as
        # DRF's format-suffix twins of other routes.
        return kwargs.get("fmt")


# --- discovery and services ---------------------------------------------------------------------
class DiscoveryView(GeoReportView):
    xml_root = "discovery"

    @extend_schema(
        tags=[TAG],
        parameters=[FORMAT],
        responses={200: _ok(Open311DiscoverySerializer, "Service discovery"), **_errors(429)},
        operation_id="open311_discovery",
    )
    def get(self, request, fmt=None):
        """Service discovery: where the GeoReport v2 endpoint is and how to get a key."""
        changeset = selectors.w3c(services.open311_catalogue_refresh(actor=access.SYSTEM))
        contact = settings.OPEN311_CONTACT or _("Ask the city's grid governance office.")
        return Response(
            {
                "changeset": changeset,
                "contact": contact,
                "key_service": _(
                    "An administrator of the city issues API keys for POST requests on the settings "
                    "page (Settings › Open311 clients); the key is shown once."
                ),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                        "changeset": changeset,
                        "type": settings.OPEN311_ENDPOINT_TYPE,
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            }
        )


class ServiceListView(GeoReportView):
    xml_root = "services"

    @extend_schema(
        tags=[TAG],
        parameters=[FORMAT, JURISDICTION],
        responses={
            200: _ok(Open311ServiceSerializer(many=True), "The service list"),
            **_errors(400, 404, 429),
        },
        operation_id="open311_services",
    )
    def get(self, request, fmt=None):
        """GET Service List: the active categories of the jurisdiction a request can be filed under."""
        city = selectors.jurisdiction(request.query_params.get("jurisdiction_id"))
        return Response(selectors.service_list(city))


class ServiceDefinitionView(GeoReportView):
    xml_root = "service_definition"

    @extend_schema(
        tags=[TAG],
        parameters=[
            OpenApiParameter("service_code", str, OpenApiParameter.PATH),
            FORMAT,
            JURISDICTION,
        ],
        responses={
            200: _ok(Open311ServiceDefinitionSerializer, "The service definition"),
            **_errors(400, 404, 429),
        },
        operation_id="open311_service_definition",
    )
    def get(self, request, service_code: str, fmt=None):
        """GET Service Definition: no category asks extra questions, so no attributes."""
        city = selectors.jurisdiction(request.query_params.get("jurisdiction_id"))
        category = selectors.service_category(service_code, city)
        if category is None:
            raise NotFound(_("service_code %(code)s was not found.") % {"code": service_code[:32]})
        return Response(selectors.service_definition(category))


# --- requests ---------------------------------------------------------------------------------------
def _listed(request, name: str) -> list[str]:
    raw = request.query_params.get(name) or ""
    if NOT_XML.search(raw):
        raise InvalidInput.field(name, _("Control characters are not allowed."))
    return [part.strip() for part in raw.split(",") if part.strip()]


def _moment(request, name: str) -> datetime | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if NOT_XML.search(raw) or len(raw) > 40:
        raise InvalidInput.field(name, _("Use the W3C date and time format, e.g. 2026-12-01T00:00:00+08:00."))
    # An unencoded "+" of the offset arrives as a space.
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput.field(name, _("Use the W3C date and time format, e.g. 2026-12-01T00:00:00+08:00."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def request_query(request) -> selectors.RequestQuery:
    """The standard's GET requests arguments, checked (400 naming the argument)."""
    raw_ids = _listed(request, "service_request_id")
    if len(raw_ids) > MAX_IDS:
        raise InvalidInput.field("service_request_id", _("At most %(n)d ids.") % {"n": MAX_IDS})
    ids = []
    for raw in raw_ids:
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
            raise InvalidInput.field(
                "service_request_id", _("Not a service_request_id: %(id)s") % {"id": raw[:20]}
            )
        ids.append(int(raw))
    statuses = _listed(request, "status")
    for value in statuses:
        if value not in (selectors.OPEN, selectors.CLOSED):
            raise InvalidInput.field("status", _("status is open or closed."))
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start and end:
        if end < start:
            raise InvalidInput.field("end_date", _("end_date is before start_date."))
        if end - start > selectors.DEFAULT_WINDOW:
            raise InvalidInput.field("end_date", _("start_date and end_date may not span more than 90 days."))
    raw_city = request.query_params.get("jurisdiction_id")
    return selectors.RequestQuery(
        tree_id=selectors.jurisdiction(raw_city).tree_id if raw_city else None,
        ids=tuple(ids),
        service_codes=tuple(_listed(request, "service_code")),
        statuses=tuple(statuses),
        start=start,
        end=end,
    )


def _notice(petition) -> str:
    return _(
        "Received and routed to %(grid)s. The reporter's tracking code is %(code)s: with it, follow "
        "the request and rate the result on %(url)s"
    ) % {
        "grid": petition.grid.name,
        "code": petition.tracking_code,
        "url": petition.tracking_url,
    }


class RequestsView(GeoReportView):
    xml_root = "service_requests"

    @extend_schema(
        tags=[TAG],
        parameters=[
            FORMAT,
            JURISDICTION,
            OpenApiParameter(
                "service_request_id", str, description="Comma-separated ids; overrides the rest."
            ),
            OpenApiParameter("service_code", str, description="Comma-separated service codes."),
            OpenApiParameter(
                "start_date", str, description="W3C datetime; default: 90 days before end_date."
            ),
            OpenApiParameter(
                "end_date", str, description="W3C datetime; default: now (at most 90 days span)."
            ),
            OpenApiParameter("status", str, description="open, closed or open,closed."),
        ],
        responses={
            200: _ok(Open311RequestSerializer(many=True), "Service requests, newest first"),
            **_errors(400, 429),
        },
        operation_id="open311_requests",
    )
    def get(self, request, fmt=None):
        """GET Service Requests: published requests, at most 1000, within 90 days by default."""
        return Response(selectors.request_list(request_query(request)))

    @extend_schema(
        tags=[TAG],
        parameters=[FORMAT],
        request={
            "application/x-www-form-urlencoded": Open311RequestCreateSerializer,
            "multipart/form-data": Open311RequestCreateSerializer,
        },
        responses={
            201: _ok(Open311CreatedSerializer(many=True), "The request was created"),
            **_errors(400, 403, 404, 429),
        },
        operation_id="open311_request_create",
    )
    def post(self, request, fmt=None):
        """POST Service Request (api_key required): becomes a petition like a resident's report."""
        data = request.data
        client = services.open311_client_authenticate(
            api_key=data.get("api_key") or request.query_params.get("api_key")
        )
        petition = services.open311_request_submit(
            client=client,
            service_code=data.get("service_code"),
            lat=data.get("lat"),
            long=data.get("long"),
            address_string=data.get("address_string", ""),
            description=data.get("description", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            media_url=data.get("media_url", ""),
            account_id=data.get("account_id", ""),
            jurisdiction_id=data.get("jurisdiction_id") or request.query_params.get("jurisdiction_id") or "",
        )
        petition.tracking_url = request.build_absolute_uri(
            reverse("petitions:track", args=[petition.tracking_code])
        )
        account_id = petition.open311_submission.account_id or None
        answer = [
            {"service_request_id": petition.pk, "service_notice": _notice(petition), "account_id": account_id}
        ]
        return Response(answer, status=status.HTTP_201_CREATED)


def _published_or_404(raw: str):
    petition = selectors.request_get(int(raw)) if int(raw) <= MAX_ID else None
    if petition is None:
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": raw[:20]})
    return petition


class RequestView(GeoReportView):
    xml_root = "service_requests"

    @extend_schema(
        tags=[TAG],
        parameters=[OpenApiParameter("service_request_id", int, OpenApiParameter.PATH), FORMAT, JURISDICTION],
        responses={
            200: _ok(Open311RequestSerializer(many=True), "The request (a list of one)"),
            **_errors(404, 429),
        },
        operation_id="open311_request",
    )
    def get(self, request, service_request_id: str, fmt=None):
        """GET Service Request."""
        return Response([selectors.request_row(_published_or_404(service_request_id))])


class TokenView(GeoReportView):
    xml_root = "service_requests"

    @extend_schema(
        tags=[TAG],
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH), FORMAT, JURISDICTION],
        responses={
            200: _ok(Open311TokenSerializer(many=True), "The request id of a token"),
            **_errors(404, 429),
        },
        operation_id="open311_token",
    )
    def get(self, request, token: str, fmt=None):
        """GET service_request_id from a token: requests are realtime, a token is the id itself."""
        if not (token.isascii() and token.isdigit()):
            raise NotFound(_("token %(token)s was not found.") % {"token": token[:20]})
        petition = _published_or_404(token)
        return Response([{"service_request_id": petition.pk, "token": str(petition.pk)}])


class NoSuchResourceView(GeoReportView):
    """Anything else under the endpoint: the standard's 404, in the format the path asks for."""

    @extend_schema(exclude=True)
    def get(self, request, rest: str = "", fmt=None):
        raise NotFound(_("No such GeoReport v2 resource."))

    post = get
