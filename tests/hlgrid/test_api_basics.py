import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services
from grids.access import SYSTEM
from grids.models import NodeKind, PostKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/grids/", "/api/v1/grids/locate/", "/api/v1/auth/token/", "/api/v1/me/"):
        assert path in schema["paths"], path


def test_the_api_docs_are_served_offline(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "/static/drf_spectacular_sidecar/" in page  # no CDN: assets come with the app
    assert "cdn" not in page.lower()


def test_the_scoped_list_costs_the_same_queries_at_two_sizes(api_client, people, city):
    api_client.force_authenticate(people.assessor)
    with CaptureQueriesContext(connection) as small:
        assert api_client.get("/api/v1/grids/").status_code == 200
    for i in range(20):
        node = services.gridnode_create(
            actor=SYSTEM, parent=city.city, kind=NodeKind.STREET, code=f"T-Z{i:02d}", name=f"街{i}"
        )
        services.post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.HEAD, node=node)
        services.post_assign(actor=SYSTEM, user=UserFactory(), kind=PostKind.OFFICIAL, node=node)
    with CaptureQueriesContext(connection) as large:
        assert len(api_client.get("/api/v1/grids/").json()["results"]) == 29
    assert len(large) == len(small)


def test_chinese_is_the_default_and_english_is_available(client, people):
    client.force_login(people.worker)
    assert "网格" in client.get("/me/").content.decode()
    english = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Grid tree" in english and "My posts" in english


def test_errors_are_json_with_detail_and_errors(api_client, people, city):
    api_client.force_authenticate(people.worker)
    response = api_client.get("/api/v1/grids/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "errors": {}}
