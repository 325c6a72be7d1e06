"""Bad requests get a JSON 4xx, never a 500 or Django's HTML page: JSON no decoder can take,
bodies of the wrong shape or over the size limits, unknown keys on reveal, an anonymous call."""

import io

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.residents import factories as homes

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PUBLIC = "/api/v1/public/petitions/"


def _is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"].startswith("application/json")
        and set(response.json()) == {"detail", "errors"}
    )


@pytest.fixture
def worker_client(people):
    client = APIClient()
    client.force_authenticate(people.worker)
    return client


# --- JSON the decoder cannot take -------------------------------------------------------------


@pytest.mark.parametrize("url", [TOKEN, PUBLIC, "/api/v1/notifications/mark-read/"])
def test_json_nested_a_hundred_thousand_levels_deep_is_a_400_not_a_500(worker_client, url):
    response = worker_client.post(url, "[" * 100_000, content_type="application/json")
    assert _is_json_error(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": "a", ',  # truncated
        b'{"username": NaN}',  # not JSON
        b'{"latitude": 1e400}',  # a number no field can hold
        b'{"username": "\xff\xfe"}',  # not UTF-8
        b"1" * 5000,  # more digits than Python turns into an int
    ],
    ids=["truncated", "nan", "infinite", "not-utf8", "too-many-digits"],
)
def test_json_that_is_not_valid_is_a_400(api_client, body):
    assert _is_json_error(api_client.post(TOKEN, body, content_type="application/json"), 400)
    assert _is_json_error(api_client.post(PUBLIC, body, content_type="application/json"), 400)


@pytest.mark.parametrize("body", ["[]", '"text"', "42", "null", "[1, 2]", '{"description": ["x"]}'])
def test_json_of_the_wrong_shape_is_a_400(api_client, worker_client, body):
    assert _is_json_error(api_client.post(TOKEN, body, content_type="application/json"), 400)
    assert _is_json_error(api_client.post(PUBLIC, body, content_type="application/json"), 400)
    marked = worker_client.post("/api/v1/notifications/mark-read/", body, content_type="application/json")
    assert marked.status_code in (200, 400)  # no ids means "all": a list or null body is either


def _api_views():
    """(url, view class, parser classes) of every API route, from the URL resolver."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.startswith("api/"):
                callback = entry.callback
                view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
                if view is not None:
                    initkwargs = getattr(callback, "initkwargs", {}) or {}
                    found.append((route, view, initkwargs.get("parser_classes", view.parser_classes)))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_api_view_parses_with_the_bounded_parsers():
    from hlgrid import parsers

    ours = (parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser)
    views = _api_views()
    assert len(views) > 50
    for route, view, classes in views:
        for parser in classes:
            assert issubclass(parser, ours), (route, view, parser)


# --- bodies over the limits ---------------------------------------------------------------------


def test_a_json_body_over_the_memory_limit_is_a_json_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"description": "%s"}' % ("x" * 2000)
    assert _is_json_error(api_client.post(PUBLIC, body, content_type="application/json"), 413)


def test_a_form_body_over_the_memory_limit_is_a_json_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "description=" + "x" * 2000
    response = api_client.post(PUBLIC, body, content_type="application/x-www-form-urlencoded")
    assert _is_json_error(response, 413)


def test_a_multipart_form_field_over_the_memory_limit_is_a_json_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_client.post(PUBLIC, {"description": "x" * 2000, "latitude": "42.5"}, format="multipart")
    assert _is_json_error(response, 413)


def test_an_upload_over_the_request_limit_is_a_json_413_before_it_is_parsed(api_client, monkeypatch):
    from hlgrid import parsers

    monkeypatch.setattr(parsers, "upload_max_bytes", lambda: 10_000)
    upload = io.BytesIO(b"\0" * 20_000)
    upload.name = "big.png"
    response = api_client.post(PUBLIC, {"description": "a hole", "photos": [upload]}, format="multipart")
    assert _is_json_error(response, 413)


def test_a_request_django_refuses_before_any_view_is_a_json_400_under_the_api(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    assert _is_json_error(client.get("/api/v1/grids/", HTTP_HOST="evil.example"), 400)
    page = client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")


def test_an_unknown_api_route_is_a_json_404_and_an_unknown_page_is_not(client):
    assert _is_json_error(client.get("/api/v1/no-such-thing/"), 404)
    assert _is_json_error(client.get("/api/v1/petitions/abc/"), 404)
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")


# --- reveal: every key known, every message a sentence ------------------------------------------


@pytest.fixture
def neighbour(city):
    return homes.resident(homes.household(city.grid_a1))


def test_an_unknown_key_on_reveal_is_a_400_naming_it_and_reveals_nothing(worker_client, neighbour):
    from residents.models import AccessLog

    before = AccessLog.objects.count()
    response = worker_client.post(
        f"/api/v1/residents/{neighbour.pk}/reveal/", {"field": ["phone"]}, format="json"
    )
    assert _is_json_error(response, 400)
    assert list(response.json()["errors"]) == ["field"]
    assert "fields" in response.json()["errors"]["field"][0]  # it names the key that exists
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize("value", ["email", ["x"], {"a": 1}, None])
def test_an_unknown_value_on_reveal_gets_a_message_not_a_python_repr(worker_client, neighbour, value):
    response = worker_client.post(
        f"/api/v1/residents/{neighbour.pk}/reveal/", {"fields": [value]}, format="json"
    )
    assert _is_json_error(response, 400)
    (message,) = response.json()["errors"]["fields"]
    assert "ErrorDetail" not in message and "{0:" not in message and "code=" not in message


def test_a_known_key_on_reveal_still_reveals(worker_client, neighbour):
    response = worker_client.post(
        f"/api/v1/residents/{neighbour.pk}/reveal/", {"fields": ["phone"]}, format="json"
    )
    assert response.status_code == 200 and "phone" in response.json()


# --- who is calling -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/grids/", "/api/v1/me/", "/api/v1/petitions/"])
def test_an_anonymous_api_call_is_a_401_naming_the_token_scheme(api_client, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_still_authenticates(api_client, people):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=people.worker)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/me/").json()["username"] == people.worker.username


def test_a_session_api_call_without_the_csrf_token_is_still_refused(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.worker)
    assert browser.get("/api/v1/me/").status_code == 200  # reads need no token
    refused = browser.post("/api/v1/notifications/mark-read/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]


def test_a_session_api_call_with_the_csrf_token_is_accepted_and_pages_still_work(people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.worker)
    assert browser.get("/me/").status_code == 200  # a page; it sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/notifications/mark-read/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
