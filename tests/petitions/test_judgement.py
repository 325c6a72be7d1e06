"""研判 at verification: urgency and risks, the key person of the register, shorter deadlines,
特急 told at once to the community's and the street's heads."""

import contextlib
from datetime import datetime, timedelta

import pytest
import time_machine

from hlgrid.errors import InvalidInput, NotFound
from hlgrid.workdays import LOCAL, add_working_days
from petitions import services
from petitions.models import (
    Light,
    LimitUnit,
    Notification,
    NotificationKind,
    Petition,
    Risk,
    Status,
    Urgency,
)
from petitions.selectors import key_person_suggestions
from petitions.services.judgement import notify_critical
from petitions.sweep import sweep
from tests.petitions.factories import POINT_B1, report
from tests.residents import factories as register

pytestmark = pytest.mark.django_db

# Friday 6 March 2026, 10:00 in Helong.
FRIDAY = datetime(2026, 3, 6, 10, 0, tzinfo=LOCAL)
PHONE = "13912345678"


def verified(people, team, *, urgency=Urgency.NORMAL, risks=(), now=FRIDAY, **extra):
    with time_machine.travel(now, tick=False) if now else contextlib.nullcontext():
        petition = report(category=team.category, now=now, **extra)
        return services.petition_verify(
            actor=people.worker, petition=petition, urgency=urgency, risks=risks, now=now
        )


def classified(people, team, petition, *, now=FRIDAY):
    with time_machine.travel(now, tick=False):
        return services.petition_classify(
            actor=people.worker, petition=petition, category=team.category, assignee=people.worker, now=now
        )


# --- the judgement -------------------------------------------------------------------------------
def test_the_verifier_records_the_urgency_and_the_risks(city, people, team):
    petition = verified(people, team, urgency=Urgency.URGENT, risks=[Risk.SAFETY, Risk.STABILITY])
    petition.refresh_from_db()
    assert petition.status == Status.VERIFIED
    assert petition.urgency == Urgency.URGENT
    assert petition.risks == [Risk.SAFETY, Risk.STABILITY]
    assert (petition.risk_vulnerable, petition.key_person_id) == (False, None)


def test_a_petition_verified_without_a_judgement_is_ordinary_and_without_risk(city, people, team):
    petition = verified(people, team)
    assert (petition.urgency, petition.risks, petition.judged) == (Urgency.NORMAL, [], False)


@pytest.mark.parametrize(
    ("urgency", "risks", "field"),
    [
        ("VERY", [], "urgency"),
        (Urgency.URGENT, ["FIRE"], "risks"),
        (Urgency.URGENT, [Risk.SAFETY, "X"], "risks"),
    ],
)
def test_an_unknown_urgency_or_risk_is_refused_and_changes_nothing(city, people, team, urgency, risks, field):
    petition = report(category=team.category)
    with pytest.raises(InvalidInput) as error:
        services.petition_verify(actor=people.worker, petition=petition, urgency=urgency, risks=risks)
    assert field in error.value.errors
    petition.refresh_from_db()
    assert (petition.status, petition.urgency, petition.risks) == (Status.RECEIVED, Urgency.NORMAL, [])


def test_an_outsider_cannot_verify_even_with_a_judgement(city, people, team):
    petition = report(category=team.category)
    with pytest.raises(NotFound):
        services.petition_verify(actor=people.outsider, petition=petition, urgency=Urgency.CRITICAL)
    assert not Notification.objects.filter(kind=NotificationKind.CRITICAL).exists()


# --- the deadline: the category's hours for each urgency, on a frozen clock ---------------------
def test_urgency_shortens_the_handling_deadline_by_the_categorys_hours(city, people, team):
    team.category.urgent_hours, team.category.critical_hours = 24, 4
    team.category.save()
    # The ordinary limit: 2 working days (Friday 10:00 → Tuesday 10:00, the weekend skipped).
    ordinary = classified(people, team, verified(people, team))
    assert (
        ordinary.handle_due_at
        == add_working_days(FRIDAY, 2, city=None)
        == datetime(2026, 3, 10, 10, tzinfo=LOCAL)
    )
    urgent = classified(people, team, verified(people, team, urgency=Urgency.URGENT))
    assert urgent.due_at == urgent.handle_due_at == FRIDAY + timedelta(hours=24)
    critical = classified(people, team, verified(people, team, urgency=Urgency.CRITICAL))
    assert critical.due_at == critical.handle_due_at == FRIDAY + timedelta(hours=4)
    assert critical.warn_at < critical.due_at

    # The sweep on a frozen clock: at 14:00 the extra urgent one is due, a minute later red;
    # the urgent and the ordinary ones are not.
    def light_at(moment):
        with time_machine.travel(moment, tick=False):
            sweep(now=moment)
        return dict(Petition.objects.values_list("urgency", "light"))

    assert light_at(FRIDAY + timedelta(hours=3, minutes=59))[Urgency.CRITICAL] != Light.RED
    lights = light_at(FRIDAY + timedelta(hours=4, minutes=1))
    assert lights == {Urgency.CRITICAL: Light.RED, Urgency.URGENT: Light.GREEN, Urgency.NORMAL: Light.GREEN}


def test_urgency_never_lengthens_a_limit_shorter_than_its_hours(city, people, team):
    team.category.handle_limit, team.category.handle_unit = 2, LimitUnit.HOURS
    team.category.save()
    urgent = classified(people, team, verified(people, team, urgency=Urgency.URGENT))
    assert urgent.handle_due_at == FRIDAY + timedelta(hours=2)


def test_a_reopened_urgent_petition_gets_the_shortened_deadline_again(city, people, team):
    petition = classified(people, team, verified(people, team, urgency=Urgency.URGENT))
    later = FRIDAY + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        services.petition_resolve(actor=people.worker, petition=petition, note="已清运", now=later)
        petition = services.petition_callback(
            actor=people.worker, petition=petition, satisfaction="UNSATISFIED", solved=False, now=later
        )
    assert petition.status == Status.HANDLING
    assert petition.handle_due_at == later + timedelta(hours=team.category.urgent_hours)


def test_the_category_rules_are_checked_where_categories_are_edited(city, people, team, settings):
    from grids.access import SYSTEM

    with pytest.raises(InvalidInput) as error:
        services.category_update(actor=SYSTEM, category=team.category, urgent_hours=4, critical_hours=8)
    assert "critical_hours" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        services.category_update(actor=SYSTEM, category=team.category, urgent_hours=0)
    assert "urgent_hours" in error.value.errors
    team.category.refresh_from_db()
    assert (team.category.urgent_hours, team.category.critical_hours) == (24, 4)
    changed = services.category_update(
        actor=SYSTEM, category=team.category, urgent_hours=12, critical_hours=2
    )
    assert (changed.urgent_hours, changed.critical_hours) == (12, 2)


def test_the_settings_page_edits_the_urgency_hours(city, team, client):
    from tests.factories import UserFactory

    admin = UserFactory(username="p_admin", is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/petitions/settings/categories/{team.category.pk}/")
    assert page.status_code == 200
    assert 'name="urgent_hours"' in page.content.decode() and 'name="critical_hours"' in page.content.decode()
    assert 'data-testid="urgency-hours"' in client.get("/petitions/settings/categories/").content.decode()


# --- 特急: the community's and the street's heads, at once and once ----------------------------
def test_extra_urgent_tells_the_community_and_street_heads_at_once_exactly_once(city, people, team):
    petition = verified(people, team, urgency=Urgency.CRITICAL)
    told = Notification.objects.filter(kind=NotificationKind.CRITICAL, petition=petition)
    assert set(told.values_list("recipient", flat=True)) == {
        team.community_head.pk,
        team.street_head.pk,
        people.official.pk,
    }
    # Not the grid's own staff, nobody of the other street.
    assert told.count() == 3
    assert notify_critical(petition, now=FRIDAY + timedelta(hours=1)) == 3  # offered again...
    assert told.count() == 3  # ...and nothing added: the dedupe key holds


def test_urgent_and_ordinary_petitions_tell_nobody_at_verification(city, people, team):
    verified(people, team, urgency=Urgency.URGENT)
    verified(people, team)
    assert not Notification.objects.filter(kind=NotificationKind.CRITICAL).exists()


# --- the key person of the register ------------------------------------------------------------
@pytest.fixture
def key(city):
    home = register.household(city.grid_a1, building="3", unit="2", door="301")
    person, membership = register.key_person(home, name="王大爷", group_name="独居/空巢老人", phone=PHONE)
    return membership


def test_the_reporters_phone_suggests_the_key_person_through_the_keyed_hash(city, people, team, key):
    petition = report(category=team.category, reporter_phone=PHONE)
    found = key_person_suggestions(user=people.worker, petition=petition)
    assert [(k["id"], k["reason"], k["preselected"]) for k in found] == [(key.pk, "PHONE", True)]
    assert found[0]["name"] == "王**"  # masked
    assert PHONE not in str(found)


def test_the_address_suggests_the_household_and_the_building(city, people, team, key):
    at_door = report(category=team.category, address="3栋2单元301门口")
    assert [(k["id"], k["reason"]) for k in key_person_suggestions(user=people.worker, petition=at_door)] == [
        (key.pk, "HOUSEHOLD")
    ]
    from residents.models import Building

    Building.objects.filter(pk=key.resident.household.unit.building_id).update(address="光明路12号")
    in_building = report(category=team.category, address="光明路12号楼下")
    found = key_person_suggestions(user=people.worker, petition=in_building)
    assert [(k["id"], k["reason"], k["preselected"]) for k in found] == [(key.pk, "BUILDING", False)]


def test_nothing_is_suggested_without_a_match_or_outside_the_users_scope(city, people, team, key):
    assert key_person_suggestions(user=people.worker, petition=report(category=team.category)) == []
    # The same phone reported in the other street: its key people are not the outsider's.
    elsewhere = report(category=team.category, reporter_phone=PHONE, at=POINT_B1)
    assert key_person_suggestions(user=people.outsider, petition=elsewhere) == []


def test_confirming_the_key_person_links_it_and_marks_a_vulnerable_person(city, people, team, key, client):
    petition = report(category=team.category, reporter_phone=PHONE)
    petition = services.petition_verify(actor=people.worker, petition=petition, key_person=key.pk)
    assert (petition.key_person_id, petition.risk_vulnerable) == (key.pk, True)
    client.force_login(people.worker)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'data-testid="petition-key-person"' in page and "王**" in page and "王大爷" not in page
    assert 'data-risk="VULNERABLE"' in page


def test_a_key_person_outside_the_verifiers_area_is_refused_and_changes_nothing(city, people, team):
    home = register.household(city.grid_b1)
    _person, stranger = register.key_person(home)
    petition = report(category=team.category)
    with pytest.raises(InvalidInput) as error:
        services.petition_verify(actor=people.worker, petition=petition, key_person=stranger.pk)
    assert "key_person" in error.value.errors
    petition.refresh_from_db()
    assert (petition.status, petition.key_person_id) == (Status.RECEIVED, None)


# --- the page, the inbox, the API ----------------------------------------------------------------
def test_the_verify_form_offers_the_judgement_and_preselects_the_suggested_key_person(
    city, people, team, key, client
):
    petition = report(category=team.category, reporter_phone=PHONE)
    client.force_login(people.worker)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'name="urgency"' in page and 'value="CRITICAL"' in page and 'name="risks"' in page
    assert f'data-testid="verify-key-person-{key.pk}"' in page
    response = client.post(
        f"/petitions/{petition.pk}/act/verify/",
        {"urgency": "CRITICAL", "risks": ["SAFETY"], "key_person": str(key.pk)},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.urgency, petition.risks, petition.key_person_id) == (
        Urgency.CRITICAL,
        [Risk.SAFETY, Risk.VULNERABLE],
        key.pk,
    )


def test_the_inbox_shows_the_urgency_badge_and_filters_by_urgency_and_risk(city, people, team, client):
    urgent = verified(people, team, urgency=Urgency.CRITICAL, risks=[Risk.SAFETY], now=None)
    ordinary = verified(people, team, now=None)
    client.force_login(people.worker)
    page = client.get("/petitions/").content.decode()
    assert 'data-urgency="CRITICAL"' in page and 'data-risk="SAFETY"' in page
    critical = client.get("/petitions/?urgency=CRITICAL").content.decode()
    assert urgent.tracking_code in critical and ordinary.tracking_code not in critical
    safety = client.get("/petitions/?risk=SAFETY&q=垃圾").content.decode()
    assert urgent.tracking_code in safety and ordinary.tracking_code not in safety


def test_the_api_verifies_with_a_judgement_and_filters_by_it(city, people, team, key, api_client):
    petition = report(category=team.category, reporter_phone=PHONE)
    api_client.force_authenticate(people.worker)
    suggestions = api_client.get(f"/api/v1/petitions/{petition.pk}/key-people/")
    assert suggestions.status_code == 200
    assert suggestions.json() == [
        {
            "id": key.pk,
            "name": "王**",
            "group": "独居/空巢老人",
            "reason": "PHONE",
            "reason_label": suggestions.json()[0]["reason_label"],
            "preselected": True,
        }
    ]
    body = api_client.post(
        f"/api/v1/petitions/{petition.pk}/verify/",
        {"urgency": "URGENT", "risks": ["STABILITY"], "key_person": key.pk},
        format="json",
    )
    assert body.status_code == 200, body.content
    data = body.json()
    assert (data["urgency"], data["risks"], data["key_person"]) == (
        "URGENT",
        ["STABILITY", "VULNERABLE"],
        key.pk,
    )
    listed = api_client.get("/api/v1/petitions/?urgency=URGENT").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["tracking_code"] for r in rows] == [petition.tracking_code]
    assert api_client.get("/api/v1/petitions/?urgency=SOON").status_code == 400
    assert api_client.get("/api/v1/petitions/?risk=FIRE").status_code == 400


def test_the_api_refuses_a_bad_judgement_and_hides_the_petition_from_an_outsider(
    city, people, team, key, api_client
):
    petition = report(category=team.category, reporter_phone=PHONE)
    api_client.force_authenticate(people.worker)
    bad = api_client.post(f"/api/v1/petitions/{petition.pk}/verify/", {"urgency": "SOON"}, format="json")
    assert bad.status_code == 400 and "urgency" in bad.json()["errors"]
    api_client.force_authenticate(people.outsider)
    assert api_client.get(f"/api/v1/petitions/{petition.pk}/key-people/").status_code == 404
    assert (
        api_client.post(
            f"/api/v1/petitions/{petition.pk}/verify/", {"urgency": "CRITICAL"}, format="json"
        ).status_code
        == 404
    )
    petition.refresh_from_db()
    assert petition.status == Status.RECEIVED


# --- revising the judgement (研判 again, with the reason) --------------------------------------
def test_raising_the_urgency_while_handled_shortens_the_deadline_from_the_steps_start(city, people, team):
    from petitions.models import PetitionEvent

    team.category.urgent_hours, team.category.critical_hours = 24, 4
    team.category.save()
    petition = classified(people, team, verified(people, team))
    assert petition.handle_due_at == datetime(2026, 3, 10, 10, tzinfo=LOCAL)  # 2 working days
    later = FRIDAY + timedelta(hours=5)
    with time_machine.travel(later, tick=False):
        petition = services.petition_rejudge(
            actor=people.worker,
            petition=petition,
            urgency=Urgency.CRITICAL,
            risks=[Risk.SAFETY],
            reason="燃气泄漏",
            now=later,
        )
    # counted from the step's start (Friday 10:00): 4 hours, already past at 15:00
    assert petition.due_at == petition.handle_due_at == FRIDAY + timedelta(hours=4)
    assert (petition.urgency, petition.risks) == (Urgency.CRITICAL, [Risk.SAFETY])
    # the stored light is the sweep's to change, so turning red records the Overdue row
    assert petition.light == Light.GREEN
    with time_machine.travel(later, tick=False):
        sweep(now=later)
    petition.refresh_from_db()
    assert petition.light == Light.RED and petition.overdues.count() == 1
    told = Notification.objects.filter(kind=NotificationKind.CRITICAL, petition=petition)
    assert told.count() == 3
    history = PetitionEvent.objects.filter(petition=petition, action="rejudge").get()
    assert "燃气泄漏" in history.note and history.actor == people.worker

    # lowered again: the ordinary working days come back, and nobody is told twice
    with time_machine.travel(later, tick=False):
        petition = services.petition_rejudge(
            actor=people.worker, petition=petition, urgency=Urgency.NORMAL, reason="已排除", now=later
        )
    assert petition.handle_due_at == datetime(2026, 3, 10, 10, tzinfo=LOCAL) and petition.risks == []
    with time_machine.travel(later, tick=False):
        petition = services.petition_rejudge(
            actor=people.worker, petition=petition, urgency=Urgency.CRITICAL, reason="复发", now=later
        )
    assert told.count() == 3


def test_a_revision_before_classification_applies_when_classified(city, people, team):
    team.category.urgent_hours = 24
    team.category.save()
    petition = verified(people, team)
    petition = services.petition_rejudge(
        actor=people.worker, petition=petition, urgency=Urgency.URGENT, reason="老人独居", now=FRIDAY
    )
    assert petition.status == Status.VERIFIED
    assert classified(people, team, petition).handle_due_at == FRIDAY + timedelta(hours=24)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"urgency": Urgency.URGENT, "reason": " "}, "reason"),
        ({"urgency": "VERY", "reason": "x"}, "urgency"),
        ({"urgency": Urgency.URGENT, "risks": ["FIRE"], "reason": "x"}, "risks"),
        ({"urgency": Urgency.URGENT, "key_person": 999999, "reason": "x"}, "key_person"),
    ],
)
def test_a_bad_revision_is_refused_and_changes_nothing(city, people, team, fields, error):
    from petitions.models import PetitionEvent

    petition = classified(people, team, verified(people, team))
    with pytest.raises(InvalidInput) as refused:
        services.petition_rejudge(actor=people.worker, petition=petition, **fields)
    assert error in refused.value.errors
    petition.refresh_from_db()
    assert (petition.urgency, petition.handle_due_at) == (
        Urgency.NORMAL,
        datetime(2026, 3, 10, 10, tzinfo=LOCAL),
    )
    assert not PetitionEvent.objects.filter(action="rejudge").exists()


def test_only_an_open_verified_petition_is_rejudged_and_an_outsider_gets_404(city, people, team, client):
    from hlgrid.errors import TransitionNotAllowed

    received = report(category=team.category)
    with pytest.raises(TransitionNotAllowed):
        services.petition_rejudge(actor=people.worker, petition=received, urgency=Urgency.URGENT, reason="x")
    handled = classified(people, team, verified(people, team))
    with pytest.raises(NotFound):
        services.petition_rejudge(actor=people.outsider, petition=handled, urgency=Urgency.URGENT, reason="x")
    client.force_login(people.outsider)
    answer = client.post(f"/petitions/{handled.pk}/act/rejudge/", {"urgency": "URGENT", "reason": "x"})
    assert answer.status_code == 404
    handled.refresh_from_db()
    assert handled.urgency == Urgency.NORMAL


def test_the_page_and_the_api_revise_the_judgement(city, people, team, client, api_client):
    petition = classified(people, team, verified(people, team, risks=[Risk.STABILITY]))
    client.force_login(people.worker)
    page = client.get(f"/petitions/{petition.pk}/").content.decode()
    assert 'data-testid="action-rejudge"' in page
    assert 'id="rejudge-risk-STABILITY" value="STABILITY" checked' in page
    answer = client.post(
        f"/petitions/{petition.pk}/act/rejudge/",
        {"urgency": "URGENT", "risks": ["SAFETY"], "reason": "有坠落风险"},
    )
    assert answer.status_code == 302
    petition.refresh_from_db()
    assert (petition.urgency, petition.risks) == (Urgency.URGENT, [Risk.SAFETY])
    api_client.force_authenticate(people.worker)
    answer = api_client.post(
        f"/api/v1/petitions/{petition.pk}/rejudge/", {"urgency": "NORMAL", "reason": ""}, format="json"
    )
    assert answer.status_code == 400 and "reason" in answer.json()["errors"]
    answer = api_client.post(
        f"/api/v1/petitions/{petition.pk}/rejudge/",
        {"urgency": "NORMAL", "risks": [], "reason": "已加固"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["urgency"] == "NORMAL"
    api_client.force_authenticate(people.outsider)
    assert (
        api_client.post(
            f"/api/v1/petitions/{petition.pk}/rejudge/", {"urgency": "URGENT", "reason": "x"}, format="json"
        ).status_code
        == 404
    )
