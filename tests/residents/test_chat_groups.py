"""Micro-grid WeChat groups: managed by the grid's staff (outsiders 404), announcements queued
to every active group of a subtree through the notifier (channel WECOM), pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.notifier.models import Delivery, Purpose
from residents import chat_groups
from residents.models import Building, ChatGroup, Unit
from tests.residents import factories

pytestmark = pytest.mark.django_db
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def units(grid, building="1", count=2):
    for n in range(1, count + 1):
        factories.household(grid, building=building, unit=str(n), door="101")
    b = Building.objects.get(grid=grid, number=building)
    return b, list(Unit.objects.filter(building=b).order_by("number"))


def test_the_grid_worker_adds_groups_for_the_grid_a_building_and_a_unit(city, people):
    building, (unit1, _unit2) = units(city.grid_a1)
    grid_group = chat_groups.chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="A-1 网格群", webhook_url=HOOK
    )
    unit_group = chat_groups.chat_group_create(
        actor=people.gridhead, grid=city.grid_a1, name="1栋1单元群", webhook_url=HOOK, unit=unit1
    )
    assert unit_group.building == building  # a unit's group is in its building
    assert grid_group.webhook_hint == "qyapi.weixin.qq.com …5aaa"
    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url FROM residents_chatgroup WHERE id = %s", [grid_group.pk])
        assert "693a91f6" not in cursor.fetchone()[0]  # the robot's key is encrypted at rest
    assert ChatGroup.objects.get(pk=grid_group.pk).webhook_url == HOOK


def test_bad_input_is_refused_and_nothing_is_created(city, people):
    building, (unit1, _unit2) = units(city.grid_a1)
    other, _ = units(city.grid_a1, building="2", count=1)
    foreign, _ = units(city.grid_a2, building="9", count=1)
    cases = [
        ({"webhook_url": "not a url"}, "webhook_url"),
        ({"name": "  "}, "name"),
        ({"building": other, "unit": unit1}, "unit"),
        ({"building": foreign}, "building"),
    ]
    for extra, field in cases:
        kwargs = {"name": "群", "webhook_url": HOOK, **extra}
        with pytest.raises(InvalidInput) as error:
            chat_groups.chat_group_create(actor=people.worker, grid=city.grid_a1, **kwargs)
        assert field in error.value.errors
    assert ChatGroup.objects.count() == 0


def test_an_outsider_can_neither_add_see_nor_test_a_group(city, people):
    group = chat_groups.chat_group_create(actor=people.worker, grid=city.grid_a1, name="群", webhook_url=HOOK)
    with pytest.raises(NotFound):
        chat_groups.chat_group_create(actor=people.outsider, grid=city.grid_a1, name="群", webhook_url=HOOK)
    with pytest.raises(NotFound):
        chat_groups.chat_group_test(actor=people.outsider, group=group)
    with pytest.raises(NotFound):
        chat_groups.chat_groups_announce(
            actor=people.outsider, node_ids=[city.grid_a1.pk], text="通知", dedupe="x"
        )
    with pytest.raises(NotFound):
        chat_groups.chat_group_update(actor=people.outsider, group=group, name="改名")
    assert Delivery.objects.count() == 0


def test_an_announcement_reaches_every_active_group_of_the_subtree_once(city, people):
    building, (unit1, _unit2) = units(city.grid_a1)
    a1 = chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_a1, name="A-1", webhook_url=HOOK)
    a1_unit = chat_groups.chat_group_create(
        actor=SYSTEM, grid=city.grid_a1, name="A-1 单元", webhook_url=HOOK, unit=unit1
    )
    a2 = chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_a2, name="A-2", webhook_url=HOOK + "2")
    quiet = chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_a2, name="停用", webhook_url=HOOK)
    chat_groups.chat_group_update(actor=SYSTEM, group=quiet, name="停用", is_active=False)
    chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_b1, name="B-1", webhook_url=HOOK)
    sent = chat_groups.chat_groups_announce(
        actor=people.official, node_ids=[city.community_a.pk], text="周六停水", dedupe="announcement:1"
    )
    assert sent == 3
    rows = Delivery.objects.order_by("pk")
    assert {(d.channel, d.purpose, d.label, d.node_id) for d in rows} == {
        ("WECOM", Purpose.ANNOUNCEMENT, "A-1", city.grid_a1.pk),
        ("WECOM", Purpose.ANNOUNCEMENT, "A-1 单元", city.grid_a1.pk),
        ("WECOM", Purpose.ANNOUNCEMENT, "A-2", city.grid_a2.pk),
    }
    assert {d.address for d in rows} == {HOOK, HOOK + "2"} and {d.text for d in rows} == {"周六停水"}
    # The same announcement again: nothing more.
    chat_groups.chat_groups_announce(
        actor=people.official, node_ids=[city.community_a.pk], text="周六停水", dedupe="announcement:1"
    )
    assert Delivery.objects.count() == 3
    assert {a1.pk, a1_unit.pk, a2.pk}


def test_the_pages_list_add_edit_and_test_a_group_and_refuse_outsiders(client, city, people):
    units(city.grid_a1)
    client.force_login(people.worker)
    url = reverse("residents:chat_groups", args=[city.grid_a1.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="no-groups"' in page.content
    node_page = client.get(reverse("grids:node", args=[city.grid_a1.pk]))
    assert b'data-testid="chat-groups-link"' in node_page.content
    answer = client.post(url, {"name": "A-1 网格群", "webhook_url": HOOK, "building": "", "unit": ""})
    assert answer.status_code == 302
    group = ChatGroup.objects.get()
    bad = client.post(url, {"name": "坏的", "webhook_url": "ftp://nowhere"})
    assert bad.status_code == 200 and b'data-testid="error-webhook_url"' in bad.content
    listing = client.get(url)
    assert "A-1 网格群".encode() in listing.content
    assert b"693a91f6" not in listing.content  # only the masked robot
    edit = reverse("residents:chat_group_edit", args=[group.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"name": "A-1 居民群", "webhook_url": "", "is_active": "on"}).status_code == 302
    group.refresh_from_db()
    assert group.name == "A-1 居民群" and group.webhook_url == HOOK  # the robot kept
    assert client.post(reverse("residents:chat_group_test", args=[group.pk])).status_code == 302
    [test] = Delivery.objects.all()
    assert test.purpose == Purpose.TEST and test.channel == "WECOM"
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    assert client.get(edit).status_code == 404
    assert client.post(reverse("residents:chat_group_test", args=[group.pk])).status_code == 404


def test_the_group_list_takes_the_same_queries_for_two_or_twelve_groups(client, city, people):
    building, unit_list = units(city.grid_a1, count=6)
    client.force_login(people.worker)
    url = reverse("residents:chat_groups", args=[city.grid_a1.pk])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for unit in unit_list[:2]:
        chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_a1, name="群", webhook_url=HOOK, unit=unit)
    small = count()
    for unit in unit_list[2:]:
        chat_groups.chat_group_create(actor=SYSTEM, grid=city.grid_a1, name="群", webhook_url=HOOK, unit=unit)
        chat_groups.chat_group_create(
            actor=SYSTEM, grid=city.grid_a1, name="群", webhook_url=HOOK, building=building
        )
    assert count() == small
