"""What a head does: report a problem (a HEAD petition in its building's grid) and relay a notice
to its building's or unit's chat groups."""

import pytest

from announcements.models import Relay
from announcements.relay import head_relay
from announcements.services import announcement_publish
from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.notifier.models import Delivery
from petitions.models import Source
from petitions.services.intake import head_petition_report
from residents.chat_groups import chat_group_create

pytestmark = pytest.mark.django_db
HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
HOOK2 = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=11111111-2222-3333-4444-555555555555"


def test_a_heads_report_is_a_head_petition_in_its_buildings_grid_with_the_head_as_reporter(accounts, block):
    _, unit_account = accounts
    petition = head_petition_report(actor=unit_account.user, description="三楼楼道水管漏水")
    assert petition.source == Source.HEAD
    assert petition.grid_id == block["building"].grid_id
    assert petition.created_by == unit_account.user
    assert petition.reporter_name == "赵单元长"


def test_someone_without_a_head_account_cannot_report_as_a_head(people, block):
    with pytest.raises(NotFound):
        head_petition_report(actor=people.worker, description="漏水")


def test_a_unit_head_relays_a_notice_to_its_units_group_only(accounts, block, people, city):
    _, unit_account = accounts
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="1单元群", webhook_url=HOOK, unit=block["unit1"]
    )
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="2单元群", webhook_url=HOOK2, unit=block["unit2"]
    )
    relay = head_relay(actor=unit_account.user, text="明天上午停水，请提前储水。")
    assert relay.groups == 1
    assert Delivery.objects.filter(label="1单元群").count() == 1
    assert not Delivery.objects.filter(label="2单元群").exists()


def test_a_building_head_relays_a_live_announcement_of_its_grid_to_all_its_groups(
    accounts, block, people, city
):
    building_account, _ = accounts
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="1单元群", webhook_url=HOOK, unit=block["unit1"]
    )
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="2单元群", webhook_url=HOOK2, unit=block["unit2"]
    )
    notice = announcement_publish(actor=people.gridhead, node=city.grid_a1, title="停水通知", body="周六停水")
    relay = head_relay(actor=building_account.user, announcement=notice)
    assert relay.groups == 2 and relay.announcement == notice and "停水通知" in relay.text


def test_a_head_cannot_relay_another_grids_announcement(accounts, people, city):
    building_account, _ = accounts
    other = announcement_publish(actor=SYSTEM, node=city.grid_b1, title="B 通知", body="…")
    with pytest.raises(NotFound):
        head_relay(actor=building_account.user, announcement=other)
    assert not Relay.objects.exists()


def test_a_relay_without_a_group_or_a_text_is_refused(accounts):
    building_account, _ = accounts
    with pytest.raises(InvalidInput):
        head_relay(actor=building_account.user, text="")
    with pytest.raises(InvalidInput):
        head_relay(actor=building_account.user, text="通知")


def _login(client, account):
    user = account.user
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    return user


def test_a_unit_head_reports_a_leak_and_relays_a_notice_through_its_pages(
    client, accounts, block, people, city
):
    from django.urls import reverse

    _, unit_account = accounts
    chat_group_create(
        actor=people.worker, grid=city.grid_a1, name="1单元群", webhook_url=HOOK, unit=block["unit1"]
    )
    _login(client, unit_account)
    home = client.get(reverse("residents:head_home"))
    assert home.status_code == 200 and "101" in home.content.decode() and "201" not in home.content.decode()
    done = client.post(reverse("petitions:head_report"), {"description": "楼道水管漏水"})
    assert done.status_code == 200 and 'data-testid="head-report-done"' in done.content.decode()
    from petitions.models import Petition

    assert Petition.objects.filter(source=Source.HEAD, created_by=unit_account.user).count() == 1
    relayed = client.post(reverse("announcements:head_relay"), {"text": "今晚停电检修"})
    assert relayed.status_code == 200 and Relay.objects.filter(account=unit_account).count() == 1


def test_a_head_gets_404_on_staff_pages_and_staff_get_404_on_head_pages(client, accounts, people, city):
    from django.urls import reverse

    _, unit_account = accounts
    petition = head_petition_report(actor=unit_account.user, description="漏水")
    _login(client, unit_account)
    # Even the head's own report is not in the staff inbox: a head holds no post.
    assert petition.tracking_code not in client.get(reverse("petitions:inbox")).content.decode()
    assert client.get(reverse("petitions:detail", args=[petition.pk])).status_code == 404
    assert client.get(reverse("dashboards:node", args=[city.grid_a1.pk])).status_code == 404
    client.force_login(people.worker)
    for name in ("residents:head_home", "petitions:head_report", "announcements:head_relay"):
        assert client.get(reverse(name)).status_code == 404


def test_a_head_lands_on_its_building_page_after_login(accounts):
    from portal.landing import landing_url

    building_account, _ = accounts
    assert landing_url(building_account.user) == "/residents/head/"
