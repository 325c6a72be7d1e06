"""The API's request parsers: DRF's, bounded.

DRF's JSON and form parsers read the whole body whatever its size (Django's
DATA_UPLOAD_MAX_MEMORY_SIZE only guards `request.body` and `request.POST`), and a deeply
nested JSON document makes the decoder recurse until Python gives up (RecursionError, a 500).
Here a body over the limit is a 413 before it is read, and any document the decoder cannot
take is a 400. REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names these; a view that chooses its
parsers takes them from here too.
"""

import codecs
import math

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# DRF imports this module (DEFAULT_PARSER_CLASSES) while rest_framework.views loads, which
# hlgrid.errors itself imports: so hlgrid.errors is reached as a module, its names at call time,
# and hlgrid.photos (which imports hlgrid.errors) only inside a call.
from hlgrid import errors


def upload_max_bytes() -> int:
    """A multipart request carries at most the photos the cleaner takes and a form beside them."""
    from hlgrid import photos

    return photos.MAX_COUNT * photos.MAX_BYTES + 1024 * 1024


def _declared_length(parser_context) -> int:
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {}) if request is not None else {}
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def _read_bounded(stream, limit: int | None, parser_context) -> bytes:
    """The body, refused (413) when it is declared or turns out larger than `limit`."""
    if limit is None:
        return stream.read()
    if _declared_length(parser_context) > limit:
        raise errors.RequestTooLarge()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise errors.RequestTooLarge()
    return body


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):  # 1e400: valid JSON, but no field can hold it
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        body = _read_bounded(stream, _body_limit(), parser_context)
        try:
            text = codecs.decode(body, encoding)
            constant = json.strict_constant if self.strict else None  # NaN and Infinity are not JSON
            return json.loads(text, parse_constant=constant, parse_float=_finite)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
        except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError, too many digits
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        body = _read_bounded(stream, _body_limit(), parser_context)
        return QueryDict(body, encoding=encoding)


class MultiPartParser(parsers.MultiPartParser):
    """Django's multipart parser bounds the form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) and the
    number of files, not their bytes: the whole request is bounded here."""

    def parse(self, stream, media_type=None, parser_context=None):
        if _declared_length(parser_context) > upload_max_bytes():
            raise errors.RequestTooLarge()
        return super().parse(stream, media_type, parser_context)
