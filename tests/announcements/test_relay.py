"""A published announcement reaches the micro-grid WeChat groups under its node, once each."""

import pytest

from announcements import services
from hlgrid.notifier.models import Delivery
from residents import chat_groups
from tests.announcements.factories import announce

pytestmark = pytest.mark.django_db

HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=relay-test-key"


def test_an_announcement_for_a_street_is_queued_to_every_group_below_it_and_no_other(city, people):
    a1 = chat_groups.chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="A-1 群", webhook_url=HOOK
    )
    a2 = chat_groups.chat_group_create(
        actor=people.official, grid=city.grid_a2, name="A-2 群", webhook_url=HOOK
    )
    chat_groups.chat_group_create(actor=people.outsider, grid=city.grid_b1, name="B-1 群", webhook_url=HOOK)

    notice = announce(city.street_a, actor=people.official, title="停水通知", body="明日上午停水。")

    queued = Delivery.objects.filter(purpose="ANNOUNCEMENT")
    assert sorted(queued.values_list("node_id", flat=True)) == sorted([a1.grid_id, a2.grid_id])
    assert all("停水通知" in d.text and "明日上午停水" in d.text for d in queued)
    # An edit is not a second publication: nothing more is queued.
    services.announcement_update(
        actor=people.official, announcement=notice, title="停水通知（更正）", body="明日上午停水。"
    )
    assert Delivery.objects.filter(purpose="ANNOUNCEMENT").count() == 2
