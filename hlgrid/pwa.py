"""The installable app: its web app manifest and its service worker at the root scope.

The worker is built by `make assets` (frontend/sw.mjs, Workbox) into build/sw.js, collected as
static/dist/sw.js; it is answered here, at /sw.js, so that its scope is the whole site, with the
addresses of the scripts it imports as the static storage names them (hashed in production).
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

SW_FILE = "dist/sw.js"
SW_IMPORTS = ["vendor/idb/umd.js", "js/outbox-core.js", "js/outbox-sw.js"]
THEME = "#b71c1c"


def _sw_source() -> str:
    if settings.STATIC_MANIFEST:
        if not staticfiles_storage.exists(SW_FILE):
            raise Http404("no service worker built (make assets, collectstatic)")
        with staticfiles_storage.open(SW_FILE) as built:
            return built.read().decode()
    found = finders.find(SW_FILE)
    if not found:
        raise Http404("no service worker built (make assets)")
    with open(found, encoding="utf-8") as built:
        return built.read()


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    source = _sw_source()
    for name in SW_IMPORTS:
        source = source.replace(f'"{settings.STATIC_URL}{name}"', f'"{static(name)}"')
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    """The web app manifest: installable from the browser's menu, opening on My day."""
    return JsonResponse(
        {
            "name": settings.SITE_NAME or "和龙网格",
            "short_name": settings.SITE_SHORT_NAME or "和龙网格",
            "lang": "zh-Hans",
            "id": "/",
            "start_url": reverse("residents:my_day"),
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "theme_color": THEME,
            "background_color": "#ffffff",
            "icons": [
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("img/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def outbox(request):
    """What this phone made offline and has not yet sent (kept in IndexedDB: static/js/outbox.js
    draws it); open to anyone, since a resident's report waits there too. No data of the server."""
    return render(request, "outbox.html")
