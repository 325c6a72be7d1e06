"""Journeys of issue 11 in a real browser: a visit that found a problem lands on its draft
petition with the visit's photo and a confirmation; the classify form's help follows the
choice (the page's script, under the strict CSP); a dwelling is marked as let on a phone."""

import io

import pytest
from PIL import Image

from grids.models import Post, PostKind
from petitions.models import Petition
from residents.models import Household, Occupancy
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def _photo() -> dict:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, format="JPEG")
    return {"name": "problem.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def _worker_household():
    grid = Post.objects.filter(user__username="worker", kind=PostKind.WORKER).first().node
    return Household.objects.filter(grid=grid).order_by("pk")


def test_a_visit_that_found_a_problem_opens_its_draft_with_the_photo_and_the_help_follows_the_choice(
    phone, live_server, demo_city
):
    household = _worker_household().first()
    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/residents/households/{household.pk}/visit/")
    phone.get_by_test_id("problem-found").check()
    phone.fill("[data-testid=problem-description]", "楼道照明损坏，夜间出行不便")
    phone.set_input_files("#id_photos", [_photo()])
    phone.get_by_test_id("save-visit").click()
    phone.wait_for_url("**/petitions/from-visit/*/")
    assert phone.get_by_test_id("visit-saved").is_visible()
    assert phone.get_by_test_id("visit-photos").locator("img").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "petitions-draft-from-visit")
    if not phone.input_value("[data-testid=draft-category]"):
        value = phone.locator("[data-testid=draft-category] option").nth(1).get_attribute("value")
        phone.select_option("[data-testid=draft-category]", value)
    phone.get_by_test_id("submit-draft").click()
    phone.wait_for_selector("[data-testid=action-verify]")
    petition = Petition.objects.get(description="楼道照明损坏，夜间出行不便")
    assert petition.attachments.count() == 1

    phone.click("[data-testid=do-verify]")
    phone.wait_for_selector("[data-testid=action-classify]")
    assert phone.locator("[data-testid=blow-whistle]").count() == 0  # a worker does not whistle
    help_box = phone.get_by_test_id("classify-help")
    if phone.input_value("[data-testid=classify-level]") == "GRID":
        assert "留在本网格" in help_box.inner_text()
    phone.select_option("[data-testid=classify-level]", "DEPARTMENT")
    department = phone.input_value("[data-testid=classify-department]")  # the category's, if any
    expected = "转出本网格" if department else "请选择部门"
    assert expected in help_box.inner_text() and "留在本网格" not in help_box.inner_text()
    phone.select_option("[data-testid=classify-level]", "GRID")
    phone.select_option("[data-testid=classify-assignee]", "")
    assert "请选择承办网格员" in help_box.inner_text()
    assert phone.input_value("[data-testid=classify-department]") == ""  # not handed away
    screenshot(phone, "petitions-classify-help")


def test_a_worker_marks_a_dwelling_as_let_by_a_neighbour_on_a_phone(phone, live_server, demo_city):
    flat, owner = _worker_household().filter(occupancy=Occupancy.OWNER)[:2]
    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/residents/households/{flat.pk}/")
    phone.locator("[data-testid=dwelling] summary").click()
    phone.select_option("#id_occupancy", Occupancy.RENTED)
    phone.select_option("#id_landlord", str(owner.pk))
    phone.locator("[data-testid=occupancy-form] button[type=submit]").click()
    phone.wait_for_selector("[data-testid=occupancy][data-occupancy=RENTED]")
    assert owner.label in phone.get_by_test_id("landlord").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "residents-dwelling-let")
    phone.goto(f"{live_server.url}/residents/households/{owner.pk}/")
    assert flat.label in phone.get_by_test_id("tenants").inner_text()
