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
