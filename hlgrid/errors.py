"""One family of domain errors, and the single place that maps them to API answers.

Every JSON error has the shape {"detail": str, "errors": {field: [messages]}}.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request could not be carried out.")

    def __init__(self, detail=None, errors: dict | None = None):
        self.detail = str(detail or self.default_detail)
        self.errors = errors or {}
        super().__init__(self.detail)


class InvalidInput(DomainError):
    default_detail = _("Invalid input.")

    @classmethod
    def field(cls, field: str, message) -> "InvalidInput":
        return cls(message, errors={field: [str(message)]})


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = _("Not found.")


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = _("You are not allowed to do this.")


class TransitionNotAllowed(DomainError):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not allowed in the current state.")


class RequestTooLarge(exceptions.APIException):
    """A body over the size limits (hlgrid.parsers, DATA_UPLOAD_MAX_MEMORY_SIZE)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


# Django refuses these while reading a body (too many bytes, fields or files): a 413, not a 500
# or Django's HTML page.
TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def _messages(value) -> list[str]:
    """Every message in a DRF error detail, however nested (a list field reports its items'
    errors as {index: [...]}, a nested serializer as {field: [...]}), as plain strings."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            if isinstance(value, dict) and all(isinstance(k, str) for k in value):
                # a nested object: its fields under "outer.inner"
                for inner, messages in _flatten(value).items():
                    flat[f"{key}.{inner}"] = messages
            else:
                flat[str(key)] = _messages(value)
        return flat
    return {"non_field_errors": _messages(detail)}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(
            {"detail": exc.detail, "errors": {k: list(map(str, v)) for k, v in exc.errors.items()}},
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            {"detail": str(_("Invalid input.")), "errors": _flatten(errors)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, TOO_LARGE):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": str(_("Invalid input.")), "errors": _flatten(exc.detail)}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"detail": str(detail), "errors": {}}
    return response


# --- Django's own answers under /api/ (handler400 and handler404 of the root URLconf) -----------

API_PREFIX = "/api/"


def _json_error(detail, status_code: int) -> JsonResponse:
    return JsonResponse({"detail": str(detail), "errors": {}}, status=status_code)


def bad_request(request, exception=None, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """A request Django refused before or while reading it: JSON under /api/ (413 for a body
    too large), the usual page elsewhere."""
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, TOO_LARGE):
            return _json_error(RequestTooLarge.default_detail, RequestTooLarge.status_code)
        return _json_error(exceptions.ParseError.default_detail, status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception, template_name=template_name)


def page_not_found(request, exception=None, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    """No route (a malformed id does not match one): JSON under /api/, the usual page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return _json_error(exceptions.NotFound.default_detail, status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception, template_name=template_name)


def permission_denied(request, exception=None, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    """A refusal outside a DRF view (a page's PermissionDenied): JSON under /api/."""
    if request.path.startswith(API_PREFIX):
        return _json_error(exceptions.PermissionDenied.default_detail, status.HTTP_403_FORBIDDEN)
    return defaults.permission_denied(request, exception, template_name=template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """An unhandled error: JSON under /api/ (a client parses it like any other error), else the
    site's own page, which renders without a database or a context (500.html extends nothing)."""
    if request.path.startswith(API_PREFIX):
        return _json_error(_("A server error occurred."), status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request, template_name=template_name)


class StyledNotFoundMiddleware:
    """A 404 that a view raises (an id outside the user's scope, one that no longer exists) is
    the site's own page even with DEBUG on, where Django would show its technical page: users
    reach those by links. A URL that matches no route still gets the technical page in DEBUG,
    which is what a developer wants to see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and settings.DEBUG:
            return page_not_found(request, exception)
        return None
