import datetime

import pytest
from django.test import Client
from django.urls import reverse

from grids.access import SYSTEM
from residents.models import AccessLog, KeyMembership, Visit
from tests.residents import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def red_key_person(city):
    home = factories.household(city.grid_a1, building="3", unit="2", door="301")
    person, membership = factories.key_person(
        home, name="刘奶奶", group_name="独居/空巢老人", since=datetime.date(2020, 1, 1)
    )
    return home, person, membership


def test_my_day_lists_the_red_key_person_with_masked_pages(worker_client, red_key_person):
    home, person, membership = red_key_person
    page = worker_client.get(reverse("residents:my_day"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-light="RED"' in html and "刘奶奶" in html and home.label in html
    assert 'data-testid="due-item"' in html


def test_the_household_page_shows_members_masked_and_the_show_action_logs_one_row(
    worker_client, red_key_person
):
    home, person, _ = red_key_person
    html = worker_client.get(reverse("residents:household", args=[home.pk])).content.decode()
    assert person.id_number not in html and person.id_number_masked in html
    assert person.phone not in html
    response = worker_client.post(
        reverse("residents:resident_reveal", args=[person.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert person.id_number in response.content.decode() and person.phone in response.content.decode()
    assert AccessLog.objects.filter(subject_id=str(person.pk), actor__username="p_worker").count() == 1
    assert worker_client.get(reverse("residents:resident_reveal", args=[person.pk])).status_code == 405


def test_a_worker_gets_404_for_pages_of_another_grid(worker_client, city):
    other = factories.household(city.grid_b1)
    stranger = factories.resident(other)
    assert worker_client.get(reverse("residents:household", args=[other.pk])).status_code == 404
    assert worker_client.get(reverse("residents:visit_new", args=[other.pk])).status_code == 404
    assert worker_client.post(reverse("residents:resident_reveal", args=[stranger.pk])).status_code == 404
    listed = worker_client.get(reverse("residents:resident_search"), {"q": stranger.name}).content.decode()
    assert stranger.id_number_masked not in listed
    assert AccessLog.objects.count() == 0


def test_the_search_finds_by_name_and_by_whole_id_number_and_shows_masks(worker_client, city):
    home = factories.household(city.grid_a1)
    person = factories.resident(home, name="周建国")
    factories.resident(home, name="吴芳")
    by_name = worker_client.get(reverse("residents:resident_search"), {"q": "建国"}).content.decode()
    assert "周建国" in by_name and "吴芳" not in by_name
    assert person.id_number not in by_name and person.id_number_masked in by_name
    by_number = worker_client.get(
        reverse("residents:resident_search"), {"q": person.id_number}
    ).content.decode()
    assert "周建国" in by_number and "吴芳" not in by_number


def test_logging_a_visit_on_the_form_turns_the_light_green(worker_client, red_key_person):
    home, person, membership = red_key_person
    form = worker_client.get(reverse("residents:visit_new", args=[home.pk]))
    assert form.status_code == 200 and 'data-testid="visit-form"' in form.content.decode()
    response = worker_client.post(
        reverse("residents:visit_new", args=[home.pk]),
        {
            "kind": "KEY_PERSON",
            "people_seen": [person.pk],
            "notes": "身体还好",
            "latitude": "42.505",
            "longitude": "129.01",
        },
    )
    assert response.status_code == 302 and response.url == reverse("residents:household", args=[home.pk])
    membership.refresh_from_db()
    page = worker_client.get(response.url).content.decode()
    assert f'data-membership="{membership.pk}" data-light="GREEN"' in page
    visit = Visit.objects.get()
    assert list(visit.people_seen.all()) == [person] and visit.latitude == 42.505


def test_the_form_refuses_a_location_far_outside_the_grid_and_saves_nothing(worker_client, red_key_person):
    home, _, _ = red_key_person
    response = worker_client.post(
        reverse("residents:visit_new", args=[home.pk]),
        {"kind": "ROUTINE", "latitude": "42.6", "longitude": "129.3"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html and "25.0" in html  # km from the grid, in any language
    assert Visit.objects.count() == 0


def test_a_problem_found_hands_over_to_petitions_when_it_is_installed(
    worker_client, red_key_person, monkeypatch
):
    from django.urls import NoReverseMatch

    from residents import views

    home, _, _ = red_key_person
    data = {"kind": "ROUTINE", "problem_found": "on", "problem_description": "楼道灯坏了"}
    monkeypatch.setattr(views, "reverse", lambda name, args=None: f"/petitions/from-visit/{args[0]}/")
    response = worker_client.post(reverse("residents:visit_new", args=[home.pk]), data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == f"/petitions/from-visit/{visit.pk}/"

    def missing(name, args=None):
        raise NoReverseMatch(name)

    monkeypatch.setattr(views, "reverse", missing)
    response = worker_client.post(reverse("residents:visit_new", args=[home.pk]), data, follow=True)
    assert response.status_code == 200 and Visit.objects.count() == 2
    assert "petition" in response.content.decode().lower() or "诉求" in response.content.decode()


def test_the_household_picker_finds_by_address_and_by_name(worker_client, city):
    home = factories.household(city.grid_a1, building="5", unit="1", door="201")
    factories.resident(home, name="郑秀英")
    factories.household(city.grid_b1, building="5", unit="1", door="201")
    by_address = worker_client.get(reverse("residents:visit_pick"), {"q": "5栋1单元"}).content.decode()
    assert by_address.count("5栋1单元201") == 1
    by_name = worker_client.get(reverse("residents:visit_pick"), {"q": "秀英"}).content.decode()
    assert reverse("residents:visit_new", args=[home.pk]) in by_name


def test_coverage_for_an_official_counts_households_and_key_people_in_time(city, people, red_key_person):
    home, _, _ = red_key_person
    factories.household(city.grid_a2)
    client = Client()
    client.force_login(people.official)
    html = client.get(reverse("residents:coverage")).content.decode()
    assert html.count('data-testid="coverage-row"') == 2  # the two grids of street A
    assert "0 / 2" in html and "0 / 1" in html
    from residents import services

    services.visit_log(actor=people.worker, household=home)
    html = client.get(reverse("residents:coverage")).content.decode()
    assert "1 / 2" in html and "1 / 1" in html
    assert client.get(reverse("residents:coverage"), {"node": city.street_b.pk}).status_code == 404


def test_the_pages_need_an_account(client):
    response = client.get(reverse("residents:my_day"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_key_memberships_are_unique_per_group(city):
    from hlgrid.errors import InvalidInput
    from residents import services

    home = factories.household(city.grid_a1)
    person, _ = factories.key_person(home, group_name="困难家庭")
    with pytest.raises(InvalidInput):
        services.key_membership_create(actor=SYSTEM, resident=person, group=factories.group("困难家庭"))
    assert KeyMembership.objects.count() == 1


def test_a_worker_registers_a_resident_on_the_phone_form_and_a_bad_number_is_a_field_error(
    worker_client, city
):
    from residents.models import Resident

    home = factories.household(city.grid_a1)
    url = reverse("residents:resident_new", args=[home.pk])
    basics = {
        "relationship": "02",
        "ethnicity": "10",
        "political_status": "13",
        "residence_status": "REGISTERED",
    }
    bad = worker_client.post(url, {"name": "新居民", "id_number": "222406198005170018", **basics})
    assert bad.status_code == 200 and 'data-testid="error-id_number"' in bad.content.decode()
    assert Resident.objects.count() == 0
    good = worker_client.post(
        url, {"name": "新居民", "id_number": factories.id_number(), "phone": "13600001111", **basics}
    )
    assert good.status_code == 302 and Resident.objects.get().name == "新居民"
    other = factories.household(city.grid_b1)
    assert worker_client.get(reverse("residents:resident_new", args=[other.pk])).status_code == 404


def test_a_worker_adds_a_key_person_from_the_household_page(worker_client, city):
    home = factories.household(city.grid_a1)
    person = factories.resident(home, name="老王")
    group = factories.group("独居/空巢老人")
    url = reverse("residents:membership_new", args=[home.pk])
    assert worker_client.get(url).status_code == 200
    response = worker_client.post(
        url, {"resident": person.pk, "group": group.pk, "condition": "独居", "guardian": "王小明（儿子）"}
    )
    assert response.status_code == 302
    membership = KeyMembership.objects.get()
    assert (membership.resident, membership.group, membership.guardian) == (person, group, "王小明（儿子）")
    again = worker_client.post(url, {"resident": person.pk, "group": group.pk})
    assert again.status_code == 200 and KeyMembership.objects.count() == 1
