"""One family of domain errors, and the single place that maps them to API answers.

Every JSON error has the shape {"detail": str, "errors": {field: [messages]}}.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
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


def _flatten(detail) -> dict:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {"non_field_errors": [str(m) for m in detail]}
    return {"non_field_errors": [str(detail)]}


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
    if isinstance(exc, Http404):
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
