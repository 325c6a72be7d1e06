"""The staff import: the whole file is validated first and written all or nothing, each bad
row listed with its number and reason; the template downloads."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from grids.models import Post, PostKind
from grids.people import importer
from hlgrid.models import User
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "岗位", "网格编码", "部门", "用户名"]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "staff.xlsx"
    return data


def test_a_good_file_creates_every_account_with_its_post_and_a_password_to_change(people, city):
    department = DepartmentFactory(code="CG", name="城管")
    result = importer.staff_import(
        actor=people.official,
        file=xlsx(
            [
                ["吴一", "13800000001", "网格员", "T-A-1-2", "", ""],
                ["吴二", "13800000002", "网格长", "T-A-1-2", "", "wuer"],
                ["吴三", "", "部门人员", "T-A", "城管", "wusan"],
                ["吴四", "13800000004", "HEAD", "T-A-1", "", ""],
            ]
        ),
    )
    assert result.ok, result.errors
    assert [c.account.username for c in result.created] == ["13800000001", "wuer", "wusan", "13800000004"]
    assert all(
        c.account.must_change_password and c.account.check_password(c.password) for c in result.created
    )
    assert Post.objects.get(user__username="wusan").department_id == department.pk
    assert Post.objects.get(user__username="wuer").kind == PostKind.HEAD
    assert (
        Post.objects.filter(user__username__in=["wuer", "13800000004"], granted_by=people.official).count()
        == 2
    )


def test_any_bad_row_imports_nothing_and_every_bad_row_is_listed(people, city):
    with translation.override("en"):
        result = _bad_file(people)
    assert not result.ok and not result.created
    assert [e.row for e in result.errors] == list(range(3, 14))
    assert "row 2" in next(e.message for e in result.errors if e.row == 12)
    assert not User.objects.filter(name__in=["好人", "钱", "陈"]).exists()


def _bad_file(people):
    return importer.staff_import(
        actor=people.official,
        file=xlsx(
            [
                ["好人", "13800000001", "网格员", "T-A-1-2", "", ""],  # row 2: fine
                ["", "13800000002", "网格员", "T-A-1-2", "", ""],  # 3: no name
                ["钱", "123", "网格员", "T-A-1-2", "", ""],  # 4: bad phone
                ["孙", "13800000004", "班长", "T-A-1-2", "", ""],  # 5: unknown kind
                ["李", "13800000005", "网格员", "T-B-1-1", "", ""],  # 6: street B
                ["周", "13800000006", "网格员", "T-A-1", "", ""],  # 7: a worker at a community
                ["吴", "13800000007", "网格长", "T-A-1-1", "", ""],  # 8: grid A-1 has a head
                ["郑", "13800000008", "干部", "T-A", "", ""],  # 9: an official at its own street
                ["王", "13800000009", "部门人员", "T-A", "", ""],  # 10: no department
                ["冯", "", "网格员", "T-A-1-2", "", "p_worker"],  # 11: username taken
                ["陈", "13800000001", "网格员", "T-A-1-2", "", ""],  # 12: same username as row 2
                ["褚", "", "网格员", "T-A-1-2", "", ""],  # 13: neither username nor phone
            ]
        ),
    )


def test_two_heads_for_one_node_in_the_file_are_refused(people, city):
    result = importer.staff_import(
        actor=people.official,
        file=xlsx(
            [
                ["甲", "13800000001", "网格长", "T-A-1-2", "", ""],
                ["乙", "13800000002", "网格长", "T-A-1-2", "", ""],
            ]
        ),
    )
    assert [e.row for e in result.errors] == [3]
    assert not User.objects.filter(username__in=["13800000001", "13800000002"]).exists()


def test_a_file_that_is_not_the_template_is_refused_whole(people):
    result = importer.staff_import(actor=people.official, file=xlsx([["甲"]], header=["名字"]))
    assert [e.row for e in result.errors] == [1]
    not_excel = io.BytesIO(b"name,phone\n")
    not_excel.name = "x.xlsx"
    assert importer.staff_import(actor=people.official, file=not_excel).errors[0].row == 1
    assert importer.staff_import(actor=people.official, file=xlsx([])).errors[0].row == 1


def test_nobody_but_officials_and_administrators_imports_staff(people):
    from hlgrid.errors import NotFound

    for actor in (people.worker, people.gridhead, people.assessor, None):
        with pytest.raises(NotFound):
            importer.staff_import(
                actor=actor, file=xlsx([["甲", "13800000001", "网格员", "T-A-1-1", "", ""]])
            )
    assert not User.objects.filter(username="13800000001").exists()


def test_the_import_page_lists_the_errors_and_the_template_downloads(client, people):
    client.force_login(people.official)
    page = client.post(
        reverse("grids:people_import"), {"file": xlsx([["甲", "13800000001", "网格员", "T-B-1-1", "", ""]])}
    )
    assert page.status_code == 200 and 'data-testid="import-errors"' in page.content.decode()
    page = client.post(
        reverse("grids:people_import"), {"file": xlsx([["甲", "13800000001", "网格员", "T-A-1-1", "", ""]])}
    )
    assert 'data-testid="import-passwords"' in page.content.decode()
    assert User.objects.filter(username="13800000001").exists()
    template = client.get(reverse("grids:people_import_template"))
    header = [c.value for c in next(load_workbook(io.BytesIO(template.content)).active.iter_rows(max_row=1))]
    assert header == HEADER
