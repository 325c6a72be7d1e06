"""The printable 联心卡: who may print it, what it says, and the QR code's payload."""

import pytest
import segno
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import cards
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_qr_code_carries_the_absolute_report_url_preset_to_the_grid(client, people, city):
    people.worker.phone = "13800000001"
    people.worker.save()
    client.force_login(people.worker)
    response = client.get(f"/grids/{city.grid_a1.pk}/card/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = f"http://testserver/petitions/report/?grid={city.grid_a1.pk}"
    assert expected in html
    # The SVG in the page is exactly segno's encoding of that URL (segno cannot decode; the
    # same payload gives the same matrix, any other payload another one).
    assert cards.qr_svg(expected) in html
    assert cards.qr_svg(expected.replace(str(city.grid_a1.pk), str(city.grid_a2.pk))) not in html
    # ...and what segno encodes is that URL: version and error level fit a phone camera.
    qr = segno.make(expected, error="m")
    assert qr.error in ("M", "Q", "H") and qr.version <= 6  # segno raises the level when it fits
    assert "<svg" in html and "<script>" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "甲一网格" in html and "甲社区" in html and "甲街道" in html and "13800000001" in html
    assert html.count('data-testid="liancard"') == 1


def test_the_card_is_for_the_field_posts_over_the_grid(client, people, city):
    url = f"/grids/{city.grid_a1.pk}/card/"
    for user in (people.gridhead, people.official):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404
    client.force_login(people.assessor)  # sees the tree, holds no field post
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_the_grid_page_links_to_its_card_and_a_community_to_all_its_cards(client, people, city):
    client.force_login(people.official)
    assert f"/grids/{city.grid_a1.pk}/card/" in client.get(f"/grids/{city.grid_a1.pk}/").content.decode()
    assert (
        f"/grids/{city.community_a.pk}/cards/"
        in client.get(f"/grids/{city.community_a.pk}/").content.decode()
    )


def test_all_cards_of_a_street_print_in_a_fixed_number_of_queries(client, people, city):
    client.force_login(people.official)

    def count(node) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/grids/{node.pk}/cards/")
        assert response.status_code == 200
        return response.content.decode().count('data-testid="liancard"'), len(ctx.captured_queries)

    one_grid = count(city.grid_a1)
    street = count(city.street_a)
    assert one_grid[0] == 1 and street[0] == 2
    for grid in (city.grid_a1, city.grid_a2):
        post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.WORKER, node=grid)
    assert count(city.street_a) == street
    assert one_grid[1] == street[1]


def test_a_card_names_the_workers_and_the_head_of_the_grid(people, city):
    card = cards.grid_card(city.grid_a1)
    assert [c.name for c in card.workers] == [people.worker.display_name]
    assert card.head.name == people.gridhead.display_name
    assert (card.community, card.street) == (city.community_a, city.street_a)
