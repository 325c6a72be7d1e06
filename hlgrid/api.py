"""API plumbing shared by every app: the error shape every endpoint documents, the router that
builds every API URL, and the serializer guard for requests that must not carry unknown keys."""

import hashlib

from django.urls import register_converter
from django.urls.converters import get_converters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.routers import DefaultRouter


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input"),
    404: OpenApiResponse(ErrorSerializer, description="Not found or outside your scope"),
}


def _register(converter, name: str) -> str:
    if name not in get_converters():
        register_converter(converter, name)
    return name


class _TextConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


def regex_converter(regex: str) -> str:
    """The name of a path converter matching `regex` (a viewset's `lookup_value_regex`)."""
    name = "re_" + hashlib.sha1(regex.encode()).hexdigest()[:10]
    return _register(type(name, (_TextConverter,), {"regex": regex}), name)


class _Lookup:
    """What the router reads of a viewset to build its detail routes."""

    def __init__(self, viewset):
        self.lookup_field = getattr(viewset, "lookup_field", "pk")
        self.lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None)
        converter = getattr(viewset, "lookup_value_converter", None)
        regex = getattr(viewset, "lookup_value_regex", None)
        self.lookup_value_converter = converter or (regex_converter(regex) if regex else "int")


class Router(DefaultRouter):
    """The router of every API route. A detail route takes an id (Django's `int` converter)
    unless its viewset declares another `lookup_value_regex` or `lookup_value_converter`: a
    malformed id does not match the route, so it is a 404 everywhere and no view has to guard
    against one (hlgrid.ids refuses the ids too large for the database)."""

    # JSON is chosen by the Accept header; no ".json" twin of every route (in the schema too).
    include_format_suffixes = False

    def __init__(self, **kwargs):
        kwargs.setdefault("use_regex_path", False)
        super().__init__(**kwargs)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return super().get_lookup_regex(_Lookup(viewset), lookup_prefix)


class NoUnknownFields:
    """A serializer mixin refusing keys it does not declare (400 naming them), for requests
    where a misspelt key would silently mean something else (e.g. "show every value")."""

    def validate(self, attrs):
        initial = getattr(self, "initial_data", None)
        if isinstance(initial, dict):
            unknown = sorted(set(initial) - set(self.fields))
            if unknown:
                known = ", ".join(self.fields)
                message = _("Unknown field. Known fields: %(known)s.") % {"known": known}
                raise serializers.ValidationError({name: [message] for name in unknown})
        return super().validate(attrs)
