import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from residents import importer, services
from residents.models import Building, Household, Resident, Unit
from tests.residents import factories

pytestmark = pytest.mark.django_db
HEADER = ["楼栋", "单元", "门牌号", "姓名", "身份证号", "联系电话", "是否党员", "楼栋长", "单元长", "备注"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def good_rows():
    return [
        ["1", "1", "101", "王建国", factories.id_number(), "13800000001", "是", "是", "是", ""],
        ["1", "1", "101", "李秀英", factories.id_number(male=False), "", "否", "", "", "王建国之妻"],
        ["1", "2", "201", "张伟", factories.id_number(), "0433-4222333", "", "", "是", ""],
        [2, 1, 301, "赵敏", factories.id_number(male=False).lower(), "", "", "", "", ""],
    ]


def test_a_good_file_imports_every_row(city, people):
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=workbook(good_rows()))
    assert result.ok, result.errors
    assert (result.residents, result.households, result.buildings, result.units) == (4, 3, 2, 3)
    assert Resident.objects.count() == 4 and Household.objects.count() == 3
    building = Building.objects.get(grid=city.grid_a1, number="1")
    assert building.head.name == "王建国"
    assert Unit.objects.get(building=building, number="2").head.name == "张伟"
    zhao = Resident.objects.get(name="赵敏")
    assert zhao.household.label == "2栋1单元301" and zhao.id_number.endswith(zhao.id_number[-1].upper())
    assert Resident.objects.get(name="王建国").is_party_member


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(city, people):
    rows = good_rows()
    bad = rows[2][4]
    rows[2][4] = bad[:17] + ("1" if bad[17] != "1" else "2")  # wrong check character on Excel row 4
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=workbook(rows))
    assert not result.ok
    reason = str(services.ID_REASONS["the check character does not match"])
    assert [(e.row, e.message) for e in result.errors] == [(4, reason)]
    assert Resident.objects.count() == Household.objects.count() == Building.objects.count() == 0


def test_every_bad_row_is_reported(city, people):
    existing = factories.resident(factories.household(city.grid_a1, building="9"))
    number = factories.id_number()
    rows = [
        ["1", "1", "101", "", factories.id_number(), "", "", "", "", ""],  # row 2: no name
        ["1", "1", "101", "甲", number, "", "", "", "", ""],
        ["1", "1", "102", "乙", number, "", "", "", "", ""],  # row 4: same number as row 3
        ["1", "1", "103", "丙", existing.id_number, "", "", "", "", ""],  # row 5: already registered
        ["1", "1", "104", "丁", factories.id_number(), "123", "", "", "", ""],  # row 6: bad phone
        ["1", "1", "105", "戊", factories.id_number(), "", "也许", "", "", ""],  # row 7: not yes/no
        ["1", "1", "106", "己", "222406198002300015", "", "", "", "", ""],  # row 8: 30 February
    ]
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=workbook(rows))
    assert [e.row for e in result.errors] == [2, 4, 5, 6, 7, 8]
    assert Resident.objects.count() == 1


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused(city, people):
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=io.BytesIO(b"name,id\n"))
    assert not result.ok and result.errors[0].row == 1
    book = Workbook()
    book.active.append(["姓名"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = importer.register_import(actor=people.worker, grid=city.grid_a1, file=out)
    assert not result.ok and "楼栋" in result.errors[0].message


def test_the_template_downloads_and_its_example_row_imports(city, people):
    client = Client()
    client.force_login(people.worker)
    response = client.get(reverse("residents:import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == [title for title, _key, _required in importer.COLUMNS]
    assert {"与户主关系", "民族", "政治面貌", "人户状态", "房屋用途"} <= {c.value for c in sheet[1]}
    result = importer.register_import(
        actor=people.worker, grid=city.grid_a1, file=io.BytesIO(response.content)
    )
    assert result.ok and result.residents == 1


def test_the_import_page_shows_each_bad_row_and_imports_nothing(city, people):
    client = Client()
    client.force_login(people.worker)
    rows = good_rows()
    rows[1][4] = "22240619800231001X"
    upload = SimpleUploadedFile("register.xlsx", workbook(rows).read())
    response = client.post(reverse("residents:import"), {"grid": city.grid_a1.pk, "file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in html
    assert "3" in html and Resident.objects.count() == 0
    upload = SimpleUploadedFile("register.xlsx", workbook(good_rows()).read())
    response = client.post(reverse("residents:import"), {"grid": city.grid_a1.pk, "file": upload})
    assert response.status_code == 302 and Resident.objects.count() == 4


def test_a_worker_cannot_import_into_another_grid(city, people):
    client = Client()
    client.force_login(people.worker)
    upload = SimpleUploadedFile("register.xlsx", workbook(good_rows()).read())
    response = client.post(reverse("residents:import"), {"grid": city.grid_b1.pk, "file": upload})
    assert response.status_code == 200 and Resident.objects.count() == 0  # not a choice: a form error
