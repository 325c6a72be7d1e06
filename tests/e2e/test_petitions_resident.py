"""A resident on a phone: report with a photo and the location, follow the code, rate the result."""

import io

import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "photo.jpg"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_a_resident_reports_with_photo_and_location_follows_the_code_and_rates_it(
    demo_city, live_server, phone, tmp_path
):
    from grids.demo import CITY_CODE  # noqa: F401 — the demo city is loaded
    from grids.models import GridNode, NodeKind
    from hlgrid.models import User
    from petitions import services
    from petitions.models import Category, Petition

    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    phone.context.grant_permissions(["geolocation"], origin=live_server.url)
    phone.context.set_geolocation({"latitude": grid.centroid_lat, "longitude": grid.centroid_lng})

    phone.goto(f"{live_server.url}/petitions/report/")
    phone.fill("[data-testid=report-description]", "小区门口垃圾桶满了三天没人清运")
    phone.set_input_files("[data-testid=report-photos]", str(_photo(tmp_path)))
    # Tapping the grid map also gives a point routed to a grid...
    phone.click("[data-testid=pick-on-map] summary")
    phone.locator("[data-testid=report-map] path.leaflet-interactive").first.click()
    phone.wait_for_function("() => !!document.querySelector('[data-testid=location-status]').dataset.grid")
    # ...and "use my location" takes the phone's position.
    phone.click("[data-testid=use-location]")
    phone.wait_for_function(
        "(name) => document.querySelector('[data-testid=location-status]').dataset.grid === name",
        arg=grid.name,
    )
    screenshot(phone, "petitions-resident-report")
    phone.click("[data-testid=report-submit]")
    phone.wait_for_url("**/petitions/track/**")
    code = phone.inner_text("[data-testid=tracking-code]").strip()
    petition = Petition.objects.get(tracking_code=code)
    assert petition.grid_id == grid.pk
    assert petition.category == Category.objects.get(code="SR01")  # suggested from 垃圾 / 清运
    assert petition.attachments.count() == 1
    assert phone.get_attribute("[data-testid=track-status]", "data-status") == "RECEIVED"

    # The grid's worker handles it meanwhile.
    worker = User.objects.get(username="worker")
    services.petition_verify(actor=worker, petition=petition)
    services.petition_classify(
        actor=worker, petition=petition, category=petition.category, assignee=worker, level="GRID"
    )
    services.petition_resolve(actor=worker, petition=petition, note="已联系环卫清运完毕")

    phone.goto(f"{live_server.url}/petitions/track/")
    phone.fill("[data-testid=track-code-input]", code.lower())
    phone.press("[data-testid=track-code-input]", "Enter")
    phone.wait_for_selector("[data-testid=rating-form]")
    assert "已联系环卫清运完毕" in phone.inner_text("[data-testid=track-resolution]")
    phone.check("[data-testid=rate-SATISFIED]")
    phone.check("[data-testid=solved-yes]")
    phone.click("[data-testid=rating-submit]")
    phone.wait_for_selector("[data-testid=track-rated]")
    assert phone.get_attribute("[data-testid=track-status]", "data-status") == "CLOSED"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "petitions-resident-rated")
