import datetime

import pytest
from django.db import connection

from grids.access import SYSTEM
from hlgrid import inputs
from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput
from residents import services
from residents.models import Resident
from tests.residents import factories

pytestmark = pytest.mark.django_db


def test_a_valid_id_number_gives_birth_date_and_sex_and_is_stored_only_encrypted(city):
    home = factories.household(city.grid_a1)
    number = factories.id_number(datetime.date(1962, 3, 8), male=False)
    person = services.resident_create(
        actor=SYSTEM,
        household=home,
        name="王芳",
        id_number=number.lower(),
        phone="138 1234 5678",
        health="糖尿病",
    )
    person.refresh_from_db()
    assert (person.birth_date, person.sex) == (datetime.date(1962, 3, 8), "F")
    assert person.id_number == number and person.phone == "13812345678" and person.health == "糖尿病"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, id_number_hash, phone, health FROM residents_resident WHERE id = %s",
            [person.pk],
        )
        stored = cursor.fetchone()
        cursor.execute("SELECT * FROM residents_resident")
        whole_table = repr(cursor.fetchall())
    assert number not in whole_table and number[:14] not in whole_table
    assert "13812345678" not in whole_table and "糖尿病" not in whole_table
    assert stored[1] == lookup_hash(number)
    assert all(value.startswith("gAAAA") for value in (stored[0], stored[2], stored[3]))  # Fernet tokens


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("222406198005170010", "check character"),  # check character off by one
        ("222406198002300015", "not a real date"),  # 30 February
        ("2224061980051700", "18 characters"),
    ],
)
def test_a_bad_id_number_is_refused_with_a_field_error_and_nothing_is_written(city, number, reason):
    home = factories.household(city.grid_a1)
    with pytest.raises(InvalidInput) as error:
        services.resident_create(actor=SYSTEM, household=home, name="张三", id_number=number)
    assert list(error.value.errors) == ["id_number"]
    assert Resident.objects.count() == 0


def test_an_id_number_is_registered_once(city):
    home = factories.household(city.grid_a1)
    number = factories.id_number()
    services.resident_create(actor=SYSTEM, household=home, name="甲", id_number=number)
    with pytest.raises(InvalidInput) as error:
        services.resident_create(actor=SYSTEM, household=home, name="乙", id_number=number)
    assert "id_number" in error.value.errors
    assert Resident.objects.count() == 1


def test_a_bad_phone_is_refused(city):
    home = factories.household(city.grid_a1)
    with pytest.raises(InvalidInput) as error:
        services.resident_create(
            actor=SYSTEM, household=home, name="甲", id_number=factories.id_number(), phone="12345"
        )
    assert "phone" in error.value.errors
    assert Resident.objects.count() == 0


def test_masks_hide_the_middle(city):
    person = factories.resident(factories.household(city.grid_a1), phone="13812345678", health="心脏病")
    assert person.id_number_masked == person.id_number[:6] + "********" + person.id_number[-4:]
    assert person.phone_masked == "138****5678"
    assert person.health_masked == "******"


def test_a_worker_cannot_register_a_resident_in_another_grid(city, people):
    from hlgrid.errors import NotFound

    other = factories.household(city.grid_b1)
    with pytest.raises(NotFound):
        services.resident_create(
            actor=people.worker, household=other, name="甲", id_number=factories.id_number()
        )


def test_heads_live_where_they_lead(city):
    home = factories.household(city.grid_a1, building="3", unit="2", door="301")
    elsewhere = factories.household(city.grid_a1, building="4", unit="1", door="101")
    person = factories.resident(home)
    unit, building = home.unit, home.unit.building
    services.building_set_head(actor=SYSTEM, building=building, head=person)
    services.unit_set_head(actor=SYSTEM, unit=unit, head=person)
    building.refresh_from_db()
    unit.refresh_from_db()
    assert building.head == person and unit.head == person
    assert home.label == "3栋2单元301"
    with pytest.raises(InvalidInput):
        services.unit_set_head(actor=SYSTEM, unit=elsewhere.unit, head=person)
    with pytest.raises(InvalidInput):
        services.building_set_head(actor=SYSTEM, building=elsewhere.unit.building, head=person)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"), ("+8613812345678", "13812345678"),
     ("0433-4222333", "0433-4222333"), ("", "")],
)  # fmt: skip
def test_phones_are_normalised(raw, stored):
    assert inputs.phone(raw) == stored
