"""A demo week's bulletin opens as a page, a PDF and an .xlsx with the same figures."""

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from bulletins.models import Bulletin, Kind
from bulletins.render import cell_text
from grids.models import NodeKind
from hlgrid.models import User
from petitions.models import Petition

pytestmark = pytest.mark.django_db


class Sections(HTMLParser):
    """The cells of every section's table on the page, by section key."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-section" in attrs:
            self.current = attrs["data-section"]
            self.sections[self.current] = []
        elif self.current and tag == "tr":
            self.row = []
        elif self.current and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "section":
            self.current = None
        elif self.current and tag == "td":
            self.row.append(self.cell.strip())
            self.cell = None
        elif self.current and tag == "tr" and self.row:
            self.sections[self.current].append(self.row)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


@pytest.fixture
def demo_week(helong):
    return Bulletin.objects.filter(kind=Kind.WEEK, node__kind=NodeKind.STREET, node__name="文化街道").latest(
        "first_day"
    )


@pytest.fixture
def official(client, helong):
    client.force_login(User.objects.get(username="official"))
    return client


def test_the_demo_has_weekly_and_monthly_bulletins_for_the_city_and_each_street(helong):
    assert Bulletin.objects.filter(kind=Kind.WEEK).values("first_day").distinct().count() == 3
    assert Bulletin.objects.filter(kind=Kind.MONTH).values("first_day").distinct().count() == 2
    assert Bulletin.objects.filter(kind=Kind.WEEK).values("node").distinct().count() == 4


def test_the_demo_bulletins_count_the_demo_petitions(helong):
    """The snapshots are taken after the rollups they read are built: a month's bulletin of the
    city counts the petitions received in it (the live count), not zero."""
    month = Bulletin.objects.filter(kind=Kind.MONTH, node__kind=NodeKind.CITY).latest("first_day")
    headline = next(s for s in month.figures["sections"] if s["key"] == "headline")
    received = dict(headline["rows"])["Petitions received"]
    start = timezone.make_aware(datetime.datetime.combine(month.first_day, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(month.last_day, datetime.time()))
    live = Petition.objects.filter(
        received_at__gte=start, received_at__lt=end + datetime.timedelta(days=1)
    ).count()
    assert live > 0
    assert received == live


def test_a_demo_weeks_bulletin_has_the_same_figures_on_the_page_in_the_pdf_and_in_the_xlsx(
    official, demo_week
):
    page = official.get(reverse("bulletins:detail", args=[demo_week.pk]))
    assert page.status_code == 200
    parsed = Sections()
    parsed.feed(page.content.decode())
    on_page = parsed.sections
    assert on_page["headline"] and on_page["grids"] and on_page["departments"]

    answer = official.get(reverse("bulletins:pdf", args=[demo_week.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for p in reader.pages
        for font in p["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts  # the Noto CJK font is embedded
    assert "文化街道" in text
    for key, rows in on_page.items():
        for row in rows:
            for cell in row:
                assert re.sub(r"\s+", "", cell) in text, (key, cell)

    book = official.get(reverse("bulletins:xlsx", args=[demo_week.pk]))
    assert book.status_code == 200
    workbook = load_workbook(io.BytesIO(book.content))
    sheets = workbook.worksheets[1:]
    assert len(sheets) == len(on_page)
    for sheet, (key, rows) in zip(sheets, on_page.items()):
        values = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
        values = [r for r in values if any(v is not None for v in r)][: len(rows)]
        assert [[cell_text(v) for v in r] for r in values] == rows, key

    # And the page shows exactly the stored snapshot.
    stored = {s["key"]: s["rows"] for s in demo_week.figures["sections"]}
    assert stored["headline"][0][1] == int(on_page["headline"][0][1])
