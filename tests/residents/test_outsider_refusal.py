"""An outsider (a worker of another grid) gets the same refusal, 404, from a page, the API
and a direct service call: the one policy (grids.access) answers all three."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from grids.access import SYSTEM
from hlgrid.errors import NotFound
from residents import services
from residents.models import AccessLog, Resident, Visit
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(city):
    return factories.household(city.grid_a1, building="2", unit="1", door="101")


@pytest.fixture
def person(home):
    return factories.resident(home, name="周大爷", phone="13812345678")


def test_revealing_a_resident_of_another_grid_is_404_everywhere_and_logs_nothing(people, person):
    page = Client()
    page.force_login(people.outsider)
    assert page.post(reverse("residents:resident_reveal", args=[person.pk])).status_code == 404

    api = APIClient()
    api.force_authenticate(people.outsider)
    assert api.post(f"/api/v1/residents/{person.pk}/reveal/", {}, format="json").status_code == 404

    with pytest.raises(NotFound):
        services.resident_reveal(actor=people.outsider, resident=person)
    assert AccessLog.objects.count() == 0


def test_logging_a_visit_to_a_household_of_another_grid_is_404_everywhere(people, home):
    page = Client()
    page.force_login(people.outsider)
    assert page.get(reverse("residents:visit_new", args=[home.pk])).status_code == 404
    assert page.post(reverse("residents:visit_new", args=[home.pk]), {"kind": "ROUTINE"}).status_code == 404

    api = APIClient()
    api.force_authenticate(people.outsider)
    assert api.get(f"/api/v1/households/{home.pk}/").status_code == 404

    with pytest.raises(NotFound):
        services.visit_log(actor=people.outsider, household=home)
    assert Visit.objects.count() == 0


def test_a_service_called_without_an_actor_is_refused_like_an_outsider(home):
    with pytest.raises(NotFound):
        services.resident_create(actor=None, household=home, name="无名", id_number=factories.id_number())
    with pytest.raises(NotFound):
        services.visit_log(actor=None, household=home)
    assert not Resident.objects.exists()
    # scripts say who they are: the system covers every grid
    assert (
        services.resident_create(
            actor=SYSTEM, household=home, name="有名", id_number=factories.id_number()
        ).household
        == home
    )
