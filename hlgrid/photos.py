"""The one photo cleaner: every uploaded photo (visits, petitions, inspections) passes here.

A photo is accepted only if it is a real JPEG, PNG or WebP image under the size limit and
of sensible dimensions. What is stored is re-encoded from the pixels alone, turned upright
from its EXIF orientation and shrunk to at most MAX_SIDE on its longest side: EXIF (and
with it the GPS position and the device), comments and any bytes smuggled after the image
are dropped. `gps` reads the position first, for forms that offer it to the reporter.
"""

import io
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from hlgrid.errors import InvalidInput

MAX_BYTES = 12 * 1024 * 1024
MAX_COUNT = 6
MAX_SIDE = 2048
MIN_SIDE = 16
# Decoding more pixels than this is refused outright (a "decompression bomb" is a small
# file that expands to gigabytes in memory).
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
FIELD = "photos"


@dataclass(frozen=True)
class CleanPhoto:
    content: ContentFile
    content_type: str
    size: int
    width: int
    height: int

    @property
    def meta(self) -> dict:
        return {
            "content_type": self.content_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
        }


def _refuse(message) -> InvalidInput:
    return InvalidInput.field(FIELD, message)


def check_count(photos, *, limit: int = MAX_COUNT) -> list:
    photos = list(photos or [])
    if len(photos) > limit:
        raise _refuse(_("At most %(n)d photos.") % {"n": limit})
    return photos


def _open(upload) -> Image.Image:
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise _refuse(_("A photo may be at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise _refuse(_("A photo may be at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _refuse(_("This photo has too many pixels."))
            probe.verify()  # structure check; the object is unusable afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("This file is not a valid image.")) from None
    if fmt not in FORMATS:
        raise _refuse(_("Photos must be JPEG, PNG or WebP images."))
    if min(width, height) < MIN_SIDE:
        raise _refuse(_("This photo is too small to show anything."))
    image.format = fmt
    return image


def clean(upload) -> CleanPhoto:
    """A real image, upright and re-encoded without any metadata; InvalidInput on `photos` if not."""
    image = _open(upload)
    fmt = image.format
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    pixels = image.copy()  # pixel data only: info and EXIF are not carried over
    pixels.info = {}
    out = io.BytesIO()
    params = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
    pixels.save(out, format=fmt, **params)
    ext = FORMATS[fmt]
    return CleanPhoto(
        content=ContentFile(out.getvalue(), name=f"{secrets.token_hex(8)}.{ext}"),
        content_type="image/jpeg" if fmt == "JPEG" else f"image/{ext}",
        size=out.tell(),
        width=pixels.width,
        height=pixels.height,
    )


def clean_all(photos, *, limit: int = MAX_COUNT) -> list[CleanPhoto]:
    """Every photo checked before any is stored, so a bad one stores nothing."""
    return [clean(photo) for photo in check_count(photos, limit=limit)]


def gps(upload) -> tuple[float, float] | None:
    """The EXIF GPS position of a photo (lat, lng), offered to the reporter before it is stripped."""
    image = _open(upload)
    try:
        ifd = image.getexif().get_ifd(0x8825)
    except Exception:  # noqa: BLE001 — broken EXIF is common and simply means no position
        return None
    if not ifd or 2 not in ifd or 4 not in ifd:
        return None

    def degrees(values, ref) -> float:
        d, m, s = (float(v) for v in values)
        value = d + m / 60 + s / 3600
        return -value if ref in ("S", "W") else value

    try:
        return degrees(ifd[2], ifd.get(1, "N")), degrees(ifd[4], ifd.get(3, "E"))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
