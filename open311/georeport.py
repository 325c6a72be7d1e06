"""The GeoReport v2 wire format: JSON and XML renderers, and the standard's error list.

The XML follows the standard's element names exactly (its JSON is the "Spark" mapping of the
XML): a list is an element whose children are its items, each named by ITEM_TAGS (services →
service, service_requests → request, attributes → attribute, ...); true/false are written as
`true`/`false` and a missing value as an empty element (`<account_id/>`). Documents are built
with xml.etree (no string concatenation) and start with the UTF-8 XML declaration.

Errors are the standard's list, `[{"code": 404, "description": "..."}]` or
`<errors><error><code>404</code><description>...</description></error></errors>`, with the
HTTP status of the first error.
"""

import re
import xml.etree.ElementTree as ET

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from hlgrid.errors import TOO_LARGE, DomainError, RequestTooLarge

ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the document).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class GeoReportJSONRenderer(JSONRenderer):
    charset = "utf-8"  # Content-Type: application/json; charset=utf-8, as the standard shows


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAGS.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, tag), inner)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


class GeoReportXMLRenderer(BaseRenderer):
    """XML whose root is the view's `xml_root` (`errors` for an error answer)."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            root = "errors"
        else:
            root = getattr(context.get("view"), "xml_root", "response")
        return to_xml(root, data)


RENDERERS = [GeoReportJSONRenderer, GeoReportXMLRenderer]


def error_list(status: int, descriptions: list[str]) -> list[dict]:
    return [{"code": status, "description": d} for d in descriptions] or [
        {"code": status, "description": _("The request could not be carried out.")}
    ]


def _field_messages(errors: dict) -> list[str]:
    return [f"{field}: {message}" for field, messages in errors.items() for message in messages]


def _drf_messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {m}" for key, value in detail.items() for m in _drf_messages(value)]
    if isinstance(detail, list | tuple):
        return [m for item in detail for m in _drf_messages(item)]
    return [str(detail)]


def exception_handler(exc, context):
    """Every failure of a GeoReport view as the standard's error list."""
    headers = {}
    if isinstance(exc, DomainError):
        status = exc.status_code
        descriptions = _field_messages(exc.errors) or [exc.detail]
    else:
        if isinstance(exc, TOO_LARGE):
            exc = RequestTooLarge()
        elif isinstance(exc, Http404):
            exc = exceptions.NotFound()
        elif isinstance(exc, DjangoPermissionDenied):
            exc = exceptions.PermissionDenied()
        if not isinstance(exc, exceptions.APIException):
            return None
        status = exc.status_code
        descriptions = _drf_messages(exc.detail)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
    return Response(error_list(status, descriptions), status=status, headers=headers)
