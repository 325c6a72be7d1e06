"""楼栋长 and 单元长 accounts: who may create them, what they see, what they may do."""

import pytest
from django.urls import reverse

from hlgrid.errors import InvalidInput, NotFound
from residents import heads
from residents.models import AccessLog, Unit

pytestmark = pytest.mark.django_db


def test_the_grids_worker_gives_a_building_head_a_login_with_a_one_time_password(block, people):
    new = heads.head_account_create(actor=people.worker, resident=block["bhead"], username="bld1")
    user = new.account.user
    assert user.check_password(new.password) and user.must_change_password
    assert new.account.grid == block["building"].grid and new.account.unit is None
    assert not user.posts.exists()


@pytest.mark.parametrize("who", ["outsider", "official", "assessor"])
def test_only_the_grids_worker_or_head_may_create_a_head_account(block, people, who):
    with pytest.raises(Exception) as caught:
        heads.head_account_create(actor=getattr(people, who), resident=block["bhead"], username="x1")
    assert type(caught.value).__name__ in {"NotFound", "Forbidden"}


def test_a_head_account_is_refused_without_an_actor(block):
    with pytest.raises(NotFound):
        heads.head_account_create(actor=None, resident=block["bhead"], username="x1")


def test_a_resident_who_is_not_the_recorded_head_gets_no_head_account(block, people):
    with pytest.raises(InvalidInput):
        heads.head_account_create(actor=people.worker, resident=block["uhead"], username="x1")
    with pytest.raises(InvalidInput):
        heads.head_account_create(
            actor=people.worker, resident=block["bhead"], unit=block["unit2"], username="x2"
        )


def test_a_unit_head_sees_only_its_units_households(block, accounts):
    _, unit_account = accounts
    doors = [h.door for h in heads.head_households(account=unit_account)]
    assert doors == ["101", "102"]
    with pytest.raises(NotFound):
        heads.head_household(account=unit_account, pk=block["h21"].pk)


def test_a_building_head_sees_its_whole_building_and_nothing_outside(block, accounts):
    building_account, _ = accounts
    assert [h.door for h in heads.head_households(account=building_account)] == ["101", "102", "201", "202"]
    with pytest.raises(NotFound):
        heads.head_household(account=building_account, pk=block["other"].pk)


def test_a_head_sees_names_and_masked_phones_never_id_numbers_and_the_view_is_logged(block, accounts):
    building_account, _ = accounts
    _, people_seen = heads.head_household(account=building_account, pk=block["h11"].pk)
    assert {"id", "name", "phone"} == set(people_seen[0])
    assert "13900000001" not in str(people_seen) and "王楼长" in str(people_seen)
    assert AccessLog.objects.filter(actor=building_account.user, subject_id=str(block["h11"].pk)).count() == 1


def test_a_unit_head_confirms_a_key_person_of_its_unit_but_not_of_another(block, accounts):
    _, unit_account = accounts
    sighting = heads.sighting_record(actor=unit_account.user, resident=block["key11"], note="精神不错")
    assert sighting.grid == block["building"].grid
    with pytest.raises(NotFound):
        heads.sighting_record(actor=unit_account.user, resident=block["key21"])


def test_the_grid_worker_sees_the_heads_sightings_and_an_outsider_gets_404(block, accounts, people, city):
    _, unit_account = accounts
    heads.sighting_record(actor=unit_account.user, resident=block["key11"])
    assert len(heads.sightings_for_staff(user=people.worker, grid=city.grid_a1)) == 1
    with pytest.raises(NotFound):
        heads.sightings_for_staff(user=people.outsider, grid=city.grid_a1)


def test_staff_cannot_record_a_sighting_as_a_head(block, people):
    with pytest.raises(NotFound):
        heads.sighting_record(actor=people.worker, resident=block["key11"])


def test_an_ended_head_account_sees_nothing_and_cannot_log_in(block, accounts, people):
    building_account, _ = accounts
    heads.head_account_end(actor=people.worker, account=building_account)
    building_account.user.refresh_from_db()
    assert heads.head_account_of(building_account.user) is None
    assert not building_account.user.is_active


def test_the_node_counts_building_and_unit_heads_and_their_logins(block, accounts, city):
    assert heads.head_counts(node=city.street_a) == {
        "building_heads": 1,
        "unit_heads": 2,
        "building_accounts": 1,
        "unit_accounts": 1,
    }
    assert Unit.objects.count() >= 3


def test_a_head_account_gets_404_on_the_workers_pages(block, accounts, client, city):
    building_account, _ = accounts
    user = building_account.user
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    assert client.get(reverse("residents:household", args=[block["h11"].pk])).status_code == 404
    assert client.get(f"/api/v1/households/{block['h11'].pk}/").status_code == 404
