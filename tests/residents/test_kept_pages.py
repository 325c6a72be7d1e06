"""My day and the household page are kept per user until its territory changes (grids.versions):
a kept page is the live one, and every change a worker can make or suffer shows at once.

The bumps come after a commit; inside a test's transaction `django_capture_on_commit_callbacks
(execute=True)` runs them as the commit would."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grids import services as grid_services
from grids.access import SYSTEM
from grids.models import Post, PostKind
from residents import key_groups, services
from residents.models import KeyMembership
from tests.residents import factories

pytestmark = pytest.mark.django_db

MY_DAY = reverse("residents:my_day")


@pytest.fixture
def home(city):
    home = factories.household(city.grid_a1, building="3", unit="2", door="301")
    factories.key_person(home, name="刘奶奶", group_name="独居/空巢老人", since=datetime.date(2020, 1, 1))
    return home


def body(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        html = body(client.get(url))
    return len(ctx.captured_queries), html


def test_a_kept_my_day_is_the_computed_one_for_four_queries(worker_client, home):
    computed_count, computed = queries(worker_client, MY_DAY)
    kept_count, kept = queries(worker_client, MY_DAY)
    # The session, the user, the user's posts (the key) and the menu; nothing of the day itself.
    assert kept_count == 4 < computed_count
    assert kept == computed and "刘奶奶" in kept


def test_a_visit_logged_shows_on_the_kept_my_day_and_household_page(
    worker_client, people, home, django_capture_on_commit_callbacks
):
    page = reverse("residents:household", args=[home.pk])
    assert 'data-light="RED"' in body(worker_client.get(MY_DAY))
    assert "Never visited" in body(worker_client.get(page, HTTP_ACCEPT_LANGUAGE="en"))
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_log(actor=people.worker, household=home, people_seen=list(home.residents.all()))
    day = body(worker_client.get(MY_DAY))
    assert 'data-light="RED"' not in day and 'data-testid="nothing-due"' in day
    assert re.search(r'data-testid="recent-visits">\s*<li[^>]*><a href="[^"]+">' + re.escape(home.label), day)
    assert "Never visited" not in body(worker_client.get(page, HTTP_ACCEPT_LANGUAGE="en"))


def test_a_key_person_added_or_ended_shows_at_once(
    worker_client, city, home, django_capture_on_commit_callbacks
):
    assert body(worker_client.get(MY_DAY)).count('data-testid="due-item"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        factories.key_person(home, name="王爷爷", group_name="重病患者", since=datetime.date(2020, 1, 1))
    assert body(worker_client.get(MY_DAY)).count('data-testid="due-item"') == 2
    with django_capture_on_commit_callbacks(execute=True):
        for membership in KeyMembership.objects.filter(resident__household=home):
            services.key_membership_end(actor=SYSTEM, membership=membership)
    assert 'data-testid="due-item"' not in body(worker_client.get(MY_DAY))


def test_a_key_group_renamed_in_the_settings_shows_at_once(
    worker_client, home, django_capture_on_commit_callbacks
):
    assert "独居/空巢老人" in body(worker_client.get(MY_DAY))
    group = factories.group("独居/空巢老人")
    with django_capture_on_commit_callbacks(execute=True):
        key_groups.key_group_update(actor=SYSTEM, group=group, name="独居老人")
    day = body(worker_client.get(MY_DAY))
    assert "独居老人" in day and "独居/空巢老人" not in day


def test_a_grid_renamed_or_a_unit_chat_set_shows_on_the_household_page(
    worker_client, city, home, django_capture_on_commit_callbacks
):
    page = reverse("residents:household", args=[home.pk])
    assert city.grid_a1.name in body(worker_client.get(page))
    with django_capture_on_commit_callbacks(execute=True):
        grid_services.gridnode_update(actor=SYSTEM, node=city.grid_a1, name="新名网格")
    assert "新名网格" in body(worker_client.get(page))
    with django_capture_on_commit_callbacks(execute=True):
        services.unit_set_group_chat(actor=SYSTEM, unit=home.unit, url="https://weixin.qq.com/g/kept-test")
    assert "https://weixin.qq.com/g/kept-test" in body(worker_client.get(page))


def test_a_worker_whose_post_ends_gets_404_and_no_day_though_its_pages_were_kept(
    worker_client, people, home, django_capture_on_commit_callbacks
):
    page = reverse("residents:household", args=[home.pk])
    assert worker_client.get(page).status_code == 200 and "刘奶奶" in body(worker_client.get(MY_DAY))
    post = Post.objects.get(user=people.worker, kind=PostKind.WORKER, is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        grid_services.post_end(actor=SYSTEM, post=post)
    assert worker_client.get(page).status_code == 404
    assert "刘奶奶" not in body(worker_client.get(MY_DAY))
    # A post granted again (with no commit seen: the key names the posts themselves).
    grid_services.post_assign(actor=SYSTEM, user=people.worker, kind=PostKind.WORKER, node=home.grid)
    assert worker_client.get(page).status_code == 200


def test_an_outsider_gets_404_for_a_household_page_another_user_has_kept(worker_client, people, home):
    page = reverse("residents:household", args=[home.pk])
    assert worker_client.get(page).status_code == 200
    outsider = Client()
    outsider.force_login(people.outsider)
    assert outsider.get(page).status_code == 404
    assert "刘奶奶" not in body(outsider.get(MY_DAY))


def test_the_day_turning_changes_the_kept_lights(worker_client, city, django_capture_on_commit_callbacks):
    home = factories.household(city.grid_a1, building="4", unit="1", door="101")
    factories.key_person(home, name="赵奶奶", group_name="重病患者", since=datetime.date(2020, 1, 1))
    membership = KeyMembership.objects.get(resident__name="赵奶奶")
    due = membership.next_visit_due
    with time_machine.travel(datetime.datetime.combine(membership.warn_from, datetime.time(10)), tick=False):
        assert 'data-light="YELLOW"' in body(worker_client.get(MY_DAY))
    with time_machine.travel(
        datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time(10)), tick=False
    ):
        assert 'data-light="RED"' in body(worker_client.get(MY_DAY))


def test_the_kept_pages_are_per_language(worker_client, home):
    chinese = body(worker_client.get(MY_DAY, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    english = body(worker_client.get(MY_DAY, HTTP_ACCEPT_LANGUAGE="en"))
    assert "我最近的走访" in chinese and "My recent visits" in english and "我最近的走访" not in english


def test_the_kept_household_form_carries_this_sessions_csrf_token(people, home):
    page = reverse("residents:household", args=[home.pk])
    first = Client(enforce_csrf_checks=True)
    first.force_login(people.worker)
    assert first.get(page).status_code == 200  # now kept
    second = Client(enforce_csrf_checks=True)  # another browser, another CSRF secret
    second.force_login(people.worker)
    html = second.get(page).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 1 and "hl-csrf" not in html
    answer = second.post(page, {"csrfmiddlewaretoken": tokens[0], "occupancy": "VACANT", "landlord": ""})
    assert answer.status_code == 302
    home.refresh_from_db()
    assert home.occupancy == "VACANT"


def test_nothing_is_kept_while_the_cache_is_not_shared(worker_client, home, monkeypatch):
    monkeypatch.setattr(caches["default"], "shared", False, raising=False)
    first, _ = queries(worker_client, MY_DAY)
    again, _ = queries(worker_client, MY_DAY)
    assert again == first > 4
