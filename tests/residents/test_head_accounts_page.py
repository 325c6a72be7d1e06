"""The grid staff's page of its heads: logins given and ended without the Django admin, the
one-time password shown once, the heads' "seen" confirmations listed, nothing for outsiders."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from residents import heads, services
from residents.models import HeadAccount
from tests.residents import factories

pytestmark = pytest.mark.django_db


def _page(grid):
    return reverse("residents:grid_heads", args=[grid.pk])


def test_the_worker_sees_each_building_and_unit_with_its_head_and_login(client, block, people, accounts):
    client.force_login(people.worker)
    page = client.get(_page(block["building"].grid))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('data-testid="head-seat"') == 3  # the building and its two units
    assert "王楼长" in text and "赵单元长" in text and "钱单元长" in text
    assert "<code>bld1</code>" in text and "<code>unit1</code>" in text
    assert text.count('data-testid="head-account-form"') == 1  # only 钱单元长 has no login yet


def test_the_worker_gives_a_unit_head_a_login_and_sees_the_one_time_password_once(client, block, people):
    client.force_login(people.worker)
    answer = client.post(
        _page(block["building"].grid),
        {
            "resident": block["uhead"].pk,
            "unit": block["unit1"].pk,
            "username": "zhao",
            "phone": "13900000002",
        },
    )
    assert answer.status_code == 200
    password = answer.context["new"].password
    assert password in answer.content.decode()
    account = HeadAccount.objects.get(user__username="zhao")
    assert account.unit == block["unit1"] and account.resident == block["uhead"]
    assert account.user.check_password(password)
    assert password not in client.get(_page(block["building"].grid)).content.decode()


def test_a_taken_user_name_is_refused_with_a_clear_error_and_nothing_is_created(client, block, people):
    get_user_model().objects.create_user(username="taken", password="x-unused-1")
    client.force_login(people.worker)
    answer = client.post(_page(block["building"].grid), {"resident": block["bhead"].pk, "username": "Taken"})
    assert answer.status_code == 400
    assert 'data-testid="head-error"' in answer.content.decode()
    assert not HeadAccount.objects.exists()


def test_a_resident_of_another_grid_cannot_be_given_a_login_from_this_page(client, block, people, city):
    stranger = factories.resident(block["other"], name="外人")
    services.building_set_head(actor=SYSTEM, building=block["other"].unit.building, head=stranger)
    client.force_login(people.worker)
    answer = client.post(_page(block["building"].grid), {"resident": stranger.pk, "username": "x9"})
    assert answer.status_code == 404
    assert not HeadAccount.objects.exists()


def test_ending_a_login_deactivates_the_heads_user(client, block, people, accounts):
    building_account, _ = accounts
    client.force_login(people.gridhead)
    answer = client.post(reverse("residents:head_account_end", args=[building_account.pk]))
    assert answer.status_code == 302
    building_account.refresh_from_db()
    assert building_account.ended_at is not None and not building_account.user.is_active


def test_an_outsider_gets_404_on_the_page_the_form_and_the_end(client, block, people, accounts):
    building_account, _ = accounts
    client.force_login(people.outsider)
    grid = block["building"].grid
    assert client.get(_page(grid)).status_code == 404
    assert client.post(_page(grid), {"resident": block["uhead"].pk, "username": "x1"}).status_code == 404
    assert client.post(reverse("residents:head_account_end", args=[building_account.pk])).status_code == 404
    building_account.refresh_from_db()
    assert building_account.ended_at is None


def test_a_head_gets_404_on_the_staff_page(client, block, accounts):
    building_account, _ = accounts
    user = building_account.user
    user.must_change_password = False  # past the first login's password change
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    assert client.get(_page(block["building"].grid)).status_code == 404


def test_the_heads_confirmations_are_listed_for_the_grids_staff(client, block, people, accounts):
    building_account, _ = accounts
    heads.sighting_record(actor=building_account.user, resident=block["key21"])
    client.force_login(people.worker)
    text = client.get(_page(block["building"].grid)).content.decode()
    assert text.count('data-testid="sighting"') == 1 and "孙重点" in text


def _queries(client, grid) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_page(grid)).status_code == 200
    return len(captured)


def test_the_page_takes_the_same_number_of_queries_for_one_building_or_many(client, block, people, accounts):
    client.force_login(people.worker)
    grid = block["building"].grid
    _queries(client, grid)  # warm the per-process caches
    few = _queries(client, grid)
    for number in range(2, 8):
        home = factories.household(grid, building=str(number), unit="1", door="101")
        head = factories.resident(home, name=f"楼长{number}")
        services.building_set_head(actor=SYSTEM, building=home.unit.building, head=head)
        heads.head_account_create(actor=people.worker, resident=head, username=f"b{number}")
    assert _queries(client, grid) == few
