"""Rules of the five steps, checked at the services: roles, states, merge, hand-up, return, whistles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions import selectors, services
from petitions.models import CheckIn, Level, Light, Notification, NotificationKind, Status
from petitions.services import intake
from petitions.sweep import sweep
from tests.petitions.factories import POINT_A1, report

pytestmark = pytest.mark.django_db


def verified(people, team):
    petition = report(category=team.category)
    return services.petition_verify(actor=people.worker, petition=petition)


def test_rejecting_needs_a_reason_and_closes_the_petition(city, people, team):
    petition = report(category=team.category)
    with pytest.raises(InvalidInput):
        services.petition_reject(actor=people.worker, petition=petition, reason=" ")
    petition = services.petition_reject(actor=people.worker, petition=petition, reason="重复上报的旧问题")
    assert petition.status == Status.REJECTED and petition.due_at is None and petition.closed_at


def test_a_nearby_open_petition_of_the_same_category_is_offered_as_a_duplicate_and_merged(city, people, team):
    first = report(category=team.category)
    second = report(category=team.category, at=(POINT_A1[0] + 0.0002, POINT_A1[1]))
    far = report(category=team.category, at=(POINT_A1[0] + 0.003, POINT_A1[1]))
    found = selectors.possible_duplicates(user=people.worker, petition=second)
    assert [p.pk for p in found] == [first.pk]
    assert far.pk not in [p.pk for p in found]
    merged = services.petition_merge(actor=people.worker, petition=second, into=first)
    assert merged.status == Status.MERGED and merged.merged_into == first
    shown = selectors.public_petition(tracking_code=second.tracking_code)
    assert shown.pk == first.pk  # the reporter follows the parent


def test_the_reporters_of_a_merged_petition_get_the_parent_s_callback(city, people, team):
    parent = report(category=team.category)
    child = report(category=team.category)
    services.petition_merge(actor=people.worker, petition=child, into=parent)
    services.petition_verify(actor=people.worker, petition=parent)
    services.petition_classify(
        actor=people.worker, petition=parent, category=team.category, assignee=people.worker
    )
    services.petition_resolve(actor=people.worker, petition=parent, note="已清运")
    services.public_callback(tracking_code=child.tracking_code, satisfaction="SATISFIED", solved=True)
    parent.refresh_from_db()
    child.refresh_from_db()
    assert parent.status == Status.CLOSED
    assert child.closed_at and child.satisfaction == "SATISFIED"


def test_a_grid_level_handler_must_be_a_worker_of_the_grid(city, people, team):
    petition = verified(people, team)
    with pytest.raises(InvalidInput) as error:
        services.petition_classify(
            actor=people.worker, petition=petition, category=team.category, assignee=people.outsider
        )
    assert "assignee" in error.value.errors


def test_a_worker_hands_a_petition_up_and_only_a_head_of_that_level_classifies_it(city, people, team):
    petition = verified(people, team)
    petition = services.petition_escalate(
        actor=people.worker, petition=petition, level=Level.COMMUNITY, reason="涉及多个网格"
    )
    assert petition.status == Status.ESCALATED and petition.level == Level.COMMUNITY
    assert Notification.objects.filter(
        kind=NotificationKind.ESCALATED, recipient=team.community_head
    ).exists()
    with pytest.raises(Forbidden):
        services.petition_classify(actor=people.worker, petition=petition, category=team.category)
    petition = services.petition_classify(
        actor=team.community_head, petition=petition, category=team.category, level=Level.DEPARTMENT
    )
    assert petition.status == Status.HANDLING and petition.department == team.department


def test_a_department_returns_a_petition_that_is_not_its_responsibility(city, people, team):
    petition = verified(people, team)
    petition = services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, level=Level.DEPARTMENT
    )
    with pytest.raises(InvalidInput):
        services.petition_return(actor=team.dept, petition=petition, reason="")
    petition = services.petition_return(actor=team.dept, petition=petition, reason="属于供水问题")
    assert petition.status == Status.VERIFIED and petition.department is None
    assert petition.events.filter(action="return").exists()


def test_the_handler_may_only_ask_for_a_pause_the_head_above_grants_it(city, people, team):
    petition = verified(people, team)
    petition = services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, assignee=people.worker
    )
    petition, pending = services.petition_pause(actor=people.worker, petition=petition, reason="等待配件")
    assert petition.status == Status.HANDLING and pending.kind == "PAUSE"
    with pytest.raises(TransitionNotAllowed):
        services.petition_pause(actor=people.worker, petition=petition, reason="再次申请")
    assert Notification.objects.filter(kind=NotificationKind.REQUEST, recipient=people.gridhead).exists()
    petition, _ = services.petition_pause(actor=people.gridhead, petition=petition)
    assert petition.status == Status.PAUSED
    assert petition.pauses.get().reason == "等待配件"


def test_the_petition_page_offers_only_the_actions_allowed_now(city, people, team):
    petition = report(category=team.category)
    assert selectors.allowed_actions(user=people.worker, petition=petition) == ["verify", "reject", "merge"]
    assert selectors.allowed_actions(user=people.assessor, petition=petition) == []
    petition = services.petition_verify(actor=people.worker, petition=petition)
    assert "classify" in selectors.allowed_actions(user=people.worker, petition=petition)
    assert "verify" not in selectors.allowed_actions(user=people.worker, petition=petition)


def test_a_street_official_blows_the_whistle_and_late_departments_show_red(city, people, team):
    petition = verified(people, team)
    now = timezone.now()
    whistle = services.whistle_blow(
        actor=people.official,
        petition=petition,
        title="联合整治",
        departments=[team.department, team.other_department],
        checkin_hours=2,
        now=now,
    )
    assert whistle.street == city.street_a
    assert whistle.checkins.count() == 2
    with pytest.raises(Forbidden):
        services.whistle_blow(
            actor=people.worker, street=city.street_a, title="x", departments=[team.department]
        )
    on_time = whistle.checkins.get(department=team.department)
    with pytest.raises(TransitionNotAllowed):
        services.checkin_report(actor=team.dept, checkin=on_time, report="先报告")
    services.checkin_record(actor=team.dept, checkin=on_time, now=now + timedelta(hours=1))
    with pytest.raises(NotFound):
        other = whistle.checkins.get(department=team.other_department)
        services.checkin_record(actor=team.dept, checkin=other)
    services.checkin_report(actor=team.dept, checkin=on_time, report="已到场处置")
    counts = sweep(now=now + timedelta(hours=3))
    assert counts["checkin_red"] == 1
    late = CheckIn.objects.get(department=team.other_department)
    assert late.light == Light.RED
    assert (
        Notification.objects.filter(kind=NotificationKind.CHECKIN_LATE, recipient=people.official).count()
        == 1
    )
    board = list(selectors.whistle_list(user=people.official))
    assert board[0].pk == whistle.pk
    assert list(selectors.whistle_list(user=team.dept))[0].pk == whistle.pk
    assert list(selectors.whistle_list(user=people.outsider)) == []


def test_a_tracking_code_clash_is_retried_with_a_fresh_code(city, team, monkeypatch):
    first = report(category=team.category)
    codes = iter([first.tracking_code, "ABCDEFGHJK"])
    monkeypatch.setattr(intake, "tracking_code_new", lambda: next(codes))
    assert report(category=team.category).tracking_code == "ABCDEFGHJK"
