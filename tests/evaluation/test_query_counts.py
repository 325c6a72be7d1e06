"""Pages and endpoints run a fixed number of queries whatever the number of results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation import services
from evaluation.models import Assessment
from grids.models import Post
from tests.evaluation import factories

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/evaluation/assessments/?period={pk}",
    "/api/v1/evaluation/inspections/?period={pk}",
    "/api/v1/evaluation/payments/?period={pk}",
    "/api/v1/evaluation/periods/{pk}/preview/",
    "/api/v1/evaluation/stars/?period={pk}",
    "/evaluation/periods/{pk}/",
    "/evaluation/periods/{pk}/report",
    "/evaluation/periods/{pk}/report.xlsx",
    "/evaluation/team/?period={pk}",
    "/evaluation/stars/?period={pk}",
    "/evaluation/trends/",
]


def _published_with(world, name: str, extra: int):
    for i in range(extra):
        factories.worker_in(world.city.grids[i % 4], f"{name}_{i}")
    factories.backdate_posts()
    period = factories.period(world.assessor, name=name)
    for post in Post.objects.filter(kind="WORKER").select_related("user"):
        factories.inspect(world.assessor, period, post.user, 70 + post.pk % 30)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    return period


def _counts(client, period) -> dict[str, int]:
    counts = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url.format(pk=period.pk))
        assert response.status_code == 200, url
        counts[url] = len(ctx.captured_queries)
    return counts


def test_pages_and_endpoints_run_the_same_queries_for_few_and_many_results(world, client):
    small = _published_with(world, "少", 0)
    client.force_login(world.assessor)
    few = _counts(client, small)
    large = _published_with(world, "多", 30)
    assert (
        Assessment.objects.filter(period=large).count() > 3 * Assessment.objects.filter(period=small).count()
    )
    many = _counts(client, large)
    assert many == few
