"""The one photo cleaner: every uploaded photo (visits, petitions, inspections) passes here.

A photo is accepted only if it is a real JPEG, PNG or WebP image under the size limit and
of sensible dimensions. What is stored is re-encoded from the pixels alone, turned upright
from its EXIF orientation and shrunk to at most MAX_SIDE on its longest side: EXIF (and
with it the GPS position and the device), comments and any bytes smuggled after the image
are dropped. `gps` reads the position first, for forms that offer it to the reporter.

Decoding is the expensive part (a 1-bit PNG of 144 megapixels is 85 KB on the wire and
gigabytes in memory), so nothing is decoded until every photo of the request has been
checked from its header alone: the format (only the JPEG, PNG and WebP parsers ever run),
the pixels of each photo (MAX_PIXELS) and of all of them together (MAX_TOTAL_PIXELS), and
the number of scans of a progressive JPEG (each one is a pass over the whole image). A JPEG
is then decoded at the smallest scale that still gives MAX_SIDE (libjpeg's DCT scaling).
"""

import io
import math
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
# file that expands to gigabytes in memory). A 12 MP phone photo is far below it.
MAX_PIXELS = 40_000_000
# The decoding work of one request: six 12 MP phone photos fit, six bombs of 40 MP do not.
MAX_TOTAL_PIXELS = 100_000_000
# libjpeg's progressive scripts use about ten scans; a crafted file can hold thousands.
MAX_JPEG_SCANS = 100
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


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return None


# Start-of-frame markers (baseline, progressive, lossless...): not DHT (C4), JPG (C8), DAC (CC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """A JPEG's size from its frame header, walking the marker segments before the first scan."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before them
            return None
        if marker in _SOF and i + 9 <= len(data):
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """A WebP's canvas from its first chunk header (Pillow's WebP parser allocates the whole
    canvas as it opens the file)."""
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _header_size(data: bytes) -> tuple[int, int] | None:
    """The size a file declares in its first bytes, read before any parser runs on it: Pillow
    warns about (or, for WebP, allocates) a huge image while it opens it."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise _refuse(_("This photo has too many pixels."))


@dataclass(frozen=True)
class _Probe:
    """A photo checked from its header and structure; not a pixel decoded yet."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


def _open_header(data: bytes) -> Image.Image:
    # Only the three parsers of the formats taken run on untrusted bytes.
    return Image.open(io.BytesIO(data), formats=list(FORMATS))


def _probe(upload) -> _Probe:
    too_big = _("A photo may be at most %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise _refuse(too_big)
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_BYTES:
        raise _refuse(too_big)
    declared = _header_size(data)
    if declared is not None:
        _check_pixels(*declared)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise _refuse(_("This file is not a valid image."))
    try:
        with _open_header(data) as header:
            fmt = header.format
            width, height = header.size
            _check_pixels(width, height)
            if fmt == "JPEG" and data.count(b"\xff\xda") > MAX_JPEG_SCANS:  # SOS markers
                raise _refuse(_("This file is not a valid image."))
            header.verify()  # structure only (PNG: the chunks' checksums); no pixel is decoded
    except InvalidInput:
        raise
    except UnidentifiedImageError:
        raise _refuse(_("Photos must be JPEG, PNG or WebP images.")) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("This file is not a valid image.")) from None
    if min(width, height) < MIN_SIDE:
        raise _refuse(_("This photo is too small to show anything."))
    return _Probe(data=data, format=fmt, width=width, height=height)


def _decode(probe: _Probe) -> Image.Image:
    try:
        image = _open_header(probe.data)
        longest = max(probe.width, probe.height)
        if probe.format == "JPEG" and longest > MAX_SIDE:
            # decode at 1/2, 1/4 or 1/8 scale when that still leaves the size kept
            scale = MAX_SIDE / longest
            image.draft(image.mode, (math.ceil(probe.width * scale), math.ceil(probe.height * scale)))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(_("This file is not a valid image.")) from None
    image.format = probe.format
    return image


def _clean(probe: _Probe) -> CleanPhoto:
    image = _decode(probe)
    fmt = probe.format
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


def clean(upload) -> CleanPhoto:
    """A real image, upright and re-encoded without any metadata; InvalidInput on `photos` if not."""
    return clean_all([upload], limit=1)[0]


def clean_all(photos, *, limit: int = MAX_COUNT) -> list[CleanPhoto]:
    """Every photo checked from its header before any is decoded, and all decoded before any
    is stored, so a bad one stores nothing and a request never buys more than MAX_TOTAL_PIXELS
    of decoding."""
    probes = [_probe(photo) for photo in check_count(photos, limit=limit)]
    if sum(probe.pixels for probe in probes) > MAX_TOTAL_PIXELS:
        raise _refuse(_("Together these photos have too many pixels: send fewer or smaller ones."))
    return [_clean(probe) for probe in probes]


def gps(upload) -> tuple[float, float] | None:
    """The EXIF GPS position of a photo (lat, lng), offered to the reporter before it is stripped."""
    probe = _probe(upload)  # the EXIF block is in the header: nothing is decoded
    with _open_header(probe.data) as header:
        raw = header.info.get("exif")
    if not raw:
        return None
    try:
        exif = Image.Exif()
        exif.load(raw)
        ifd = exif.get_ifd(0x8825)
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
