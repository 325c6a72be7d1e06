import pytest

from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.models import User
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def test_an_official_creates_a_grid_worker_who_must_choose_a_password_and_lands_on_my_day(
    desktop, phone, live_server, demo_city
):
    street = Post.objects.get(user__username="official", kind=PostKind.OFFICIAL, is_active=True).node
    grids = list(
        GridNode.objects.filter(
            kind=NodeKind.GRID, tree_id=street.tree_id, lft__gt=street.lft, rght__lt=street.rght
        ).order_by("code")[:2]
    )
    login(desktop, live_server, "official")
    desktop.goto(f"{live_server.url}/grids/people/")
    assert desktop.get_by_test_id("staff").is_visible()
    desktop.get_by_test_id("people-new").click()
    form = desktop.get_by_test_id("account-form")
    form.locator("#id_username").fill("e2e_worker")
    form.locator("#id_name").fill("金明浩")
    form.locator("#id_phone").fill("13904331234")
    form.locator("#id_kind").select_option(PostKind.WORKER)
    form.locator("#id_node").select_option(str(grids[0].pk))
    form.locator("button[type=submit]").click()
    password = desktop.get_by_test_id("new-password").inner_text()
    assert len(password) == 12
    screenshot(desktop, "people-account-created")

    desktop.get_by_test_id("to-account").click()
    desktop.get_by_test_id("grant-post").click()
    grant = desktop.get_by_test_id("grant-form")
    grant.locator("#id_kind").select_option(PostKind.WORKER)
    grant.locator("#id_node").select_option(str(grids[1].pk))
    grant.locator("button[type=submit]").click()
    desktop.wait_for_url(
        lambda url: url.rstrip("/").endswith(str(User.objects.get(username="e2e_worker").pk))
    )
    assert desktop.get_by_test_id("post-row").count() == 2
    screenshot(desktop, "people-account-posts")

    login(phone, live_server, "e2e_worker", password)
    phone.wait_for_url(f"{live_server.url}/accounts/password/")
    assert phone.get_by_test_id("must-change").is_visible()
    phone.fill("#id_old_password", password)
    phone.fill("#id_new_password1", "Buerhatong-River-9")
    phone.fill("#id_new_password2", "Buerhatong-River-9")
    phone.locator("[data-testid=password-change-form] button[type=submit]").click()
    phone.wait_for_url(f"{live_server.url}/residents/")
    assert phone.get_by_test_id("nav-my-day").count() == 1
    screenshot(phone, "people-worker-first-day")
    assert not User.objects.get(username="e2e_worker").must_change_password
