"""A resident on a phone without GPS, from the front door: finds the place by address, drags
the pin, sees that the problem is already reported nearby, joins it (我也遇到了) and follows it
with their own code."""

import pytest

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resident_without_gps_finds_the_address_drags_the_pin_and_joins_a_nearby_report(
    demo_city, live_server, phone
):
    from hlgrid.models import User
    from petitions import services
    from petitions.models import Category, Petition, PetitionJoin
    from residents.models import Building

    building = (
        Building.objects.filter(latitude__isnull=False, grid__code__isnull=False)
        .select_related("grid", "grid__parent")
        .order_by("grid__code", "pk")
        .first()
    )
    garbage = Category.objects.get(code="SR01")
    # A neighbour reported the overflowing bins at this building this morning.
    earlier = services.public_petition_report(
        description="楼门口垃圾桶满了，好几天没人清运",
        latitude=building.latitude,
        longitude=building.longitude,
        category=garbage,
        reporter_name="王五",
        reporter_phone="13612345678",
    )
    before = Petition.objects.count()

    # The resident refuses to share the position: "use my location" fails, the map opens instead.
    phone.add_init_script(
        "navigator.geolocation.getCurrentPosition = function (ok, fail) {"
        " setTimeout(function () { fail({ code: 1, message: 'User denied Geolocation' }); }, 50); };"
    )
    # From the front door: the 随手拍 tile opens the report form.
    phone.goto(f"{live_server.url}/")
    phone.click("[data-testid=tile-report]")
    phone.wait_for_url("**/petitions/report/")
    phone.click("[data-testid=use-location]")
    phone.wait_for_function("() => document.querySelector('[data-testid=pick-on-map]').open")
    phone.wait_for_function(
        "() => document.querySelector('[data-testid=location-status]').dataset.refused === '1'"
    )

    # The address search over the register's buildings moves the pin there.
    screenshot(phone, "report-join-refused")
    phone.fill("[data-testid=building-search]", f"{building.address} {building.number}")
    phone.wait_for_selector("[data-testid=building-result]")
    results = phone.inner_text("[data-testid=building-results]")
    assert building.grid.name in results and building.grid.parent.name in results
    phone.locator("[data-testid=building-result]").first.click()
    phone.wait_for_function(
        "(name) => document.querySelector('[data-testid=location-status]').dataset.grid === name",
        arg=building.grid.name,
    )
    assert float(phone.input_value("[data-testid=report-lat]")) == pytest.approx(building.latitude, abs=1e-5)

    # The resident drags the pin a few metres to the bins' exact place.
    phone.locator("[data-testid=report-map]").scroll_into_view_if_needed()
    phone.wait_for_timeout(300)
    pin = phone.locator("[data-testid=report-pin]").bounding_box()
    x, y = pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] / 2
    phone.mouse.move(x, y)
    phone.mouse.down()
    phone.mouse.move(x + 6, y + 4, steps=5)
    phone.mouse.move(x + 12, y + 8, steps=5)
    phone.mouse.up()
    phone.wait_for_function(
        "(lat) => Math.abs(+document.querySelector('[data-testid=report-lat]').value - lat) > 1e-6",
        arg=building.latitude,
    )
    moved = (
        float(phone.input_value("[data-testid=report-lat]")),
        float(phone.input_value("[data-testid=report-lng]")),
    )
    screenshot(phone, "report-join-pin")

    # Describing it and picking the category shows the open report nearby, with no personal data.
    phone.fill("[data-testid=report-description]", "垃圾桶满了")
    phone.select_option("[data-testid=report-category]", str(garbage.pk))
    phone.wait_for_selector("[data-testid=nearby-report]")
    nearby = phone.inner_text("[data-testid=nearby]")
    assert "垃圾清运" in nearby and "楼门口垃圾桶满了" in nearby
    for secret in ("王五", "136", earlier.tracking_code):
        assert secret not in nearby
    screenshot(phone, "report-join-nearby")

    # 我也遇到了: joining instead of sending a duplicate, with the SMS opt-in.
    phone.click("[data-testid=me-too]")
    phone.wait_for_selector("[data-testid=join-form]:not(.d-none)")
    phone.fill("[data-testid=join-phone]", "13998765432")
    phone.check("[data-testid=join-notify]")
    phone.click("[data-testid=join-submit]")
    phone.wait_for_url("**/petitions/track/**")
    code = phone.inner_text("[data-testid=tracking-code]").strip()
    joined = PetitionJoin.objects.get(tracking_code=code)
    assert joined.petition_id == earlier.pk and joined.reporter_notify is True
    assert joined.reporter_phone_hint == "139****5432"
    assert Petition.objects.count() == before  # no duplicate was sent
    assert code != earlier.tracking_code
    assert phone.is_visible("[data-testid=track-joined]")
    assert phone.get_attribute("[data-testid=track-status]", "data-status") == "RECEIVED"
    assert "楼门口垃圾桶满了" in phone.inner_text("[data-testid=track-description]")

    # The grid's worker verifies it: the joiner's page shows the petition's steps with dates.
    worker = User.objects.filter(posts__node=earlier.grid, posts__kind="WORKER").first()
    services.petition_verify(actor=worker, petition=earlier)
    phone.reload()
    assert phone.get_attribute("[data-step=received]", "data-state") == "done"
    assert phone.get_attribute("[data-step=verified]", "data-state") == "done"
    assert phone.get_attribute("[data-step=classified]", "data-state") == "current"
    assert phone.locator("[data-step=verified] [data-testid=step-date]").count() == 1
    timeline = phone.inner_text("[data-testid=timeline]")
    assert "王五" not in timeline and worker.username not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "report-join-tracking")
    assert moved != (building.latitude, building.longitude)
