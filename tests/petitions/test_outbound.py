"""Residents' and workers' text messages recorded on the petition events (hlgrid.notifier)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from grids.access import SYSTEM
from hlgrid.crypto import lookup_hash, mask_phone
from hlgrid.errors import NotFound
from hlgrid.notifier.models import Delivery, Purpose
from petitions import services
from petitions.models import PetitionJoin
from petitions.services.common import event
from petitions.services.outbound import red_lights_notify
from tests.petitions.factories import POINT_A1, report

pytestmark = pytest.mark.django_db
PHONE = "13812345678"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def notified_report(**extra):
    return report(reporter_phone=PHONE, reporter_notify=True, **extra)


def join(petition, phone="13900001111", code="JOINCODE22", notify=True):
    return PetitionJoin.objects.create(
        petition=petition,
        tracking_code=code,
        reporter_phone=phone,
        reporter_phone_hint=mask_phone(phone),
        reporter_phone_hash=lookup_hash(phone),
        reporter_notify=notify,
    )


def messages(purpose=None):
    queryset = Delivery.objects.order_by("pk")
    if purpose:
        queryset = queryset.filter(purpose=purpose)
    return list(queryset)


def test_a_reporter_who_asked_gets_the_tracking_code_with_the_absolute_link(city, people, team):
    petition = notified_report()
    [sms] = messages()
    assert (sms.channel, sms.purpose, sms.address, sms.node_id) == (
        "SMS",
        Purpose.TRACKING_CODE,
        PHONE,
        city.grid_a1.pk,
    )
    assert petition.tracking_code in sms.text
    assert f"http://127.0.0.1:8000/petitions/track/{petition.tracking_code}/" in sms.text
    assert "查询码" in sms.text  # in the site's language, Chinese
    # Without the tick, or without a phone, nothing.
    report(reporter_phone="13900000000")
    report()
    assert len(messages()) == 1


def test_a_change_that_rolls_back_sends_nothing(city, people, team):
    with pytest.raises(RuntimeError), transaction.atomic():
        notified_report()
        raise RuntimeError("the request failed after the intake")
    assert messages() == []


def test_resolving_asks_the_reporter_the_joiners_and_the_merged_reporters_to_rate(city, people, team):
    parent = notified_report(category=team.category)
    child = report(category=team.category, reporter_phone="13700000000", reporter_notify=True)
    join(parent)
    join(parent, phone="13600000000", code="QUIETCODE2", notify=False)
    services.petition_merge(actor=people.worker, petition=child, into=parent)
    [merged] = messages(Purpose.RESULT)
    assert merged.address == "13700000000" and parent.tracking_code in merged.text
    services.petition_verify(actor=people.worker, petition=parent)
    services.petition_classify(
        actor=people.worker, petition=parent, category=team.category, assignee=people.worker
    )
    services.petition_resolve(actor=people.worker, petition=parent, note="已清运")
    rate = messages(Purpose.RESOLVED_RATE)
    assert sorted(m.address for m in rate) == sorted([PHONE, "13900001111", "13700000000"])
    by_phone = {m.address: m.text for m in rate}
    assert "/petitions/track/JOINCODE22/" in by_phone["13900001111"]  # each their own code
    assert f"/petitions/track/{child.tracking_code}/" in by_phone["13700000000"]
    services.public_callback(tracking_code=parent.tracking_code, satisfaction="SATISFIED", solved=True)
    assert len(messages(Purpose.RESULT)) == 1 + 3


def test_a_rejected_report_tells_the_reporter_why(city, people, team):
    petition = notified_report()
    services.petition_reject(actor=people.worker, petition=petition, reason="不属于本网格受理范围的事项" * 6)
    [result] = messages(Purpose.RESULT)
    assert "不属于本网格受理范围的事项" in result.text and "…" in result.text
    assert len(result.text) < 200


def test_a_joiner_gets_their_own_tracking_code_once(city, people, team):
    petition = report()
    joined = join(petition)
    event(
        petition,
        actor=None,
        action="join",
        before=petition.status,
        note=joined.tracking_code,
        at=petition.received_at,
    )
    event(
        petition,
        actor=None,
        action="join",
        before=petition.status,
        note=joined.tracking_code,
        at=petition.received_at,
    )
    [welcome] = messages()
    assert welcome.address == "13900001111" and "JOINCODE22" in welcome.text


def red(people, team, *, assignee, now):
    petition = report(category=team.category, at=POINT_A1, now=now)
    services.petition_verify(actor=people.worker, petition=petition, now=now)
    if assignee is None:
        return petition
    return services.petition_classify(
        actor=people.worker, petition=petition, category=team.category, assignee=assignee, now=now
    )


MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)


def test_each_worker_with_a_phone_and_red_petitions_gets_one_message_a_working_day(
    city, people, team, django_assert_max_num_queries
):
    people.worker.phone = "13811112222"
    people.worker.save(update_fields=["phone"])
    team.worker2.phone = ""  # no phone: no message
    team.worker2.save(update_fields=["phone"])
    long_ago = MONDAY - timedelta(days=30)
    red(people, team, assignee=people.worker, now=long_ago)
    red(people, team, assignee=people.worker, now=long_ago)
    red(people, team, assignee=None, now=long_ago)  # grid A-1's, not yet assigned
    with django_assert_max_num_queries(14):
        assert red_lights_notify(actor=SYSTEM, now=MONDAY) == 1
    [sms] = messages(Purpose.RED_LIGHTS)
    assert sms.address == "13811112222" and "3" in sms.text and "红灯" in sms.text
    assert red_lights_notify(actor=SYSTEM, now=MONDAY + timedelta(hours=1)) == 1  # deduped
    assert len(messages(Purpose.RED_LIGHTS)) == 1
    # A Sunday is a day off: nothing.
    assert red_lights_notify(actor=SYSTEM, now=MONDAY - timedelta(days=1)) == 0
    with pytest.raises(NotFound):
        red_lights_notify(actor=people.worker, now=MONDAY)


def test_the_red_lights_run_takes_the_same_queries_however_many_petitions_are_red(city, people, team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    long_ago = MONDAY - timedelta(days=30)
    people.worker.phone = "13811112222"
    people.worker.save(update_fields=["phone"])
    team.worker2.phone = "13822223333"
    team.worker2.save(update_fields=["phone"])

    def run(day):
        with CaptureQueriesContext(connection) as captured:
            assert red_lights_notify(actor=SYSTEM, now=MONDAY + timedelta(days=day)) == 2
        return len(captured)

    red(people, team, assignee=people.worker, now=long_ago)
    red(people, team, assignee=team.worker2, now=long_ago)
    red(people, team, assignee=None, now=long_ago)
    small = run(0)
    for _ in range(3):
        red(people, team, assignee=people.worker, now=long_ago)
        red(people, team, assignee=team.worker2, now=long_ago)
    for _ in range(2):
        red(people, team, assignee=None, now=long_ago)
    assert run(1) == small
    texts = [m.text for m in messages(Purpose.RED_LIGHTS)[2:]]
    assert all("7" in text for text in texts)  # 4 of their own and the grid's 3 not assigned
