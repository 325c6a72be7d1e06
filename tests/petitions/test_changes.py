"""Every change of a petition tells the dashboards (hlgrid.changes) after the commit: intake and
merge too, for every grid they touch."""

import pytest

from hlgrid import changes
from petitions import services
from tests.petitions.factories import POINT_A2, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def told():
    nodes: list[int] = []
    changes.register_listener(nodes.append)
    yield nodes
    changes._listeners.remove(nodes.append)


def test_an_intake_tells_the_dashboards_of_its_grid(city, team, told, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = report(category=team.category)
    assert petition.grid_id == city.grid_a1.pk
    assert told == [city.grid_a1.pk]


def test_a_merge_tells_the_dashboards_of_the_duplicate_s_grid_and_the_parent_s(
    city, people, team, told, django_capture_on_commit_callbacks
):
    parent = report(category=team.category)
    child = report(category=team.category, at=POINT_A2)
    assert child.grid_id == city.grid_a2.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_merge(actor=people.official, petition=child, into=parent)
    assert set(told) == {city.grid_a1.pk, city.grid_a2.pk}
