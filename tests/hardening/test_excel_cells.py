"""Issue 17, item 6: every Excel export writes what people typed as text, never as a formula,
and survives any name (a sheet title or a file name made of it included).

Names that a spreadsheet would evaluate (`=1+1`, `+SUM(A1)`, `-2`, `@cmd`) come back from
openpyxl as plain strings (data type "s", never "f"), exactly as typed; a name with `:` or `/`
(illegal in a sheet title) still exports with 200."""

import io
from urllib.parse import unquote

import pytest
from openpyxl import Workbook, load_workbook

from evaluation import services as evaluation_services
from grids.access import SYSTEM
from grids.services import gridnode_update
from hlgrid import xlsx
from hlgrid.models import User
from tests.evaluation import factories as ef
from tests.evaluation.conftest import world  # noqa: F401  (the evaluation personas)

pytestmark = pytest.mark.django_db

NASTY = ["=1+1", "+SUM(A1)", "-2", "@cmd", "a:b/c"]
FORMULA_LIKE = NASTY[:4]


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(xlsx.CONTENT_TYPE)
    return load_workbook(io.BytesIO(response.content))


def _cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula(book) -> set:
    """No cell of the workbook is a formula; returns the text of its cells."""
    texts = set()
    for cell in _cells(book):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            texts.add(cell.value)
    return texts


def _rename(user, name):
    User.objects.filter(pk=user.pk).update(name=name)


# --- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*NASTY, "\tcmd", "\r=1", '=HYPERLINK("http://x","y")'])
def test_a_cell_that_looks_like_a_formula_is_written_as_the_same_text(value):
    book = Workbook()
    xlsx.append_row(book.active, [value, 3])
    cell, number = load_workbook(io.BytesIO(xlsx.to_bytes(book))).active[1]
    # An XML reader turns a carriage return into a line feed; the text is otherwise kept as typed.
    assert (cell.value, cell.data_type) == (value.replace("\r", "\n"), "s")
    assert (number.value, number.data_type) == (3, "n")


def test_characters_that_xml_cannot_hold_are_dropped_instead_of_failing():
    book = Workbook()
    xlsx.append_row(book.active, ["王\x01五\x0b"])
    assert load_workbook(io.BytesIO(xlsx.to_bytes(book))).active["A1"].value == "王五"


@pytest.mark.parametrize("name", ["a:b/c", "[x]*?\\", "'quoted'", "", "很长的名字" * 10, "x\x02y"])
def test_any_name_makes_a_sheet_title_excel_accepts(name):
    book = Workbook()
    sheet = xlsx.new_sheet(book, name)
    title = sheet.title
    assert 0 < len(title) <= 31 and not set(title) & set("\\/*?:[]") and title[0] != "'"
    load_workbook(io.BytesIO(xlsx.to_bytes(book)))  # it opens


def test_a_file_name_keeps_its_chinese_in_filename_star_and_an_ascii_fallback():
    header = xlsx.content_disposition('和龙"市/报表\r\n.xlsx')
    assert header.startswith("attachment; ")
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and fallback.endswith(".xlsx") and "/" not in fallback
    exact = unquote(header.split("filename*=UTF-8''", 1)[1])
    assert exact == '和龙"市_报表.xlsx'


# --- every export -------------------------------------------------------------------------------


@pytest.fixture
def published(world):  # noqa: F811
    """A published period whose workers, grid and street are named like formulas."""
    city = world.city
    b2_worker = ef.worker_in(city.grid_b2, "p_b2_worker")
    ef.backdate_posts()
    workers = [world.worker, world.colleague, world.a2_worker, world.outsider, b2_worker]
    for user, name in zip(workers, NASTY, strict=True):
        _rename(user, name)
    gridnode_update(actor=SYSTEM, node=city.grid_a1, name='=HYPERLINK("http://x","grid")')
    gridnode_update(actor=SYSTEM, node=city.street_b, name="@street")
    period = ef.period(world.assessor, name="=2+2", scheme_obj=ef.scheme())
    for user, score in zip(workers, [93, 81, 66, 97, 70], strict=True):
        ef.inspect(world.assessor, period, user, score)
    evaluation_services.period_compute(actor=world.assessor, period=period)
    evaluation_services.period_publish(actor=world.assessor, period=period)
    world.workers = workers
    return period


def test_the_period_report_writes_every_name_as_text(world, published, client):  # noqa: F811
    client.force_login(world.assessor)
    texts = _assert_no_formula(_book(client.get(f"/evaluation/periods/{published.pk}/report.xlsx")))
    assert set(NASTY) <= texts
    assert {'=HYPERLINK("http://x","grid")', "@street"} <= texts


def test_the_trends_export_writes_the_period_name_as_text(world, published, client):  # noqa: F811
    client.force_login(world.assessor)
    assert "=2+2" in _assert_no_formula(_book(client.get("/evaluation/trends.xlsx")))


@pytest.mark.parametrize("index", range(len(NASTY)))
def test_a_workers_trend_exports_whatever_the_workers_name(index, world, published, client):  # noqa: F811
    client.force_login(world.assessor)
    worker = world.workers[index]
    response = client.get(f"/evaluation/workers/{worker.pk}/", {"format": "xlsx"})
    book = _book(response)
    _assert_no_formula(book)
    assert "=2+2" in {c.value for c in _cells(book)}
    assert 0 < len(book.active.title) <= 31


def test_the_childrens_table_writes_node_names_as_text_and_names_the_file_in_utf8(world, client):  # noqa: F811
    city = world.city
    gridnode_update(actor=SYSTEM, node=city.street_a, name="=1+1")
    gridnode_update(actor=SYSTEM, node=city.street_b, name="-2")
    gridnode_update(actor=SYSTEM, node=city.city, code='和龙"/市')
    client.force_login(world.assessor)
    response = client.get(f"/dashboards/{city.city.pk}/children.xlsx")
    texts = _assert_no_formula(_book(response))
    assert {"=1+1", "-2"} <= texts
    exact = unquote(response["Content-Disposition"].split("filename*=UTF-8''", 1)[1])
    assert exact.startswith('和龙"_市-') and exact.endswith(".xlsx")


def test_the_household_register_template_has_no_formula(world, client):  # noqa: F811
    client.force_login(world.worker)
    _assert_no_formula(_book(client.get("/residents/import/template.xlsx")))
