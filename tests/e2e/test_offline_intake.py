"""Field readiness (issue 16), the rest of the outbox: a petition taken in without signal
(接诉登记 at a window or a door, with no network) reaches the server once with only the way of
giving the place that was chosen, and links to its page; an item the server refuses (the
household moved to another grid meanwhile) stays in the outbox with the server's reason until
the worker discards it."""

import io

import pytest
from PIL import Image

from petitions.models import Attachment, Petition
from residents.models import Household, Visit
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def photo(colour: str, name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), colour).save(buffer, "JPEG", quality=90)
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _kept_for_offline(phone, live_server) -> None:
    """Online: My day keeps its pages (the intake form among them); a second visit is under
    the service worker's control."""
    phone.goto(f"{live_server.url}/residents/")
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.wait_for_selector("body[data-offline-ready]")
    phone.goto(f"{live_server.url}/outbox/")
    phone.goto(f"{live_server.url}/residents/")
    phone.wait_for_selector("body[data-offline-ready]")


def test_a_petition_taken_in_offline_is_sent_once_and_links_to_its_page(phone, live_server, demo_city):
    from hlgrid.models import User

    worker = User.objects.get(username="worker")
    login(phone, live_server, "worker")
    _kept_for_offline(phone, live_server)
    before = set(Petition.objects.values_list("pk", flat=True))

    phone.context.set_offline(True)
    phone.goto(f"{live_server.url}/petitions/intake/")  # the copy My day kept
    phone.wait_for_selector("[data-testid=intake-form]")
    assert phone.get_by_test_id("offline-banner").is_visible()
    phone.locator("label[for=source-WALK_IN]").click()
    phone.locator("label[for=mode-address]").click()
    grid_id = int(phone.locator("#id_grid").input_value())
    phone.get_by_test_id("intake-address").fill("3号楼2单元门口")

    # Incomplete: the page says what is missing and the outbox stays empty.
    phone.get_by_test_id("intake-submit").click()
    assert phone.get_by_test_id("intake-offline-error").is_visible()
    assert phone.evaluate("HLOutbox.all().then(items => items.length)") == 0

    phone.get_by_test_id("intake-description").fill("居民来到网格站反映：小区东门路灯坏了一周")
    phone.get_by_test_id("intake-name").fill("张大爷")
    phone.get_by_test_id("intake-phone").fill("13904431234")
    phone.set_input_files("#id_photos", [photo("orange", "lamp.jpg")])
    phone.get_by_test_id("intake-submit").click()
    phone.get_by_test_id("outbox-saved").wait_for()
    assert not phone.get_by_test_id("intake-offline-error").is_visible()
    assert Petition.objects.exclude(pk__in=before).count() == 0

    phone.goto(f"{live_server.url}/outbox/")
    phone.wait_for_selector("[data-testid=outbox-item][data-kind=petition][data-state=waiting]")
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    phone.wait_for_selector("[data-testid=outbox-item][data-kind=petition][data-state=sent]", timeout=60_000)
    screenshot(phone, "offline-intake-sent")

    created = list(Petition.objects.exclude(pk__in=before))
    assert len(created) == 1
    petition = created[0]
    assert petition.source == "WALK_IN"
    assert petition.grid_id == grid_id
    assert petition.address == "3号楼2单元门口"
    assert petition.description == "居民来到网格站反映：小区东门路灯坏了一周"
    assert petition.created_by_id == worker.pk
    assert Attachment.objects.filter(petition=petition).count() == 1

    # The item links to the petition's page, which shows it.
    link = phone.get_by_test_id("outbox-next")
    assert link.get_attribute("href").endswith(f"/petitions/{petition.pk}/")
    item = phone.locator("[data-testid=outbox-item][data-kind=petition]")
    assert petition.tracking_code in item.inner_text()
    link.click()
    phone.wait_for_url(f"**/petitions/{petition.pk}/")
    assert "小区东门路灯坏了一周" in phone.content()

    # Sent again with its own key: the server answers the first answer and takes nothing in.
    phone.goto(f"{live_server.url}/outbox/")
    phone.evaluate("HLOutbox.resendSent().then(() => HLOutboxPage.send())")
    phone.wait_for_selector("[data-testid=outbox-item][data-kind=petition][data-state=sent]", timeout=60_000)
    assert Petition.objects.exclude(pk__in=before).count() == 1


def test_a_visit_the_server_refuses_stays_in_the_outbox_with_its_reason(phone, live_server, demo_city):
    from grids.models import GridNode, NodeKind
    from grids.selectors import scope_roots
    from grids.subtree import in_subtree
    from hlgrid.models import User

    worker = User.objects.get(username="worker")
    login(phone, live_server, "worker")
    _kept_for_offline(phone, live_server)
    href = phone.get_by_test_id("visit-now").first.get_attribute("href")
    household = Household.objects.get(pk=int(href.rstrip("/").split("/")[-2]))
    visits_before = Visit.objects.filter(worker=worker).count()

    phone.context.set_offline(True)
    phone.goto(f"{live_server.url}{href}")
    phone.wait_for_selector("[data-testid=visit-form]")
    phone.get_by_test_id("notes").fill("门口贴了搬家通知")
    phone.get_by_test_id("save-visit").click()
    phone.get_by_test_id("outbox-saved").wait_for()

    # Meanwhile the office moves the household to a grid outside the worker's posts.
    outside = GridNode.objects.filter(kind=NodeKind.GRID)
    for root in scope_roots(user=worker):
        outside = outside.exclude(in_subtree(root))
    other = outside.order_by("code").first()
    Household.objects.filter(pk=household.pk).update(grid=other)

    phone.goto(f"{live_server.url}/outbox/")
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    refused = phone.locator("[data-testid=outbox-item][data-kind=visit][data-state=conflict]")
    refused.wait_for(timeout=60_000)
    message = refused.get_by_test_id("outbox-message").inner_text()
    assert message.strip(), "the server's reason is shown"
    assert "outside your scope" in message or "范围" in message, message
    assert Visit.objects.filter(worker=worker).count() == visits_before
    screenshot(phone, "offline-outbox-conflict")

    # It is kept across a reload and another sync, not retried into a duplicate or dropped.
    phone.reload()
    phone.evaluate("HLOutboxPage.send()")
    refused.wait_for()
    # The menu's outbox link still counts it as waiting for the worker.
    assert phone.locator("#hl-outbox-count").text_content() == "1"
    assert phone.get_by_test_id("outbox-link").get_attribute("hidden") is None
    assert Visit.objects.filter(worker=worker).count() == visits_before

    # The worker settles it: discarding asks first, then the item is gone.
    phone.once("dialog", lambda dialog: dialog.accept())
    refused.get_by_role("button").click()
    phone.get_by_test_id("outbox-empty").wait_for()
    assert phone.evaluate("HLOutbox.all().then(items => items.length)") == 0
