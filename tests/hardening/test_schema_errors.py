"""The schema documents the errors the machinery around every view answers (hlgrid.schema),
found by the schemathesis run (test_fuzz_api.py): an anonymous call's 401, a post of the
wrong kind's 403, a filter value that names nothing (400), a cursor that names no page (404),
a key group or notification id that does not exist (404)."""

import pytest
from rest_framework.test import APIClient

from tests.openapi import Schema

pytestmark = pytest.mark.django_db

METHODS = ("get", "put", "post", "patch", "delete")


@pytest.fixture
def schema(people, api_client):
    api_client.force_authenticate(people.official)
    return Schema(api_client)


def operations(schema):
    for path, item in schema.document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_operation_that_takes_credentials_documents_401_with_www_authenticate_and_403(schema):
    secured = [(p, m, op) for p, m, op in operations(schema) if any(op.get("security", []))]
    assert len(secured) > 100
    for path, method, operation in secured:
        unauthorised = operation["responses"].get("401")
        assert unauthorised, f"{method.upper()} {path} does not document 401"
        assert unauthorised["headers"]["WWW-Authenticate"]["required"] is True
        assert "403" in operation["responses"], f"{method.upper()} {path} does not document 403"


def test_the_public_intake_documents_no_401(schema):
    assert "401" not in schema.operation("/api/v1/public/petitions/", "post")["responses"]


def test_every_operation_with_an_id_in_its_path_documents_404_and_with_input_documents_400(schema):
    for path, method, operation in operations(schema):
        parameters = operation.get("parameters", [])
        if any(p["in"] == "path" for p in parameters):
            assert "404" in operation["responses"], f"{method.upper()} {path} does not document 404"
        if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
            assert "400" in operation["responses"], f"{method.upper()} {path} does not document 400"


def test_an_anonymous_call_answers_the_documented_401(schema):
    response = APIClient().get("/api/v1/buildings/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    schema.check("/api/v1/buildings/", "get", response)


def test_a_filter_value_that_names_nothing_answers_the_documented_400(schema, people):
    client = APIClient()
    client.force_authenticate(people.official)
    response = client.get("/api/v1/buildings/", {"grid": 999999})
    assert response.status_code == 400
    schema.check("/api/v1/buildings/", "get", response)


def test_a_cursor_that_names_no_page_answers_the_documented_404(schema, people):
    client = APIClient()
    client.force_authenticate(people.official)
    response = client.get("/api/v1/petitions/", {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    schema.check("/api/v1/petitions/", "get", response)


def test_a_worker_asking_for_the_bonus_payments_answers_the_documented_403(schema, people):
    client = APIClient()
    client.force_authenticate(people.worker)
    response = client.get("/api/v1/evaluation/payments/")
    assert response.status_code == 403
    schema.check("/api/v1/evaluation/payments/", "get", response)


def test_a_key_group_that_does_not_exist_answers_the_documented_404(schema, people):
    client = APIClient()
    client.force_authenticate(people.worker)
    response = client.get("/api/v1/key-groups/999999/")
    assert response.status_code == 404
    schema.check("/api/v1/key-groups/{id}/", "get", response)
