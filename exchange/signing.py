"""The signature recipe both ways (inbound orders, outbound callbacks).

    X-Timestamp: unix seconds ("1764590000") or ISO 8601 with a zone ("2026-12-01T12:00:00+08:00")
    X-Signature: hex(HMAC-SHA256(secret, timestamp + "\\n" + raw body))

The timestamp is signed as the exact text of the header; the body as its exact bytes.
"""

import hashlib
import hmac
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), (signature or "").strip().lower())


def parse_timestamp(value: str) -> datetime | None:
    """The moment an X-Timestamp names, or None when it names none (or has no time zone)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        moment = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment
