"""The one way an uploaded file leaves the server: after a view has checked who asks.

Uploads (visit photos, petition photos, inspection evidence) show people, homes and
problems, so `/media/` is not served openly. Each app owns a view for its own files that
finds the record through its scoped selectors (grids.access) and then answers here:

- MEDIA_SENDFILE = "nginx": an empty answer with `X-Accel-Redirect` to
  MEDIA_INTERNAL_PREFIX + the file's name; nginx sends the bytes from an `internal`
  location, so a worker process is not tied up streaming a photo;
- MEDIA_SENDFILE = "apache": `X-Sendfile` with the file's path (mod_xsendfile);
- MEDIA_SENDFILE = "redirect" (uploads on S3-compatible storage, MEDIA_STORAGE=s3): a 302
  to a signed address that expires in S3_URL_EXPIRES seconds, with the type, disposition
  and cache rules below signed into it, so the object store sends the bytes;
- unset (development, tests): Django streams the file itself (from the disk or the bucket).

Every answer may be kept by the browser only (`Cache-Control: private`): a shared cache
must never hand one user's photo to another.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control

# Only what the photo cleaner stores is shown inline; anything else (a file from before the
# cleaner, a wrong extension) is offered as a download, so a browser never renders an
# uploaded HTML or SVG file as a page of this site.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Stored names are random, so a file never changes under its URL.
MAX_AGE = 3600


def _content_type(name: str, declared: str | None) -> str:
    guessed = declared or mimetypes.guess_type(name)[0] or ""
    return guessed if guessed in INLINE_TYPES else "application/octet-stream"


def file_response(field_file, *, content_type: str | None = None) -> HttpResponse:
    """Answer with the file of `field_file` (a FieldFile); 404 when there is none."""
    name = getattr(field_file, "name", "") or ""
    if not name:
        raise Http404
    content_type = _content_type(name, content_type)
    disposition = "inline" if content_type in INLINE_TYPES else "attachment"
    mode = getattr(settings, "MEDIA_SENDFILE", "")
    if mode == "redirect":
        return _redirect(field_file.storage, name, content_type=content_type, disposition=disposition)
    if mode == "nginx":
        response = HttpResponse(content_type=content_type)
        prefix = settings.MEDIA_INTERNAL_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = f"{prefix}/{quote(name)}"
    elif mode == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = field_file.storage.path(name)
    else:
        try:
            handle = field_file.storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = disposition
    patch_cache_control(response, private=True, max_age=MAX_AGE)
    return response


def _redirect(storage, name: str, *, content_type: str, disposition: str) -> HttpResponse:
    if getattr(storage, "querystring_auth", False):
        # S3 answers the signed request with these headers instead of the object's own, so
        # an uploaded file is never rendered as a page and no shared cache keeps it.
        url = storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": f"private, max-age={MAX_AGE}",
            },
        )
    else:
        url = storage.url(name)
    response = HttpResponseRedirect(url)
    # The signed address expires: the redirect itself must not be kept.
    patch_cache_control(response, private=True, no_store=True)
    return response
