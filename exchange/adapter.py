"""The HTTP adapter that posts a delivery to a partner's callback URL, signed like its orders.

    POST <callback URL>
    Content-Type: application/json
    X-Partner-Key: <the partner's key id>
    X-Timestamp: <unix seconds>
    X-Signature: hex(HMAC-SHA256(secret, timestamp + "\\n" + body))
    X-Delivery-Id: <our delivery id: the same id is the same message, however often it arrives>
    X-Signature-Previous: the same with the previous secret, sent only during the grace period
                          after a rotation, for a platform that has not switched yet

Any 2xx is a success. A partner without a callback URL gets its messages written to the log
(without their content), so a city can try the exchange before its platform answers.
"""

import json
import logging
import time

import httpx

from exchange import conf, signing

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A failed send; its text (an HTTP status, an exception's class) is kept on the row."""


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def post(partner, *, delivery_id: int, kind: str, payload: dict, secrets: list[str] | None = None) -> None:
    """Send one message; `secrets` are the partner's valid secrets, the current one first
    (exchange.services.partner_secrets), default the current one alone."""
    if not partner.callback_url:
        logger.info(
            "exchange: %s delivery %s (%s) logged: the partner has no callback URL",
            partner.code,
            delivery_id,
            kind,
        )
        return
    body = body_of(payload)
    timestamp = str(int(time.time()))
    current, *previous = secrets or [partner.secret]
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Partner-Key": partner.key_id,
        "X-Timestamp": timestamp,
        "X-Signature": signing.sign(current, timestamp, body),
        "X-Delivery-Id": str(delivery_id),
    }
    if previous:
        headers["X-Signature-Previous"] = signing.sign(previous[0], timestamp, body)
    try:
        response = httpx.post(
            partner.callback_url, content=body, headers=headers, timeout=conf.http_timeout_seconds()
        )
    except httpx.HTTPError as error:
        raise DeliveryError(type(error).__name__) from None
    if not 200 <= response.status_code < 300:
        raise DeliveryError(f"HTTP {response.status_code}")
