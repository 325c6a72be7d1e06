"""Journeys without dead ends: the classify form keeps a petition where its category says,
only the actions a user may take are offered, and the "problem found" draft carries the
visit's photos and confirms the visit."""

import json
import re

import pytest
from django.test import Client

from hlgrid.errors import Forbidden
from petitions import services
from petitions.models import AttachmentKind, Level, Status
from residents import services as residents_services
from tests.petitions.factories import CategoryFactory, jpeg, report
from tests.residents.factories import household

pytestmark = pytest.mark.django_db


def verified(people, category):
    return services.petition_verify(actor=people.worker, petition=report(category=category))


def page_of(user, petition) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/petitions/{petition.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def selected(html: str, name: str) -> str:
    """The value of the selected option of the select named `name` ('' when none is)."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    found = re.search(r'<option value="([^"]*)"[^>]* selected', select)
    return found.group(1) if found else ""


# --- classify defaults --------------------------------------------------------------------------


def test_the_classify_defaults_keep_a_grid_category_in_the_grid_without_its_department(city, people, team):
    petition = verified(people, team.category)  # 垃圾清运: grid level, with 城管局 as department
    defaults = services.classify_defaults(actor=people.worker, petition=petition)
    assert (defaults.level, defaults.department_id, defaults.assignee_id) == (
        Level.GRID,
        None,
        people.worker.pk,
    )
    html = page_of(people.worker, petition)
    assert selected(html, "level") == Level.GRID and selected(html, "department") == ""
    assert selected(html, "assignee") == str(people.worker.pk)
    help_text = re.search(r'data-testid="classify-help"[^>]*>([^<]*)<', html).group(1)
    assert people.worker.display_name in help_text and "2" in help_text  # who, and the 2-day limit
    outcomes = json.loads(re.search(r'id="classify-outcomes"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert set(outcomes) == set(Level.values) and "{who}" in outcomes[Level.DEPARTMENT]["chosen"]
    # Submitting the defaults keeps it in the grid, with the worker.
    client = Client()
    client.force_login(people.worker)
    client.post(
        f"/petitions/{petition.pk}/act/classify/",
        {"category": team.category.pk, "level": selected(html, "level"), "assignee": people.worker.pk,
         "department": selected(html, "department")},
    )  # fmt: skip
    petition.refresh_from_db()
    assert (petition.status, petition.level, petition.department, petition.assignee) == (
        Status.HANDLING, Level.GRID, None, people.worker,
    )  # fmt: skip


def test_a_department_category_defaults_to_its_department_and_says_it_leaves_the_grid(city, people, team):
    category = CategoryFactory(
        code="SW01", name="供水管道", level=Level.DEPARTMENT, department=team.other_department
    )
    petition = verified(people, category)
    defaults = services.classify_defaults(actor=people.worker, petition=petition)
    assert (defaults.level, defaults.department_id, defaults.assignee_id) == (
        Level.DEPARTMENT, team.other_department.pk, None,
    )  # fmt: skip
    html = page_of(people.worker, petition)
    assert selected(html, "level") == Level.DEPARTMENT
    assert selected(html, "department") == str(team.other_department.pk)
    assert team.other_department.name in re.search(r'data-testid="classify-help"[^>]*>([^<]*)<', html).group(
        1
    )


def test_a_petition_handed_up_keeps_the_level_it_was_handed_up_to(city, people, team):
    petition = verified(people, team.category)
    petition = services.petition_escalate(
        actor=people.worker, petition=petition, level=Level.COMMUNITY, reason="需协调"
    )
    defaults = services.classify_defaults(actor=team.community_head, petition=petition)
    assert (defaults.level, defaults.department_id) == (Level.COMMUNITY, None)
    assert selected(page_of(team.community_head, petition), "level") == Level.COMMUNITY


# --- actions not offered ------------------------------------------------------------------------


def test_the_whistle_is_offered_only_to_whoever_may_blow_it_and_the_service_still_refuses(city, people, team):
    petition = verified(people, team.category)
    for user in (people.worker, people.gridhead):
        assert not services.whistle_allowed(actor=user, petition=petition)
        assert 'data-testid="blow-whistle"' not in page_of(user, petition)
        client = Client()
        client.force_login(user)
        assert client.get(f"/petitions/whistles/new/?petition={petition.pk}").status_code == 403
        with pytest.raises(Forbidden):
            services.whistle_blow(actor=user, title="吹哨", departments=[team.department], petition=petition)
    assert services.whistle_allowed(actor=people.official, petition=petition)
    assert 'data-testid="blow-whistle"' in page_of(people.official, petition)


def test_the_whistle_board_offers_a_new_whistle_only_to_whoever_may_blow_one(city, people, team):
    for user, offered in [(people.worker, False), (people.gridhead, False), (people.official, True)]:
        client = Client()
        client.force_login(user)
        html = client.get("/petitions/whistles/").content.decode()
        assert ('data-testid="blow-whistle"' in html) is offered
        assert (client.get("/petitions/whistles/new/").status_code == 200) is offered


def test_the_whistle_form_is_styled_and_checks_the_category_s_department(city, people, team):
    petition = verified(people, team.category)
    client = Client()
    client.force_login(people.official)
    html = client.get(f"/petitions/whistles/new/?petition={petition.pk}").content.decode()
    assert 'class="form-control"' in html and "form-check-input" in html
    boxes = re.findall(r'<input type="checkbox" name="departments" value="(\d+)"[^>]*>', html)
    checked = re.findall(r'<input type="checkbox" name="departments" value="(\d+)"[^>]*checked', html)
    assert str(team.department.pk) in boxes and checked == [str(team.department.pk)]


# --- the draft from a visit ---------------------------------------------------------------------


def test_the_draft_from_a_visit_carries_its_photos_and_confirms_the_visit(city, people, team):
    visit = residents_services.visit_log(
        actor=people.worker,
        household=household(city.grid_a1),
        problem_found=True,
        problem_description="楼下垃圾堆放多日无人清运",
        photos=[jpeg(name="a.jpg"), jpeg(name="b.jpg", size=(80, 60))],
    )
    client = Client()
    client.force_login(people.worker)
    html = client.get(f"/petitions/from-visit/{visit.pk}/").content.decode()
    draft = services.petition_from_visit(actor=people.worker, visit_id=visit.pk)
    photos = list(draft.attachments.order_by("id"))
    assert [a.kind for a in photos] == [AttachmentKind.INTAKE] * 2
    assert sorted((a.width, a.height) for a in photos) == [(64, 48), (80, 60)]
    assert 'data-testid="visit-saved"' in html and visit.visited_at.astimezone().strftime("%Y") in html
    assert all(a.get_absolute_url() in html for a in photos)
    assert 'data-testid="visit-photos"' in html and 'class="form-select' in html
    client.get(f"/petitions/from-visit/{visit.pk}/")  # opened again: the photos are not copied twice
    assert draft.attachments.count() == 2


def test_department_staff_see_their_own_department_s_check_ins_not_the_others(city, people, team, api_client):
    whistle = services.whistle_blow(
        actor=people.official,
        title="联合整治",
        departments=[team.department, team.other_department],
        street=city.street_a,
    )
    api_client.force_authenticate(team.dept)  # staff of 城管局
    listed = api_client.get("/api/v1/checkins/").json()["results"]
    assert [row["department"] for row in listed] == [team.department.pk]
    other = whistle.checkins.get(department=team.other_department)
    assert api_client.get(f"/api/v1/checkins/{other.pk}/").status_code == 404
    api_client.force_authenticate(people.official)  # the street sees every department's
    assert len(api_client.get("/api/v1/checkins/").json()["results"]) == 2
