"""The targeted-service list's 督办 action: one click, one order to the grid's head."""

import pytest

from dashboards import targeted
from supervision.models import Order, Subject
from tests.dashboards.test_targeted import NOW, crafted

pytestmark = pytest.mark.django_db


def test_one_click_creates_exactly_one_supervision_order_for_the_grid_head(city, people):
    water, _ = crafted(city)
    kwargs = {
        "node": city.street_a,
        "kind": "supervision",
        "grid_id": city.grid_a1.pk,
        "place": "42.505,129.005",
        "category_id": water.pk,
        "now": NOW,
    }
    first = targeted.action_create(actor=people.official, **kwargs)
    again = targeted.action_create(actor=people.official, **kwargs)
    assert first.pk == again.pk
    order = Order.objects.get()
    assert order.pk == first.object_id and order.subject == Subject.PROBLEM
    assert order.node == city.grid_a1 and order.handler == people.gridhead and "积水" in order.title
