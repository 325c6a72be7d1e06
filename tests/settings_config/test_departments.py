"""Departments kept by the office: validation, deactivation, who may change them."""

import pytest
from django.test import Client
from django.urls import reverse

from grids.departments import department_create, department_update
from grids.models import Department
from hlgrid.errors import Forbidden, InvalidInput, NotFound

pytestmark = pytest.mark.django_db


def rows():
    return list(Department.objects.order_by("pk").values())


def test_an_administrator_creates_and_deactivates_a_department(configurer, team):
    created = department_create(actor=configurer, code="MZ", name="民政局", phone="0433-5222222")
    assert created.phone == "0433-5222222"
    department_update(actor=configurer, department=created, is_active=False)
    assert not Department.objects.get(pk=created.pk).is_active
    assert created not in Department.objects.filter(is_active=True)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "sw"}, "code"),  # 水务局's code, whatever the case
        ({"code": "a b"}, "code"),
        ({"name": "水务局"}, "name"),
        ({"name": ""}, "name"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(configurer, team, changes, field):
    before = rows()
    with pytest.raises(InvalidInput) as refused:
        department_update(actor=configurer, department=team.department, **changes)
    assert field in refused.value.errors
    assert rows() == before


def test_only_those_who_configure_the_city_change_departments(people, team):
    before = rows()
    with pytest.raises(Forbidden):
        department_update(actor=people.official, department=team.department, name="新名")
    for user in (people.worker, team.dept, people.assessor, None):
        with pytest.raises(NotFound):
            department_create(actor=user, code="X", name="某局")
    assert rows() == before


def test_the_pages_list_create_and_edit_departments(configurer, team, people):
    client = Client()
    client.force_login(configurer)
    assert "城管局" in client.get(reverse("grids:departments")).content.decode()
    created = client.post(reverse("grids:departments"), {"code": "MZ", "name": "民政局", "is_active": "on"})
    assert created.status_code == 302 and Department.objects.filter(code="MZ").exists()
    bad = client.post(reverse("grids:departments"), {"code": "MZ", "name": "又一个", "is_active": "on"})
    assert 'data-testid="error-code"' in bad.content.decode()
    url = reverse("grids:department", args=[team.department.pk])
    assert (
        client.post(url, {"code": "CG", "name": "城市管理局", "phone": "", "is_active": "on"}).status_code
        == 302
    )
    assert Department.objects.get(pk=team.department.pk).name == "城市管理局"
    official = Client()
    official.force_login(people.official)
    assert official.get(reverse("grids:departments")).status_code == 200
    assert official.get(url).status_code == 403
    assert official.post(reverse("grids:departments"), {"code": "Y", "name": "某局"}).status_code == 403
    worker = Client()
    worker.force_login(people.worker)
    assert worker.get(reverse("grids:departments")).status_code == 404


def test_the_api_writes_departments_for_administrators_only(configurer, team, people, api_client):
    for user, expected in ((people.worker, 404), (people.official, 403)):
        api_client.force_authenticate(user)
        assert (
            api_client.post(
                "/api/v1/departments/", {"code": "MZ", "name": "民政局"}, format="json"
            ).status_code
            == expected
        )
    api_client.force_authenticate(configurer)
    created = api_client.post("/api/v1/departments/", {"code": "MZ", "name": "民政局"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        api_client.patch(f"/api/v1/departments/{pk}/", {"name": "水务局"}, format="json").status_code == 400
    )
    assert (
        api_client.patch(f"/api/v1/departments/{pk}/", {"is_active": False}, format="json").status_code == 200
    )
    assert not Department.objects.get(pk=pk).is_active
