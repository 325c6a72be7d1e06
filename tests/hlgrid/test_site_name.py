"""The deployment's own name (SITE_NAME, SITE_SHORT_NAME) replaces Helong's on every page."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_without_a_name_each_language_has_helongs():
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/").content.decode()
    assert "和龙网格" in chinese and "和龙市网格化社会治理" in chinese
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Helong Grid" in english and "和龙网格" not in english


@override_settings(SITE_NAME="延边州网格化社会治理平台", SITE_SHORT_NAME="延边网格")
def test_a_deployment_names_itself_on_pages_the_error_page_and_the_app_manifest():
    page = Client().get("/").content.decode()
    assert "延边网格" in page and "延边州网格化社会治理平台" in page
    assert "和龙网格" not in page and "和龙市网格化" not in page
    assert Client().get("/manifest.webmanifest").json()["short_name"] == "延边网格"
    assert "延边网格" in render_to_string("500.html")
