"""Any malformed id is a 404, everywhere: every API route that names an object in its URL,
generated from the URL resolver (a new route is covered without touching this file), called
with ids that are not ids, as a superuser (who sees everything, so only the id can be wrong)
and as an anonymous caller."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MALFORMED = ["abc", "1.5", "-1", "99999999999999999999"]
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _group_end(regex: str, start: int) -> int:
    """The index just past the parenthesised group opening at `start`."""
    depth = 0
    i = start
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(regex)


def _template(pattern) -> str | None:
    """The pattern as a template with {name} for each URL parameter; None if it has none."""
    text = str(pattern.pattern)
    if not isinstance(pattern.pattern, RegexPattern):
        converted = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        return converted if converted != text else None
    out, i, named = [], 0, False
    text = text.lstrip("^").rstrip("$")
    while i < len(text):
        if text.startswith("(?P<", i):
            out.append("{" + text[i + 4 : text.index(">", i)] + "}")
            i = _group_end(text, i)
            named = True
        elif text[i] == "\\":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out) if named else None


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:
        return sorted(actions)
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ["get"]
    return sorted(m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m))


def _converters(pattern) -> set[str]:
    return set(re.findall(r"<(\w+):\w+>", str(pattern.pattern)))


def _api_routes():
    """(url template, HTTP method, takes ids) for every route under /api/v1/ with a parameter in
    its path; "takes ids" when every parameter is an id (other lookups, such as a tracking code,
    have their own shape)."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            part = _template(entry)
            text = part if part is not None else str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                url = prefix + text
                if not url.startswith("api/v1/") or "{" not in url or "{format}" in url:
                    continue
                ids = _converters(entry) <= {"int"}
                for method in _methods(entry.callback):
                    found.append(("/" + url, method, ids))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ROUTES = _api_routes()
# A number too large for any id is still a well-formed tracking code: it is tried on id routes only.
CASES = [
    (url, method, value)
    for url, method, ids in ROUTES
    for value in MALFORMED
    if ids or value != MALFORMED[-1]
]
CASE_IDS = [f"{method} {url} {value}" for url, method, value in CASES]


def test_the_route_list_covers_the_apps_routes_with_an_id():
    urls = {url for url, _method, _ids in ROUTES}
    for expected in (
        "/api/v1/evaluation/appeals/{pk}/",
        "/api/v1/party/activities/{pk}/",
        "/api/v1/party/signups/{pk}/",
        "/api/v1/whistles/{pk}/",
        "/api/v1/grids/{pk}/",
        "/api/v1/dashboard/{node_id}/",
    ):
        assert expected in urls, expected
    assert len(ROUTES) > 60


def _url(template: str, value: str) -> str:
    return re.sub(r"\{\w+\}", value, template)


def _call(client, method: str, url: str):
    if method in WRITE_METHODS:
        return getattr(client, method)(url, {}, format="json")
    return getattr(client, method)(url)


@pytest.fixture(scope="module")
def superuser(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        user = UserFactory(username="malformed_root", is_superuser=True, is_staff=True)
    yield user
    with django_db_blocker.unblock():
        user.delete()


@pytest.mark.parametrize(("template", "method", "value"), CASES, ids=CASE_IDS)
def test_a_malformed_id_is_not_found_for_a_superuser_and_never_a_server_error(
    api_client, superuser, template, method, value
):
    api_client.force_authenticate(superuser)
    response = _call(api_client, method, _url(template, value))
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("template", "method", "value"), CASES, ids=CASE_IDS)
def test_a_malformed_id_is_not_found_or_unauthorised_for_an_anonymous_caller(
    api_client, template, method, value
):
    response = _call(api_client, method, _url(template, value))
    assert response.status_code in (401, 404), (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")


def _page_routes():
    """Every page route (not the API, not the admin) with an id in its path, as a template."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            part = _template(entry)
            text = part if part is not None else str(entry.pattern).lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text)
            elif not (prefix + text).startswith(("api/", "admin/")) and "int" in _converters(entry):
                found.append("/" + prefix + text)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


PAGES = _page_routes()


def test_the_page_list_covers_the_apps_pages_with_an_id():
    assert "/petitions/{pk}/" in PAGES and "/party/activities/{pk}/" in PAGES
    assert len(PAGES) > 25


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("template", PAGES)
def test_a_page_given_an_id_too_large_for_the_database_is_not_found(client, superuser, template, method):
    client.force_login(superuser)
    url = re.sub(r"\{(pk|\w+_id)\}", MALFORMED[-1], template)
    url = re.sub(r"\{\w+\}", "x", url)
    response = getattr(client, method)(url)
    assert response.status_code in (404, 405), (url, response.status_code)


# --- ids in request bodies ----------------------------------------------------------------------


def _body_id_fields():
    """(method, path, [field, ...]) of every write without a path parameter whose request body
    has integer or integer-list fields (ids, mostly), from the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "{" in path or method not in WRITE_METHODS or not content:
                continue
            body = content.get("application/json") or next(iter(content.values()))
            fields = []
            for name, prop in resolve(body["schema"]).get("properties", {}).items():
                prop = resolve(prop)
                items = resolve(prop.get("items", {})) if prop.get("type") == "array" else {}
                if prop.get("type") == "integer" or items.get("type") == "integer":
                    fields.append((name, prop.get("type") == "array"))
            if fields:
                found.append((method, path, fields))
    return found


BODY_ID_OPERATIONS = _body_id_fields()


def test_the_body_id_list_covers_the_apps_writes():
    paths = {path for _method, path, _fields in BODY_ID_OPERATIONS}
    assert {"/api/v1/visits/", "/api/v1/whistles/", "/api/v1/notifications/mark-read/"} <= paths
    assert len(BODY_ID_OPERATIONS) > 10


@pytest.mark.parametrize(
    ("method", "path", "fields"), BODY_ID_OPERATIONS, ids=[f"{m} {p}" for m, p, _f in BODY_ID_OPERATIONS]
)
def test_a_malformed_id_in_a_request_body_is_refused_never_a_server_error(
    api_client, superuser, method, path, fields
):
    from django.db import transaction

    api_client.force_authenticate(superuser)
    api_client.raise_request_exception = False
    answers = {}
    for name, is_list in fields:
        for value in (int(MALFORMED[-1]), -1, "abc", 1.5):
            with transaction.atomic():  # a failure must not spoil the next call's transaction
                body = {name: [value] if is_list else value}
                answers[(name, value)] = getattr(api_client, method)(path, body, format="json").status_code
    assert all(status < 500 for status in answers.values()), answers
