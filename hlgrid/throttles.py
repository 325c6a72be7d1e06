"""Limits per client address, and the answer to a client that hit one.

django-axes locks one account after repeated wrong passwords (per username and address), which
does nothing against one address trying one password on many accounts. An `AddressThrottle`
counts the requests of one client address, whichever account they name, at the rate the
settings give its `scope` (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]). A client over the limit
gets the API's JSON error (429, `{"detail": ..., "errors": {}}`) with `Retry-After`.

The address is the one the WSGI server saw (REMOTE_ADDR; behind a TLS proxy, the proxy sets
it): a client-sent X-Forwarded-For must not buy a fresh allowance.

The counters live in the default cache (Redis in production; hlgrid.cache degrades to a
per-process cache while Redis is down, so a limit still holds per process).
"""

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

API_PREFIX = "/api/"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class AddressThrottle(SimpleRateThrottle):
    """Requests per client address; a subclass names the `scope` whose rate applies."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out account (AXES_LOCKOUT_CALLABLE): under /api/ the
    API's JSON error with Retry-After, like a throttled call; elsewhere the page."""
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if not request.path.startswith(API_PREFIX):
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status)
    response = JsonResponse(
        {"detail": _("Too many failed login attempts; try again later."), "errors": {}},
        status=status,
    )
    cool_off_hours = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off_hours, int | float) and cool_off_hours > 0:
        response["Retry-After"] = str(math.ceil(cool_off_hours * 3600))
    return response
