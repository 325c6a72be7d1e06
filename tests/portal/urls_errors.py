"""The project's URLs plus views that fail, to see the error pages the handlers answer."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500  # noqa: F401  (the handlers under test)
from portal.urls import urlpatterns as project


def crash(request):
    raise RuntimeError("boom")


def refuse(request):
    raise PermissionDenied


def missing(request):
    raise Http404("no such record")


urlpatterns = [
    path("crash/", crash),
    path("api/v1/crash/", crash),
    path("refuse/", refuse),
    path("missing/", missing),
    *project,
]
