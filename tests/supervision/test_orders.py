"""督办: its own clock and light, a required written reply, closed or sent back by the issuer only."""

import datetime

import pytest
from django.http import Http404

from grids.access import SYSTEM
from hlgrid import workdays
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.lights import Light
from supervision import selectors, services
from supervision.models import Notice, NoticeKind, Order, OrderStatus
from supervision.sweep import sweep
from tests.supervision.conftest import MONDAY

pytestmark = pytest.mark.django_db


def issue(actor, petition, days=2, now=MONDAY):
    return services.order_issue(
        actor=actor, petition=petition, instruction="三天内清运完毕并回复", working_days=days, now=now
    )


def test_an_official_issues_an_order_on_a_petition_to_its_worker_who_is_notified(people, petition):
    order = issue(people.official, petition)
    assert order.handler == people.worker
    assert order.node == petition.grid
    assert order.status == OrderStatus.OPEN
    assert order.due_at == workdays.add_working_days(MONDAY, 2, city=None)
    assert order.light == Light.GREEN
    assert Notice.objects.filter(recipient=people.worker, order=order, kind=NoticeKind.ISSUED).count() == 1


def test_a_department_petition_order_goes_to_the_department(team, people, frozen):
    from tests.supervision.conftest import handled_petition

    petition = handled_petition(team, people, department=team.department)
    order = issue(people.official, petition)
    assert order.handler is None and order.department == team.department
    assert Notice.objects.filter(recipient=team.dept, order=order).exists()
    services.order_reply(actor=team.dept, order=order, reply="已派人处理", now=MONDAY)


def test_a_worker_may_not_issue_and_an_outsider_sees_nothing(people, petition):
    with pytest.raises(Forbidden):
        issue(people.worker, petition)
    with pytest.raises(NotFound):
        issue(people.outsider, petition)
    with pytest.raises(Forbidden):
        services.order_issue(actor=None, petition=petition, instruction="x", working_days=1)
    assert not Order.objects.exists()


def test_bad_input_is_refused_and_changes_nothing(people, petition):
    with pytest.raises(InvalidInput) as error:
        services.order_issue(actor=people.official, petition=petition, instruction="  ", working_days=2)
    assert "instruction" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        services.order_issue(actor=people.official, petition=petition, instruction="x", working_days=31)
    assert "working_days" in error.value.errors
    assert not Order.objects.exists()


def test_the_order_clock_turns_yellow_then_red_with_a_frozen_clock_and_the_sweep(people, petition, frozen):
    order = issue(people.official, petition, days=2)
    sweep(now=order.warn_at - datetime.timedelta(minutes=1))
    order.refresh_from_db()
    assert order.light == Light.GREEN
    sweep(now=order.warn_at)
    order.refresh_from_db()
    assert order.light == Light.YELLOW
    red_at = order.due_at + datetime.timedelta(seconds=1)
    counts = sweep(now=red_at)
    order.refresh_from_db()
    assert order.light == Light.RED and counts["order_red"] == 1
    assert Notice.objects.filter(order=order, kind=NoticeKind.RED, recipient=people.worker).count() == 1
    # a second sweep changes nothing and tells nobody twice
    assert sweep(now=red_at + datetime.timedelta(minutes=1))["order_red"] == 0
    assert Notice.objects.filter(order=order, kind=NoticeKind.RED).count() == 1
    # pages read the light from the clock even before a sweep ran
    frozen.move_to(red_at)
    listed = selectors.order_list(user=people.official, now=red_at).get(pk=order.pk)
    assert listed.light_now == Light.RED


def test_a_reply_is_required_written_by_the_handler_only_and_stops_the_clock(people, petition, team):
    order = issue(people.official, petition)
    with pytest.raises(InvalidInput) as error:
        services.order_reply(actor=people.worker, order=order, reply="   ", now=MONDAY)
    assert "reply" in error.value.errors
    with pytest.raises(Forbidden):
        services.order_reply(actor=team.worker2, order=order, reply="我来回复", now=MONDAY)
    with pytest.raises(NotFound):
        services.order_reply(actor=people.outsider, order=order, reply="我来回复", now=MONDAY)
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN and order.reply == ""
    late = order.due_at + datetime.timedelta(hours=1)
    order = services.order_reply(actor=people.worker, order=order, reply="已清运", now=late)
    assert order.status == OrderStatus.REPLIED and order.replied_late is True
    assert Notice.objects.filter(recipient=people.official, kind=NoticeKind.REPLIED).count() == 1
    with pytest.raises(TransitionNotAllowed):
        services.order_reply(actor=people.worker, order=order, reply="again", now=late)
    # the sweep leaves a replied order alone
    sweep(now=late + datetime.timedelta(days=5))
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLIED


def test_only_the_issuer_closes_or_sends_back(people, petition, team):
    order = issue(people.official, petition)
    with pytest.raises(TransitionNotAllowed):
        services.order_close(actor=people.official, order=order, now=MONDAY)
    order = services.order_reply(actor=people.worker, order=order, reply="已清运", now=MONDAY)
    for someone in (people.gridhead, team.street_head, people.worker):
        with pytest.raises(Forbidden):
            services.order_close(actor=someone, order=order, now=MONDAY)
    with pytest.raises(NotFound):
        services.order_close(actor=people.outsider, order=order, now=MONDAY)
    with pytest.raises(InvalidInput):
        services.order_send_back(actor=people.official, order=order, note="", now=MONDAY)
    order = services.order_send_back(
        actor=people.official, order=order, note="照片不清楚", working_days=1, now=MONDAY
    )
    assert order.status == OrderStatus.OPEN and order.returns == 1
    assert order.due_at == workdays.add_working_days(MONDAY, 1, city=None)
    assert Notice.objects.filter(recipient=people.worker, kind=NoticeKind.SENT_BACK).count() == 1
    order = services.order_reply(actor=people.worker, order=order, reply="补拍了照片", now=MONDAY)
    order = services.order_close(actor=people.official, order=order, now=MONDAY)
    assert order.status == OrderStatus.CLOSED
    assert [e.action for e in order.events.order_by("at", "id")] == [
        "issue",
        "reply",
        "send_back",
        "reply",
        "close",
    ]


def test_an_order_on_a_whistle_goes_to_a_summoned_department(people, team, petition):
    from petitions.services import whistle_blow

    whistle = whistle_blow(
        actor=people.official,
        title="垃圾站整治",
        departments=[team.department],
        petition=petition,
        now=MONDAY,
    )
    with pytest.raises(InvalidInput):
        services.order_issue(
            actor=people.official,
            whistle=whistle,
            instruction="x",
            working_days=1,
            department=team.other_department,
        )
    order = services.order_issue(
        actor=people.official,
        whistle=whistle,
        instruction="按时报到",
        working_days=1,
        department=team.department,
    )
    assert order.node == whistle.street and order.department == team.department


def test_the_outsider_gets_404_from_the_selector(people, petition):
    order = issue(people.official, petition)
    with pytest.raises(Http404):
        selectors.order_get(user=people.outsider, pk=order.pk)
    assert selectors.order_get(user=people.worker, pk=order.pk) == order
    assert not selectors.order_list(user=people.outsider, now=MONDAY).exists()
    assert SYSTEM  # the sweep's actor
