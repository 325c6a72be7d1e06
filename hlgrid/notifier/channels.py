"""The notifier's channels: a registry of adapters, and the two the platform ships.

An adapter is an object with
- `normalise(address) -> str`: the address as stored (raises InvalidInput when it is not one),
- `hint(address) -> str`: the address masked for pages and logs,
- `send(message) -> str`: deliver one `Outgoing`; answer the provider's reference, or raise
  `SendError` (`permanent=True` when trying again cannot help).

SMS goes to an HTTP provider (SMS_BACKEND=http) or, by default, to the log (a line with the
masked number, the purpose and the delivery id: never the number or the text), so `make run`
works offline. WECOM posts to a 企业微信群机器人 webhook (the address is the webhook URL;
WECOM_BACKEND=http) or, by default, to the log as well.
"""

import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from hlgrid import inputs
from hlgrid.crypto import mask_phone
from hlgrid.errors import InvalidInput

logger = logging.getLogger("hlgrid.notifier")


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    channel: str
    purpose: str
    address: str
    text: str


class SendError(Exception):
    """A message the channel did not take. `reason` is shown and stored: no personal data."""

    def __init__(self, reason: str, *, permanent: bool = False):
        self.reason = reason[:300]
        self.permanent = permanent
        super().__init__(self.reason)


_CHANNELS: dict[str, object] = {}


def register_channel(name: str, adapter) -> None:
    """Register (or replace) the adapter of a channel by name (e.g. in a test or an app's ready())."""
    _CHANNELS[name] = adapter


def channel(name: str):
    try:
        return _CHANNELS[name]
    except KeyError:
        raise InvalidInput.field("channel", _("Unknown channel.")) from None


def registered_channels() -> dict[str, object]:
    return dict(_CHANNELS)


def _timeout(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, 3.0))


def _transport_error(exc: Exception) -> SendError:
    if isinstance(exc, httpx.TimeoutException):
        return SendError("timeout")
    return SendError(f"connection failed ({type(exc).__name__})")


def _http_status_error(status: int) -> SendError:
    # The provider is down or busy: try later. Any other refusal will not change by itself.
    return SendError(f"HTTP {status}", permanent=not (status >= 500 or status in (408, 429)))


class SmsAdapter:
    """An SMS provider's HTTP API, or the log. The contract of the HTTP provider (README):
    POST SMS_HTTP_URL, `Authorization: Bearer SMS_HTTP_KEY`, JSON
    {"phone", "sign_name", "content", "out_id"}; a 2xx answer whose JSON `code` is absent,
    0 or "OK" is accepted (its `id` or `message_id` is kept); 5xx/408/429 and network errors
    are retried, other answers fail at once."""

    def normalise(self, address: str) -> str:
        number = inputs.phone(address, field="address")
        if not inputs.MOBILE.match(number):
            raise InvalidInput.field("address", _("Text messages go to mobile numbers only."))
        return number

    def hint(self, address: str) -> str:
        return mask_phone(address)

    def send(self, message: Outgoing) -> str:
        if settings.SMS_BACKEND != "http":
            logger.info(
                "sms (log backend) delivery=%s to=%s purpose=%s chars=%d",
                message.delivery_id,
                mask_phone(message.address),
                message.purpose,
                len(message.text),
            )
            return "log"
        payload = {
            "phone": message.address,
            "sign_name": settings.SMS_SIGN_NAME,
            "content": message.text,
            "out_id": str(message.delivery_id),
        }
        headers = {"Authorization": f"Bearer {settings.SMS_HTTP_KEY}"} if settings.SMS_HTTP_KEY else {}
        try:
            response = httpx.post(
                settings.SMS_HTTP_URL,
                json=payload,
                headers=headers,
                timeout=_timeout(settings.SMS_HTTP_TIMEOUT),
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from None
        if not 200 <= response.status_code < 300:
            raise _http_status_error(response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        code = body.get("code", 0)
        if code not in (0, "0", "OK", "ok", None):
            raise SendError(f"provider code {str(code)[:40]}", permanent=True)
        return str(body.get("id") or body.get("message_id") or "")[:100]


# WeChat Work's answers worth waiting for: -1 busy, 45009 over the robot's rate (20 a minute).
WECOM_RETRY_CODES = {-1, 45009, 45033}


class WecomAdapter:
    """A WeChat Work group robot (企业微信群机器人): POST {"msgtype": "text", ...} to its
    webhook URL; the answer's `errcode` must be 0."""

    def normalise(self, address: str) -> str:
        url = (address or "").strip()
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise InvalidInput.field("webhook_url", _("Enter the robot's webhook URL.")) from None
        return url

    def hint(self, address: str) -> str:
        parts = urlsplit(address or "")
        key = (parse_qs(parts.query).get("key") or [""])[0]
        return f"{parts.hostname or ''} …{key[-4:]}" if key else (parts.hostname or "")

    def send(self, message: Outgoing) -> str:
        if settings.WECOM_BACKEND != "http":
            logger.info(
                "wecom (log backend) delivery=%s to=%s purpose=%s chars=%d",
                message.delivery_id,
                self.hint(message.address),
                message.purpose,
                len(message.text),
            )
            return "log"
        payload = {"msgtype": "text", "text": {"content": message.text}}
        try:
            response = httpx.post(
                message.address, json=payload, timeout=_timeout(settings.WECOM_HTTP_TIMEOUT)
            )
        except httpx.HTTPError as exc:
            raise _transport_error(exc) from None
        if not 200 <= response.status_code < 300:
            raise _http_status_error(response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise SendError("the answer is not JSON") from None
        code = body.get("errcode") if isinstance(body, dict) else None
        if code != 0:
            # errmsg carries hints and the caller's address after its first comma: keep the words.
            words = str(body.get("errmsg", "") if isinstance(body, dict) else "").split(",")[0][:80]
            raise SendError(f"errcode {code}: {words}", permanent=code not in WECOM_RETRY_CODES)
        return ""


register_channel("SMS", SmsAdapter())
register_channel("WECOM", WecomAdapter())
