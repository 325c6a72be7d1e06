"""The menu shows each role the sections its posts can open, and no dead ends."""

import re

import pytest

from portal.navigation import menu_for

pytestmark = pytest.mark.django_db


def shown(user) -> set[str]:
    return {name for name, visible in menu_for(user).items() if visible}


def test_a_worker_sees_its_field_sections_but_not_the_dashboard(people):
    sections = shown(people.worker)
    assert {"my_day", "residents", "petitions", "inbox", "assessment"} <= sections
    assert "dashboard" not in sections and "time_bank" not in sections


def test_an_assessor_sees_assessment_and_dashboards_but_not_the_field_work(people):
    sections = shown(people.assessor)
    assert {"assessment", "dashboard", "coverage"} <= sections
    assert not {"my_day", "residents", "petitions"} & sections


def test_an_official_has_no_my_day(people):
    sections = shown(people.official)
    assert {"dashboard", "residents", "petitions", "party"} <= sections
    assert "my_day" not in sections


@pytest.mark.parametrize("persona", ["worker", "gridhead", "official", "assessor"])
def test_every_link_in_a_roles_menu_opens(client, people, persona):
    client.force_login(getattr(people, persona))
    page = client.get("/me/").content.decode()
    links = re.findall(r'data-nav href="([^"]+)"', page)
    assert len(links) >= 4
    for url in links:
        assert client.get(url, follow=True).status_code == 200, (persona, url)


def test_the_menu_of_a_signed_out_visitor_is_empty(client):
    from django.contrib.auth.models import AnonymousUser

    assert menu_for(AnonymousUser()) == {}


def test_a_superuser_sees_every_section_but_the_time_bank_of_a_volunteer_it_is_not(db):
    from tests.factories import UserFactory

    sections = shown(UserFactory(is_superuser=True))
    assert {"dashboard", "residents", "petitions", "assessment", "party"} <= sections
    assert "time_bank" not in sections


def _notify(user, n: int = 1):
    from django.utils import timezone

    from petitions.models import Notification, NotificationKind

    for _ in range(n):
        Notification.objects.create(recipient=user, kind=NotificationKind.ASSIGNED, created_at=timezone.now())


def test_the_menu_with_its_badges_is_one_query(people, django_assert_num_queries):
    _notify(people.worker, 2)
    with django_assert_num_queries(1):
        menu = menu_for(people.worker)
        assert menu["my_day"] and not menu["dashboard"]
    assert menu.unread == {"petitions": 2, "mediation": 0, "deliberation": 0}
    assert menu.unread_petitions == 2 and menu.unread_deliberation == 0


def test_the_kept_menu_follows_the_badges_and_the_sections(client, people, city):
    """base.html keeps the rendered menu per process under Menu.key: a new unread notice, a
    read one, or other sections must never show a menu rendered for another state."""
    from django.utils import timezone

    from mediation.models import Notice, NoticeKind

    client.force_login(people.worker)
    page = client.get("/me/").content.decode()
    assert 'data-testid="mediation-unread"' not in page and 'data-testid="nav-my-day"' in page
    notice = Notice.objects.create(
        recipient=people.worker,
        kind=NoticeKind.HIGH_RISK,
        grid=city.grid_a1,
        dedupe_key="nav-test",
        created_at=timezone.now(),
    )
    page = client.get("/me/").content.decode()
    assert re.search(r'data-testid="mediation-unread">1<', page)
    Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    assert 'data-testid="mediation-unread"' not in client.get("/me/").content.decode()
    # Another role in the same process: its own sections, not the worker's kept menu.
    client.force_login(people.official)
    page = client.get("/me/").content.decode()
    assert 'data-testid="nav-my-day"' not in page and 'data-testid="menu-dashboard"' in page
    assert people.official.display_name in page


def test_the_kept_menu_is_per_language(client, people):
    client.force_login(people.worker)
    chinese = client.get("/me/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "我的一天" in chinese and "My day" in english and "我的一天" not in english
