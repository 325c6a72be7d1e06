"""A grid worker on a phone: the inbox by light, then verify, classify and resolve a petition."""

import pytest

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_worker_verifies_classifies_and_resolves_a_petition(demo_city, live_server, phone):
    from grids.models import PostKind
    from hlgrid.models import User
    from petitions import services
    from petitions.models import Category, Petition, Source, Status

    worker = User.objects.get(username="worker")
    grid = worker.posts.get(kind=PostKind.WORKER).node
    petition = services.petition_intake(
        source=Source.HOTLINE,
        description="楼道里堆满杂物影响通行（电话反映）",
        grid=grid,
        category=Category.objects.get(code="SR02"),
        actor=worker,
    )

    login(phone, live_server, "worker")
    phone.goto(f"{live_server.url}/petitions/")
    first_light = phone.get_attribute("[data-testid=petition-row] [data-testid=light]", "data-light")
    assert first_light == "RED"  # red first
    screenshot(phone, "petitions-worker-inbox")
    phone.click(f'[data-testid=petition-row][data-code="{petition.tracking_code}"]')
    phone.wait_for_selector("[data-testid=action-verify]")
    assert phone.locator("[data-testid=action-resolve]").count() == 0  # only what is allowed now

    phone.wait_for_load_state("load")
    phone.click("[data-testid=do-verify]")
    phone.wait_for_selector("[data-testid=action-classify]")
    phone.wait_for_load_state("load")
    assert phone.get_attribute("[data-testid=petition-status]", "data-status") == Status.VERIFIED
    phone.select_option("[data-testid=classify-level]", "GRID")
    phone.select_option("[data-testid=classify-assignee]", str(worker.pk))
    phone.click("[data-testid=do-classify]")
    phone.wait_for_selector("[data-testid=action-resolve]")
    assert phone.get_attribute("[data-testid=petition-status]", "data-status") == Status.HANDLING
    # The page came by a redirect: act on it once its scripts have run, so the form is sent
    # the way a user's tap sends it (through htmx) and not mid-parse.
    phone.wait_for_load_state("load")

    phone.fill("[data-testid=resolve-note]", "已清理楼道杂物")
    with phone.expect_response(lambda r: r.url.endswith("/resolve/") and r.request.method == "POST") as sent:
        phone.click("[data-testid=do-resolve]")
    # An error comes back as 200 with the form's error list: say what it was.
    assert sent.value.status in (204, 302), sent.value.text()
    phone.wait_for_selector("[data-testid=petition-status][data-status=RESOLVED]")
    screenshot(phone, "petitions-worker-resolved")
    fresh = Petition.objects.get(pk=petition.pk)
    assert fresh.status == Status.RESOLVED and fresh.assignee == worker and fresh.resolved_on_time
