"""Issue 17, item 5: a household's Party chain (its address, the secretaries' names) is personal
data of the residents, so it is scoped like the residents are: only the workers, heads,
officials and administrators whose posts cover the household's grid read it. Department staff
and assessors, whose city-wide posts are for petitions and the assessment, and outsiders get
404, exactly as for an id that does not exist, so the answer never tells which ids exist.
The same holds for every Party endpoint that names a household or a resident."""

import datetime

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from party import selectors
from party.models import DutyKind
from party.services.windows import duty_shift_add
from tests.factories import DepartmentFactory, UserFactory
from tests.party import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db

MISSING = 987654


@pytest.fixture
def chain(city):
    chain = pf.Chain(city)
    pf.secretary(chain.branch, name="支部书记")
    return chain


@pytest.fixture
def dept(city):
    user = UserFactory(username="p_dept")
    post_assign(
        actor=SYSTEM, user=user, kind=PostKind.DEPARTMENT, node=city.city, department=DepartmentFactory()
    )
    return user


def _chain_status(client, user, household_id) -> int:
    client.force_authenticate(user)
    return client.get(f"/api/v1/party/chain/{household_id}/").status_code


def test_the_worker_of_the_grid_reads_the_chain_of_a_household_there(chain, people, api_client):
    api_client.force_authenticate(people.worker)
    response = api_client.get(f"/api/v1/party/chain/{chain.home.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["household"] == chain.home.pk
    assert [o["name"] for o in body["chain"]][-1] == chain.central.name
    assert "支部书记" in [o["secretary"] for o in body["chain"]]


@pytest.mark.parametrize("persona", ["dept", "assessor", "outsider"])
def test_department_staff_assessors_and_outsiders_get_404_for_a_household_as_for_a_missing_one(
    persona, chain, people, dept, api_client
):
    user = dept if persona == "dept" else getattr(people, persona)
    assert _chain_status(api_client, user, chain.home.pk) == 404
    assert _chain_status(api_client, user, MISSING) == 404


def test_a_missing_household_is_404_for_the_worker_too(chain, people, api_client):
    assert _chain_status(api_client, people.worker, MISSING) == 404
    assert _chain_status(api_client, people.worker, "abc") == 404


@pytest.mark.parametrize("persona", ["dept", "assessor", "outsider"])
def test_the_chain_page_refuses_the_same_people_with_404(persona, chain, people, dept, client):
    user = dept if persona == "dept" else getattr(people, persona)
    client.force_login(user)
    assert client.get(f"/party/households/{chain.home.pk}/chain/").status_code == 404
    client.force_login(people.worker)
    assert client.get(f"/party/households/{chain.home.pk}/chain/").status_code == 200


def test_the_chain_selector_refuses_an_assessor_as_the_api_does(chain, people):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.household_chain_for(user=people.assessor, household_id=chain.home.pk)


def test_an_assessor_cannot_tell_an_existing_resident_from_a_missing_one_when_registering_a_volunteer(
    city, people, api_client
):
    person = rf.resident(rf.household(city.grid_a1, building="8"), name="郑居民")
    api_client.force_authenticate(people.assessor)
    real = api_client.post("/api/v1/party/volunteers/", {"resident": person.pk}, format="json")
    missing = api_client.post("/api/v1/party/volunteers/", {"resident": MISSING}, format="json")
    assert real.status_code == missing.status_code == 400
    assert real.json()["errors"] == missing.json()["errors"]
    assert "resident" in real.json()["errors"]


def test_an_official_names_households_only_through_territorial_posts_when_creating_a_central_household(
    chain, city, dept, api_client
):
    """A department post at the city root sees nothing of the residents, so it names no household."""
    household = rf.household(city.grid_a1, building="9")
    api_client.force_authenticate(dept)
    response = api_client.post(
        "/api/v1/party/organizations/",
        {
            "parent": chain.group.pk,
            "kind": "CENTRAL_HOUSEHOLD",
            "code": "X1",
            "name": "x",
            "household": household.pk,
        },
        format="json",
    )
    # The department sees the organisation (not personal data) but may not name the household:
    # a 400 on the field, as for a household that does not exist, never a 403 that confirms it.
    assert response.status_code == 400, response.content
    assert "household" in response.json()["errors"]


def test_a_social_worker_with_a_department_post_names_no_resident_outside_the_grids_they_serve(
    city, api_client
):
    tz = timezone.get_current_timezone()
    start = timezone.now().astimezone(tz) - datetime.timedelta(hours=1)
    item = pf.ServiceItemFactory(name="低保申请")
    window = pf.WindowFactory(node=city.street_a, name="甲街道综合窗口")
    worker = pf.social_worker(city.grid_a1, items=[item], username="sw_dept")
    post_assign(
        actor=SYSTEM,
        user=worker.user,
        kind=PostKind.DEPARTMENT,
        node=city.city,
        department=DepartmentFactory(),
    )
    duty_shift_add(
        actor=SYSTEM,
        worker=worker,
        kind=DutyKind.WINDOW,
        window=window,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
    )
    far = rf.resident(rf.household(city.grid_b1, building="8"), name="乙居民")
    api_client.force_authenticate(worker.user)
    body = {"window": window.pk, "item": item.pk, "minutes": 10, "resident": far.pk}
    response = api_client.post("/api/v1/party/window-services/", body, format="json")
    assert response.status_code == 400 and "resident" in response.json()["errors"]
    response = api_client.post("/api/v1/party/window-services/", {**body, "resident": None}, format="json")
    assert response.status_code == 201, response.content
