"""The demo's 12345 platform answers a request signed with the documented demo key."""

import pytest
from django.test import Client

from exchange.demo import DEMO_KEY_ID, DEMO_SECRET
from exchange.models import Partner
from grids.models import GridNode, NodeKind
from tests.exchange.factories import order, post_order

pytestmark = pytest.mark.django_db


def test_the_demo_platform_takes_an_order_signed_with_the_documented_key(helong):
    partner = Partner.objects.get(key_id=DEMO_KEY_ID)
    assert partner.secret == DEMO_SECRET and partner.callback_url == ""
    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    payload = order(lat=None, lng=None, grid_code=grid.code)
    response = post_order(Client(), partner, DEMO_SECRET, payload)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == grid.code
