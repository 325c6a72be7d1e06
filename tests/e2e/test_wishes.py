"""A 微心愿 on phones: the demo's in-service Party member (`member`) claims an open wish of its
grid, fulfils it with a photo, and the resident, without an account, confirms it by its code."""

import pytest
from PIL import Image

from lists.models import Wish, WishStatus
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_a_member_claims_a_wish_fulfils_it_with_a_photo_and_the_resident_confirms_by_code(
    phone, browser, live_server, demo_city, tmp_path
):
    login(phone, live_server, "member")
    phone.goto(f"{live_server.url}/lists/member/")
    phone.wait_for_selector("[data-testid=member-open-wishes]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "member-board")
    phone.get_by_test_id("member-wish-row").first.click()
    title = phone.get_by_test_id("wish-title").inner_text()
    phone.get_by_test_id("member-claim").click()
    phone.wait_for_selector("[data-testid=member-fulfil-form]")
    wish = Wish.objects.select_related("need", "claimed_by_member__user").get(
        need__title=title, status=WishStatus.CLAIMED, claimed_by_member__user__username="member"
    )

    photo = tmp_path / "done.jpg"
    Image.new("RGB", (640, 480), (200, 60, 60)).save(photo, "JPEG")
    phone.get_by_test_id("member-photo").set_input_files(str(photo))
    phone.get_by_test_id("member-fulfil").click()
    phone.wait_for_selector("img[alt]")
    screenshot(phone, "member-fulfilled")
    wish.refresh_from_db()
    assert wish.status == WishStatus.FULFILLED and wish.photo

    # The resident, on their own phone and without an account, confirms with the code.
    resident = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = resident.new_page()
    page.goto(f"{live_server.url}/lists/confirm/")
    page.get_by_test_id("confirm-code").fill(wish.confirmation_code.lower())
    page.get_by_test_id("confirm-find").click()
    page.wait_for_selector("[data-testid=confirm-submit]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("img[alt]").count() == 1  # the photo of the fulfilled wish
    assert wish.resident_name not in page.content()
    page.get_by_test_id("confirm-submit").click()
    page.wait_for_selector("[data-testid=confirm-done]")
    screenshot(page, "resident-confirmed")
    resident.close()
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_by is None
    assert wish.need.__class__.objects.get(pk=wish.need_id).status == "CLOSED"
