"""Categories and time limits, kept by the office: validation, who may change them, and a
change that applies to new petitions only."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from hlgrid.errors import Forbidden, InvalidInput, NotFound
from petitions.models import Category, LimitUnit, Petition
from petitions.services import category_create, category_update
from tests.settings_config.test_calendar import handling

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def snapshot():
    return list(Category.objects.order_by("pk").values())


def test_an_administrator_creates_a_subcategory_with_its_limits(configurer, team):
    created = category_create(
        actor=configurer,
        code="SR02",
        name="占道经营",
        parent=team.category.parent,
        department=team.department,
        verify_hours=4,
        handle_limit=5,
        handle_unit=LimitUnit.WORKDAYS,
        callback_days=2,
    )
    assert created.parent == team.category.parent and created.handle_limit == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"handle_limit": 0}, "handle_limit"),
        ({"handle_limit": -3}, "handle_limit"),
        ({"verify_hours": 0}, "verify_hours"),
        ({"callback_days": 0}, "callback_days"),
        ({"handle_limit": 500, "handle_unit": LimitUnit.WORKDAYS}, "handle_limit"),
        ({"code": "sr"}, "code"),  # another category's code, whatever the case
        ({"code": "bad code!"}, "code"),
        ({"name": " "}, "name"),
        ({"level": "DEPARTMENT", "department": None}, "department"),
        ({"handle_unit": "WEEKS"}, "handle_unit"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_changes_nothing(configurer, team, changes, field):
    before = snapshot()
    with pytest.raises(InvalidInput) as refused:
        category_update(actor=configurer, category=team.category, **changes)
    assert field in refused.value.errors
    assert snapshot() == before


def test_a_third_level_and_a_parent_with_children_under_another_are_refused(configurer, team):
    with pytest.raises(InvalidInput) as refused:
        category_create(actor=configurer, code="X1", name="三级", parent=team.category)
    assert "parent" in refused.value.errors
    other = category_create(actor=configurer, code="JT", name="交通")
    with pytest.raises(InvalidInput):
        category_update(actor=configurer, category=team.category.parent, parent=other)


def test_a_parent_with_active_subcategories_is_not_deactivated(configurer, team):
    with pytest.raises(InvalidInput) as refused:
        category_update(actor=configurer, category=team.category.parent, is_active=False)
    assert "is_active" in refused.value.errors
    category_update(actor=configurer, category=team.category, is_active=False)
    category_update(actor=configurer, category=team.category.parent, is_active=False)
    assert not Category.objects.get(pk=team.category.parent.pk).is_active


def test_an_open_petition_keeps_its_limit_after_a_category_change(configurer, team, people):
    open_one = handling(team, people, datetime(2026, 9, 1, 10, tzinfo=SH))  # 2 working days: Thu 3 Sep
    category_update(actor=configurer, category=team.category, handle_limit=10)
    assert Petition.objects.get(pk=open_one.pk).due_at == datetime(2026, 9, 3, 10, tzinfo=SH)
    team.category.refresh_from_db()
    new_one = handling(team, people, datetime(2026, 9, 1, 10, tzinfo=SH))
    assert new_one.due_at == datetime(2026, 9, 15, 10, tzinfo=SH)  # 10 working days


def test_only_those_who_configure_the_city_change_categories(people, team):
    before = snapshot()
    with pytest.raises(Forbidden):
        category_update(actor=people.official, category=team.category, handle_limit=9)
    for user in (people.worker, people.gridhead, team.dept, people.assessor, None):
        with pytest.raises(NotFound):
            category_update(actor=user, category=team.category, handle_limit=9)
        with pytest.raises(NotFound):
            category_create(actor=user, code="NEW", name="新")
    assert snapshot() == before


def test_the_pages_show_the_limits_say_open_ones_keep_theirs_and_save(configurer, team, people):
    handling(team, people, datetime(2026, 9, 1, 10, tzinfo=SH))
    client = Client()
    client.force_login(configurer)
    page = client.get(reverse("petitions:settings_categories"))
    assert page.status_code == 200 and "SR01" in page.content.decode()
    url = reverse("petitions:settings_category", args=[team.category.pk])
    edit = client.get(url)
    assert 'data-testid="applies-to-new"' in edit.content.decode()
    form = {
        "code": "SR01",
        "name": "垃圾清运",
        "parent": team.category.parent_id,
        "keywords": "垃圾",
        "department": team.department.pk,
        "level": "GRID",
        "verify_hours": 8,
        "handle_limit": 4,
        "handle_unit": "WORKDAYS",
        "callback_days": 3,
        "urgent_hours": 12,
        "critical_hours": 2,
        "is_active": "on",
    }
    assert client.post(url, form).status_code == 302
    assert Category.objects.get(pk=team.category.pk).handle_limit == 4
    bad = client.post(url, {**form, "handle_limit": 0})
    assert 'data-testid="error-handle_limit"' in bad.content.decode()
    assert Category.objects.get(pk=team.category.pk).handle_limit == 4


def test_a_street_official_reads_the_page_but_may_not_edit_and_a_worker_gets_404(people, team):
    official = Client()
    official.force_login(people.official)
    assert official.get(reverse("petitions:settings_categories")).status_code == 200
    assert official.get(reverse("petitions:settings_category", args=[team.category.pk])).status_code == 403
    worker = Client()
    worker.force_login(people.worker)
    assert worker.get(reverse("petitions:settings_categories")).status_code == 404
    assert worker.post(reverse("petitions:settings_category_new"), {"code": "X"}).status_code == 404


def test_the_api_writes_categories_for_administrators_only(configurer, team, people, api_client):
    body = {"code": "JT01", "name": "交通拥堵", "handle_limit": 2, "handle_unit": "WORKDAYS"}
    for user, expected in ((None, 404), (people.worker, 404), (people.official, 403)):
        if user is not None:
            api_client.force_authenticate(user)
        assert api_client.post("/api/v1/petition-categories/", body, format="json").status_code == expected
        patched = api_client.patch(
            f"/api/v1/petition-categories/{team.category.pk}/", {"handle_limit": 9}, format="json"
        )
        assert patched.status_code == expected
    api_client.force_authenticate(configurer)
    created = api_client.post("/api/v1/petition-categories/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (
        api_client.post("/api/v1/petition-categories/", body, format="json").status_code == 400
    )  # code taken
    bad = api_client.patch(
        f"/api/v1/petition-categories/{team.category.pk}/", {"handle_limit": 0}, format="json"
    )
    assert bad.status_code == 400 and "handle_limit" in bad.json()["errors"]
    unknown = api_client.patch(
        f"/api/v1/petition-categories/{team.category.pk}/", {"limit": 3}, format="json"
    )
    assert unknown.status_code == 400
    done = api_client.patch(
        f"/api/v1/petition-categories/{team.category.pk}/", {"is_active": False}, format="json"
    )
    assert done.status_code == 200
    assert not Category.objects.get(pk=team.category.pk).is_active
