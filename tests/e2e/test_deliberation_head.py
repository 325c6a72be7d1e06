"""A grid head on a phone runs a meeting: screens a topic, calls the meeting, lists the resident
representatives and their attendance, opens a vote, records the ballots, closes the vote (the
result is counted, not typed), records a resolution with its owner, the minutes, and publishes
the resolution to the grid's public board."""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_head_runs_a_meeting_with_a_vote_to_a_resolution(demo_city, live_server, phone):
    from deliberation.models import Meeting, Resolution, Topic, Vote
    from grids.models import PostKind
    from hlgrid.models import User

    head = User.objects.get(username="gridhead")
    worker = User.objects.get(username="worker")
    grid = head.posts.get(kind=PostKind.HEAD).node

    login(phone, live_server, "gridhead")

    # a topic raised on the phone, then screened: accepted for deliberation
    phone.goto(f"{live_server.url}/deliberation/")
    phone.click("[data-testid=raise-topic]")
    phone.select_option("[data-testid=field-node]", str(grid.pk))
    phone.fill("[data-testid=field-title]", "小区东门停车位划线")
    phone.fill("[data-testid=field-description]", "东门口乱停车堵塞消防通道，提议统一划线。")
    phone.click("[data-testid=topic-submit]")
    phone.wait_for_selector("[data-testid=screen-form]")
    phone.click("[data-testid=screen-submit]")  # "accept" is preselected
    phone.wait_for_selector("[data-testid=topic-status]")
    assert phone.inner_text("[data-testid=topic-status]") == "已受理，待协商"
    topic = Topic.objects.get(title="小区东门停车位划线")

    # the meeting, with the topic on its agenda
    phone.goto(f"{live_server.url}/deliberation/meetings/new/")
    phone.select_option("[data-testid=field-node]", str(grid.pk))
    phone.fill("[data-testid=field-title]", "东门停车议事会")
    starts = timezone.localtime() + datetime.timedelta(minutes=30)
    phone.fill("[data-testid=field-starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    phone.fill("[data-testid=field-place]", "网格议事厅")
    phone.check("input[name=invited_roles][value=RESIDENT_REP]")
    phone.check("input[name=invited_roles][value=PROPERTY]")
    phone.check(f"input[name=topics][value='{topic.pk}']")
    phone.click("[data-testid=meeting-submit]")
    phone.wait_for_selector("[data-testid=meeting-title]")
    assert phone.locator(f"[data-testid=agenda-{topic.pk}]").count() == 1

    # three resident representatives, each for a household, all present
    for index, name in enumerate(["金代表", "朴代表", "李代表"], start=1):
        phone.select_option("[data-testid=participant-role]", "RESIDENT_REP")
        phone.fill("[data-testid=participant-name]", name)
        phone.select_option("[data-testid=participant-household]", index=index)
        phone.click("[data-testid=participant-add]")
        phone.wait_for_selector(f"[data-testid='present-{name}']")
    for name in ["金代表", "朴代表", "李代表"]:
        phone.check(f"[data-testid='present-{name}']")
    phone.click("[data-testid=attendance-save]")
    phone.wait_for_selector("[data-testid=attendance-form]")
    assert phone.is_checked("[data-testid='present-朴代表']")
    screenshot(phone, "deliberation-head-meeting")

    # the vote: one per representative, two thirds taking part, more than half saying yes
    agenda = phone.locator(f"[data-testid=agenda-{topic.pk}]")
    agenda.locator("[data-testid=open-vote]").click()
    agenda.locator("[data-testid=vote-rule]").select_option("REPRESENTATIVE")
    agenda.locator("[data-testid=vote-quorum]").select_option("2/3")
    agenda.locator("[data-testid=vote-threshold]").select_option("1/2")
    closes = timezone.localtime() + datetime.timedelta(days=1)
    agenda.locator("[data-testid=vote-closes]").fill(closes.strftime("%Y-%m-%dT%H:%M"))
    agenda.locator("[data-testid=vote-open]").click()
    phone.wait_for_selector("[data-testid=vote-link]")
    phone.click("[data-testid=vote-link]")
    phone.wait_for_selector("[data-testid=ballot-form]")
    assert phone.inner_text("[data-testid=tally-cast]") == "0/3"

    for choice in ["YES", "YES", "NO"]:
        phone.click(f"[data-testid=choice-{choice}]")
        phone.click("[data-testid=ballot-submit]")
        phone.wait_for_selector("[data-testid=tally-cast]")
    assert phone.inner_text("[data-testid=tally-cast]") == "3/3"
    assert phone.locator("[data-testid=everyone-voted]").count() == 1
    phone.click("[data-testid=vote-close]")
    phone.wait_for_selector("[data-testid=vote-result]")
    assert phone.inner_text("[data-testid=vote-result]") == "通过"
    vote = Vote.objects.get(topic=topic)
    assert (vote.yes, vote.no, vote.abstain, vote.result) == (2, 1, 0, "PASSED")

    # the resolution, owned by the grid's worker, ten working days
    phone.fill("[data-testid=resolution-text]", "东门口施划停车位并设消防通道标识，由网格员联系物业实施。")
    phone.select_option("[data-testid=resolution-owner]", str(worker.pk))
    phone.fill("[data-testid=resolution-days]", "10")
    phone.click("[data-testid=resolution-submit]")
    phone.wait_for_selector("[data-testid=resolution-link]")
    screenshot(phone, "deliberation-head-vote")

    # the minutes: the meeting is held
    phone.goto(f"{live_server.url}/deliberation/meetings/{vote.meeting_id}/")
    phone.fill("[data-testid=minutes]", "三位居民代表出席，表决通过东门停车位划线。")
    phone.click("[data-testid=minutes-save]")
    phone.wait_for_selector("[data-testid=meeting-status]")
    assert phone.inner_text("[data-testid=meeting-status]") == "已召开"

    # published to the grid's board, where residents see it without an account
    resolution = Resolution.objects.get(topic=topic)
    phone.goto(f"{live_server.url}/deliberation/resolutions/{resolution.pk}/")
    assert phone.locator("[data-testid=close-form]").count() == 0  # the head does not own it
    phone.click("[data-testid=publish]")
    phone.wait_for_selector("[data-testid=published]")
    phone.goto(f"{live_server.url}/deliberation/public/board/{grid.pk}/")
    assert "东门口施划停车位" in phone.inner_text("[data-testid=board-resolutions]")
    screenshot(phone, "deliberation-public-board")

    resolution.refresh_from_db()
    assert (resolution.owner, resolution.status, resolution.published_at is not None) == (
        worker,
        "OPEN",
        True,
    )
    assert Meeting.objects.get(pk=vote.meeting_id).status == "HELD"
    assert Topic.objects.get(pk=topic.pk).status == "PASSED"
