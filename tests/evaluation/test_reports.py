import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from evaluation import services
from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from tests.evaluation import factories
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    head_b1 = UserFactory(username="p_head_b1")
    post_assign(actor=SYSTEM, user=head_b1, kind=PostKind.HEAD, node=world.city.grid_b1)
    scheme = factories.scheme(worker_base="98.76", head_base="54.32")
    period = factories.period(world.assessor, scheme_obj=scheme)
    for worker, score in [
        (world.worker, 93),
        (world.colleague, 81),
        (world.a2_worker, 66),
        (world.outsider, 97),
    ]:
        factories.inspect(world.assessor, period, worker, score)
    services.period_compute(actor=world.assessor, period=period)
    services.period_publish(actor=world.assessor, period=period)
    return period


def _cell(html: str, testid: str) -> Decimal:
    return Decimal(re.search(rf'data-testid="{testid}">([^<]+)<', html).group(1).strip())


def test_the_xlsx_export_opens_and_its_totals_equal_the_pages(world, published, client):
    client.force_login(world.assessor)
    page = client.get(f"/evaluation/periods/{published.pk}/report").content.decode()
    response = client.get(f"/evaluation/periods/{published.pk}/report.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["排名", "等次分布", "各街道奖金"]

    ranking = list(book["排名"].iter_rows(min_row=2, values_only=True))
    assert len(ranking) == 4 + 1
    assert Decimal(str(ranking[-1][8])) == _cell(page, "ranking-total")
    assert sum(Decimal(str(row[8])) for row in ranking[:-1]) == _cell(page, "ranking-total")
    assert ranking[0][2] == world.outsider.display_name and ranking[0][0] == 1

    streets = list(book["各街道奖金"].iter_rows(min_row=2, values_only=True))
    assert Decimal(str(streets[-1][3])) == _cell(page, "street-total")

    grades = list(book["等次分布"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in grades[:4]] == [2, 1, 1, 0]
    assert grades[-1][1] == 4


def test_the_report_totals_equal_the_ledger(world, published, client):
    from django.db.models import Sum

    client.force_login(world.assessor)
    page = client.get(f"/evaluation/periods/{published.pk}/report").content.decode()
    ledger = published.payments.aggregate(t=Sum("amount"))["t"]
    assert _cell(page, "street-total") == ledger


def test_a_heads_report_and_export_cover_only_its_grid(world, published, client):
    client.force_login(world.gridhead)
    page = client.get(f"/evaluation/periods/{published.pk}/report").content.decode()
    assert world.outsider.display_name not in page
    book = load_workbook(BytesIO(client.get(f"/evaluation/periods/{published.pk}/report.xlsx").content))
    names = {row[2] for row in book["排名"].iter_rows(min_row=2, values_only=True)}
    assert names == {world.worker.display_name, world.colleague.display_name, "合计"}


def test_the_trends_export_gives_the_share_of_excellent_per_period(world, published, client):
    client.force_login(world.assessor)
    page = client.get("/evaluation/trends/").content.decode()
    assert "50.0" in page
    book = load_workbook(BytesIO(client.get("/evaluation/trends.xlsx").content))
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], Decimal(str(r[3]))) for r in rows] == [(published.name, 4, 2, Decimal("50.0"))]


def test_a_workers_trend_exports(world, published, client):
    client.force_login(world.assessor)
    assert world.worker.display_name in client.get(f"/evaluation/workers/{world.worker.pk}/").content.decode()
    book = load_workbook(BytesIO(client.get(f"/evaluation/workers/{world.worker.pk}/?format=xlsx").content))
    assert list(book.active.iter_rows(min_row=2, values_only=True))[0][1] == 93


def test_the_pages_render_for_each_role(world, published, client):
    for user, urls in [
        (world.assessor, ["/evaluation/", "/evaluation/periods/", f"/evaluation/periods/{published.pk}/",
                          f"/evaluation/periods/{published.pk}/inspect", "/evaluation/appeals/"]),
        (world.gridhead, ["/evaluation/team/"]),
        (world.worker, ["/evaluation/mine/"]),
    ]:  # fmt: skip
        client.force_login(user)
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, url
    client.force_login(world.worker)
    assert client.get(f"/evaluation/periods/{published.pk}/").status_code == 404
    client.force_login(world.gridhead)
    assert world.worker.display_name in client.get("/evaluation/team/").content.decode()
