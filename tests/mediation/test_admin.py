"""The admin shows disputes read-only, parties masked."""

import pytest

from tests.factories import UserFactory
from tests.mediation.factories import case

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_shows_a_case_read_only_with_masked_parties(client, city, people):
    c = case(city.grid_a1, actor=people.worker)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/mediation/case/").status_code == 200
    page = client.get(f"/admin/mediation/case/{c.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "王**" in body and "13911112222" not in body
    assert client.get("/admin/mediation/case/add/").status_code == 403
    for url in ("/admin/mediation/monthlyreport/", "/admin/mediation/notice/"):
        assert client.get(url).status_code == 200
