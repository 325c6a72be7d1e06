"""Pages go out gzipped to a browser that accepts it; API answers stay plain (their clients
include programs that ask for gzip and cannot read it)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_is_compressed_and_the_api_is_not(client, city):
    from tests.factories import UserFactory

    page = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.content)
    client.force_login(UserFactory(is_superuser=True))
    api = client.get("/api/v1/grids/", HTTP_ACCEPT_ENCODING="gzip")
    assert api.status_code == 200 and len(api.content) > 200  # long enough to be compressed
    assert not api.has_header("Content-Encoding")
    assert api.json()
