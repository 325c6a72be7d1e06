"""The demo's 楼栋长 and 单元长 logins and the node's head counts."""

import pytest

from residents.heads import head_account_of, head_chat_groups, head_counts, head_households
from residents.models import Building


@pytest.fixture(scope="module")
def demo(helong):
    """The shared demo city (tests/demo.py): these tests only read it."""


def test_the_demo_has_a_building_head_and_a_unit_head_login_in_the_workers_grid(demo, django_user_model):
    bld = head_account_of(django_user_model.objects.get(username="bldhead"))
    unit = head_account_of(django_user_model.objects.get(username="unithead"))
    assert bld.unit is None and bld.resident_id == bld.building.head_id
    assert unit.unit.head_id == unit.resident_id and unit.building_id == bld.building_id
    worker = django_user_model.objects.get(username="worker")
    assert worker.posts.filter(node=bld.grid).exists()
    assert head_households(account=unit).count() < head_households(account=bld).count()
    assert head_chat_groups(account=unit).count() == 1 and head_chat_groups(account=bld).count() == 2


def test_the_city_counts_686_building_heads_and_2142_unit_heads(demo):
    city = Building.objects.select_related("grid").first().grid.get_root()
    counts = head_counts(node=city)
    assert counts["building_heads"] == 686 and counts["unit_heads"] == 2_142
    assert counts["building_accounts"] == 1 and counts["unit_accounts"] == 1


def test_the_city_dashboard_shows_the_heads_and_their_logins(demo, client, django_user_model):
    from django.urls import reverse

    city = Building.objects.select_related("grid").first().grid.get_root()
    client.force_login(django_user_model.objects.get(username="admin"))
    page = client.get(reverse("dashboards:node", args=[city.pk])).content.decode()
    assert 'data-figure="building_heads">686<' in page
    assert 'data-figure="unit_heads">2142<' in page
    assert 'data-figure="unit_accounts">1<' in page
