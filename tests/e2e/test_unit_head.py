"""A 单元长 on a phone: logs in, reports a leaking pipe (漏水) and relays a notice to its unit's group."""

import pytest

from announcements.models import Relay
from hlgrid.notifier.models import Delivery
from petitions.models import Petition, Source
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_unit_head_reports_a_leaking_pipe_and_relays_a_notice_on_a_phone(phone, live_server, demo_city):
    login(phone, live_server, "unithead")
    assert phone.url.endswith("/residents/head/")  # a head lands on its building's page
    phone.wait_for_selector("[data-testid=head-households]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "unit-head-home")

    phone.get_by_test_id("head-report").click()
    phone.fill("#id_description", "三楼楼道水管漏水，水流到二楼了")
    phone.get_by_test_id("head-report-submit").click()
    phone.wait_for_selector("[data-testid=head-report-done]")
    screenshot(phone, "unit-head-report")
    petition = Petition.objects.get(source=Source.HEAD, description__contains="漏水")
    assert petition.created_by.username == "unithead"

    phone.get_by_test_id("head-relay").click()
    phone.fill("#id_text", "明天上午9点到12点停水，请提前储水。")
    phone.get_by_test_id("head-relay-submit").click()
    phone.wait_for_selector("[data-testid=head-relay-done]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "unit-head-relay")
    relay = Relay.objects.get(account__user__username="unithead")
    assert relay.groups == 1
    assert Delivery.objects.filter(dedupe_key__startswith=f"relay:{relay.pk}:").count() == 1
