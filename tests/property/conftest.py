import pytest

from tests.property import factories


class Place:
    """Community A (grids A-1, A-2) and community B (grid B-1): a firm of each street, a compound
    spanning both grids of community A, one in B, and a renovation in each."""

    def __init__(self, city):
        self.a1_building = factories.building(city.grid_a1)
        self.a2_building = factories.building(city.grid_a2)
        self.b1_building = factories.building(city.grid_b1)
        self.firm_a = factories.firm(city.street_a, name="甲物业")
        self.firm_b = factories.firm(city.street_b, name="乙物业")
        self.compound_a = factories.compound(
            city.community_a, firm=self.firm_a, buildings=[self.a1_building, self.a2_building], name="甲小区"
        )
        self.compound_b = factories.compound(
            city.community_b, firm=self.firm_b, buildings=[self.b1_building], name="乙小区"
        )
        self.project_a = factories.renovation(self.compound_a, budget={"CENTRAL": "100.00"})
        self.project_b = factories.renovation(self.compound_b, budget={"CITY": "50.00"})


@pytest.fixture
def place(city):
    return Place(city)
