"""Field readiness (issue 16): a worker without signal logs visits and a report; they wait in
the phone's outbox (IndexedDB), survive a reload offline, and reach the server exactly once
when the network returns, with their photos, however often the sync runs."""

import io

import pytest
from PIL import Image

from petitions.models import Attachment, Petition
from residents.models import Visit, VisitPhoto
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e


def photo(colour: str, name: str) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), colour).save(buffer, "JPEG", quality=90)
    return {"name": name, "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_visits_and_a_report_made_offline_are_sent_once_when_the_network_returns(
    phone, live_server, demo_city
):
    from hlgrid.models import User

    worker = User.objects.get(username="worker")
    visits_before, petitions_before = Visit.objects.filter(worker=worker).count(), Petition.objects.count()
    login(phone, live_server, "worker")

    # Online: My day keeps its households, their visit forms and the outbox for offline use.
    phone.goto(f"{live_server.url}/residents/")
    assert phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.wait_for_selector("body[data-offline-ready]")
    hrefs = []
    for link in phone.get_by_test_id("visit-now").all():
        href = link.get_attribute("href")
        if href not in hrefs:
            hrefs.append(href)
    assert len(hrefs) >= 2
    phone.goto(f"{live_server.url}/petitions/report/")  # the public report form, as a resident
    phone.wait_for_selector("[data-testid=report-form]")
    phone.goto(f"{live_server.url}/residents/")  # under the service worker's control now
    phone.wait_for_selector("body[data-offline-ready]")

    phone.context.set_offline(True)
    for n, href in enumerate(hrefs[:2]):
        phone.goto(f"{live_server.url}{href}")
        phone.wait_for_selector("[data-testid=visit-form]")
        assert phone.get_by_test_id("offline-banner").is_visible()
        phone.get_by_test_id("notes").fill(f"地下室没有信号，第{n + 1}次走访")
        phone.set_input_files("#id_photos", [photo("red", f"a{n}.jpg"), photo("blue", f"b{n}.jpg")])
        phone.get_by_test_id("save-visit").click()
        phone.get_by_test_id("outbox-saved").wait_for()

    phone.goto(f"{live_server.url}/petitions/report/")
    phone.wait_for_selector("[data-testid=report-form]")
    phone.get_by_test_id("report-description").fill("3栋楼道灯不亮，晚上看不见台阶")
    grid_point = demo_city_point()
    phone.evaluate(
        "([lat, lng]) => { document.getElementById('id_latitude').value = lat;"
        " document.getElementById('id_longitude').value = lng; }",
        grid_point,
    )
    phone.set_input_files("[data-testid=report-photos]", [photo("green", "light.jpg")])
    phone.evaluate("document.getElementById('report-form').requestSubmit()")
    phone.get_by_test_id("outbox-saved").wait_for()

    # A reload without signal: the outbox is still there, nothing was sent.
    phone.goto(f"{live_server.url}/outbox/")
    phone.reload()
    phone.wait_for_selector("[data-testid=outbox-item]")
    assert phone.locator("[data-testid=outbox-item][data-state=waiting]").count() == 3
    screenshot(phone, "offline-outbox-waiting")
    assert Visit.objects.filter(worker=worker).count() == visits_before

    # The network returns: everything is sent, once.
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_sent(phone, 3)
    screenshot(phone, "offline-outbox-sent")

    def server_state():
        visits = list(
            Visit.objects.filter(worker=worker).order_by("-pk")[
                : Visit.objects.filter(worker=worker).count() - visits_before
            ]
        )
        return (
            len(visits),
            sorted(VisitPhoto.objects.filter(visit__in=visits).values_list("visit_id", flat=True)),
            Petition.objects.count() - petitions_before,
            Attachment.objects.filter(petition__in=Petition.objects.order_by("-pk")[:1]).count(),
        )

    state = server_state()
    assert state[0] == 2 and len(state[1]) == 4 and state[2] == 1 and state[3] == 1, state
    notes = set(Visit.objects.filter(worker=worker).order_by("-pk").values_list("notes", flat=True)[:2])
    assert notes == {"地下室没有信号，第1次走访", "地下室没有信号，第2次走访"}
    # The photos were resized on the phone (2400 px wide at capture).
    assert max(VisitPhoto.objects.order_by("-pk").values_list("width", flat=True)[:4]) <= 1600

    # The same sync once more, with the same keys: the server answers and creates nothing.
    phone.evaluate("HLOutbox.resendSent().then(() => HLOutboxPage.send())")
    wait_until_sent(phone, 3)
    assert server_state() == state


def wait_until_sent(phone, count: int) -> None:
    """Until the outbox page shows `count` items sent; if not, the items' states and the
    server's words for each, as the outbox keeps them."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        phone.wait_for_function(
            "(n) => document.querySelectorAll('[data-testid=outbox-item][data-state=sent]').length === n",
            arg=count,
            timeout=60_000,
        )
    except PlaywrightTimeout:
        screenshot(phone, "offline-outbox-not-sent")
        items = phone.evaluate(
            "HLOutbox.all().then(items => items.map(i => [i.kind, i.state, i.photosSent, i.message]))"
        )
        pytest.fail(f"the outbox did not send {count} items: {items}")


def demo_city_point() -> list[float]:
    from grids.models import GridNode, NodeKind

    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    return [grid.centroid_lat, grid.centroid_lng]
