import xml.etree.ElementTree as ET

import pytest

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from open311 import services
from tests.factories import DepartmentFactory, UserFactory
from tests.petitions.factories import CategoryFactory, garbage_category


class Setup:
    """A city administrator, a client with its key, and two categories (one with a department)."""

    def __init__(self, city):
        self.admin = UserFactory(username="o_admin")
        post_assign(actor=SYSTEM, user=self.admin, kind=PostKind.ADMIN, node=city.city)
        self.department = DepartmentFactory(code="CG", name="城管局")
        self.garbage = garbage_category(self.department)
        self.road = CategoryFactory(
            code="RD01",
            name="道路破损",
            parent=CategoryFactory(code="RD", name="道路交通"),
            keywords="道路, 坑",
        )
        self.client, self.key = services.open311_client_create(actor=self.admin, name="随手拍 App")


@pytest.fixture
def o311(city):
    return Setup(city)


def xml_of(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]
