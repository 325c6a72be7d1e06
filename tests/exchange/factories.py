"""Exchange test data: partners through the services, signed requests to the partner API."""

import json
from datetime import UTC, datetime

from exchange import services, signing
from grids.access import SYSTEM
from grids.models import NodeKind
from grids.services import gridnode_create
from tests.factories import rect

ORDERS_URL = "/api/v1/partner/12345/orders/"


def make_partner(city, *, code="hotline", callback_url="", default_grid=None, mappings="", **extra):
    """(partner, secret) for a city of tests.factories.SmallCity (or another city root)."""
    return services.partner_create(
        actor=SYSTEM,
        name=extra.pop("name", "和龙12345"),
        code=code,
        city=city,
        callback_url=callback_url,
        default_grid=default_grid,
        mappings=mappings,
        **extra,
    )


def other_city():
    """A second city (its own tree) with one street, community and grid, far from SmallCity."""
    city = gridnode_create(
        actor=SYSTEM,
        parent=None,
        kind=NodeKind.CITY,
        code="O",
        name="他市",
        boundary=rect(120.0, 30.0, 120.02, 30.02),
    )
    street = gridnode_create(
        actor=SYSTEM,
        parent=city,
        kind=NodeKind.STREET,
        code="O-A",
        name="他街道",
        boundary=rect(120.0, 30.0, 120.02, 30.02),
    )
    community = gridnode_create(
        actor=SYSTEM, parent=street, kind=NodeKind.COMMUNITY, code="O-A-1", name="他社区",
        boundary=rect(120.0, 30.0, 120.02, 30.02),
    )  # fmt: skip
    grid = gridnode_create(
        actor=SYSTEM, parent=community, kind=NodeKind.GRID, code="O-A-1-1", name="他网格",
        boundary=rect(120.0, 30.0, 120.02, 30.02),
    )  # fmt: skip
    for node in (city, street, community, grid):
        node.refresh_from_db()
    return city, street, grid


def order(**extra) -> dict:
    return {
        "order_no": extra.pop("order_no", "12345-20261201-0001"),
        "content": extra.pop("content", "甲一网格小区门口垃圾桶满了没人清运"),
        "lat": 42.505,
        "lng": 129.01,
        "caller_name": "张三",
        "caller_phone": "13812345678",
        "accept_within_hours": 2,
        "finish_within_days": 5,
        **extra,
    }


def signed_headers(partner, secret: str, body: bytes, *, timestamp: str | None = None) -> dict:
    """Django test-client headers (HTTP_...) of a request signed as the partner."""
    # ISO 8601 with microseconds: two requests never carry the same signature by accident.
    timestamp = timestamp if timestamp is not None else datetime.now(tz=UTC).isoformat()
    return {
        "HTTP_X_PARTNER_KEY": partner.key_id,
        "HTTP_X_TIMESTAMP": timestamp,
        "HTTP_X_SIGNATURE": signing.sign(secret, timestamp, body),
        "HTTP_ACCEPT_LANGUAGE": "en",
    }


def post_order(client, partner, secret, payload: dict, **header_overrides):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {**signed_headers(partner, secret, body), **header_overrides}
    return client.post(ORDERS_URL, data=body, content_type="application/json", **headers)
