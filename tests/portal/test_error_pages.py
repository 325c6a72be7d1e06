"""The error pages a user can meet: the site's own, in its language; JSON under /api/."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.urls_errors")]


@pytest.fixture
def worker_client(people):
    client = Client(raise_request_exception=False)
    client.force_login(people.worker)
    return client


@pytest.fixture
def visitor():
    # A crash answers through handler500 instead of failing the test.
    return Client(raise_request_exception=False)


def test_an_unknown_page_is_the_sites_404_in_chinese_and_in_english(visitor):
    response = visitor.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page"' in html and "页面不存在" in html and "返回首页" in html
    english = visitor.get("/no-such-page/", headers={"accept-language": "en"}).content.decode()
    assert "Page not found" in english


def test_a_views_404_is_the_sites_page_even_in_debug(visitor, settings, worker_client):
    settings.DEBUG = True
    response = worker_client.get("/missing/")
    html = response.content.decode()
    assert response.status_code == 404 and 'data-status="404"' in html
    assert "Traceback" not in html and "no such record" not in html
    # The menu of the signed-in user is there, so the user can go on from the page.
    assert 'id="mainnav"' in html


def test_a_refusal_is_the_sites_403(worker_client):
    response = worker_client.get("/refuse/")
    assert response.status_code == 403 and 'data-status="403"' in response.content.decode()


def test_a_stale_login_form_is_the_sites_page_with_a_way_back_and_signs_nobody_in(people):
    # The form's token belongs to another CSRF cookie than the browser's (a background request
    # answered after the page was shown, a sign-out in another tab).
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    browser.cookies["csrftoken"] = "x" * 32
    response = browser.post(
        "/accounts/login/?next=/petitions/",
        {"username": "worker", "password": "hlgrid-demo", "csrfmiddlewaretoken": "y" * 32},
    )
    html = response.content.decode()
    assert response.status_code == 403 and 'data-reason="csrf"' in html
    assert "表单已过期" in html and 'href="/accounts/login/?next=/petitions/"' in html
    # Our own page: no inline style for the CSP to block, and nobody signed in.
    assert "<style" not in html and "_auth_user_id" not in browser.session


def test_a_crash_is_the_sites_500_page_and_json_under_the_api(visitor):
    page = visitor.get("/crash/")
    assert page.status_code == 500
    html = page.content.decode()
    assert 'data-status="500"' in html and "服务器错误" in html and "boom" not in html
    api = visitor.get("/api/v1/crash/")
    assert api.status_code == 500 and api["Content-Type"] == "application/json"
    assert api.json() == {"detail": "服务器出错。", "errors": {}}


def test_a_refusal_under_the_api_outside_drf_is_json(visitor, settings):
    from hlgrid.errors import permission_denied

    request = visitor.get("/").wsgi_request
    request.path = "/api/v1/anything/"
    response = permission_denied(request)
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
