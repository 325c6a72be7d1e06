"""A dispute through its steps: registration from every source, grading with reasons (high risk
tells the community and the street at once), sessions, the agreement, referral, and the
follow-up that alone closes a case. Every step is an event with its actor."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.lights import Light
from mediation import clock, services
from mediation.models import Case, CaseEvent, FollowUp, Notice, NoticeKind, Party, PartyRole, Source, Status
from mediation.services import PartyInput
from tests.factories import UserFactory
from tests.mediation.factories import agreed, case, neighbours, visit

pytestmark = pytest.mark.django_db


def test_a_worker_registers_a_dispute_from_a_visit_in_the_visits_grid_with_its_parties(city, people):
    a, b = neighbours(city.grid_a1)
    seen = visit(people.worker, city.grid_a1, people=[a])
    created = services.case_register(
        actor=people.worker,
        source=Source.VISIT,
        kind="NEIGHBOUR",
        description="漏水纠纷",
        visit=seen,
        parties=[
            PartyInput(role=PartyRole.APPLICANT, resident=a),
            PartyInput(role=PartyRole.RESPONDENT, resident=b),
            PartyInput(role=PartyRole.OTHER, name="某物业公司", phone="0433-1234567"),
        ],
    )
    assert (created.grid, created.status, created.visit, created.registered_by) == (
        city.grid_a1,
        Status.REGISTERED,
        seen,
        people.worker,
    )
    assert created.due_at == created.registered_at + datetime.timedelta(hours=24)
    assert created.parties.count() == 3
    event = created.events.get()
    assert (event.action, event.actor, event.to_status) == ("register", people.worker, Status.REGISTERED)
    with pytest.raises(InvalidInput) as again:
        services.case_register(
            actor=people.worker,
            source=Source.VISIT,
            kind="NEIGHBOUR",
            description="再登记一次",
            visit=seen,
            parties=[PartyInput(role=PartyRole.APPLICANT, resident=a)],
        )
    assert "visit" in again.value.errors
    assert Case.objects.count() == 1


def test_hotline_and_walk_in_cases_need_a_grid_and_at_least_one_party(city, people):
    a, _b = neighbours(city.grid_a1)
    for source in (Source.HOTLINE, Source.WALK_IN):
        with pytest.raises(InvalidInput) as missing:
            services.case_register(
                actor=people.worker, source=source, kind="FAMILY", description="家庭矛盾", parties=[]
            )
        assert "grid" in missing.value.errors
        with pytest.raises(InvalidInput) as nobody:
            services.case_register(
                actor=people.worker,
                source=source,
                kind="FAMILY",
                description="家庭矛盾",
                grid=city.grid_a1,
                parties=[],
            )
        assert "parties" in nobody.value.errors
    walk_in = services.case_register(
        actor=people.worker,
        source=Source.WALK_IN,
        kind="FAMILY",
        description="家庭矛盾",
        grid=city.grid_a1,
        parties=[PartyInput(role=PartyRole.APPLICANT, resident=a)],
    )
    assert walk_in.source == Source.WALK_IN
    with pytest.raises(InvalidInput) as bad_kind:
        services.case_register(
            actor=people.worker,
            source=Source.HOTLINE,
            kind="GOSSIP",
            description="x",
            grid=city.grid_a1,
            parties=[PartyInput(role=PartyRole.APPLICANT, resident=a)],
        )
    assert "kind" in bad_kind.value.errors
    with pytest.raises(InvalidInput) as bad_phone:
        services.case_register(
            actor=people.worker,
            source=Source.HOTLINE,
            kind="LABOUR",
            description="欠薪",
            grid=city.grid_a1,
            parties=[PartyInput(role=PartyRole.RESPONDENT, name="某工地", phone="12")],
        )
    assert "parties" in bad_phone.value.errors
    assert Case.objects.count() == 1


def test_an_outside_party_is_stored_encrypted_and_shown_masked(city, people):
    from django.db import connection

    a, _b = neighbours(city.grid_a1)
    created = services.case_register(
        actor=people.worker,
        source=Source.HOTLINE,
        kind="LABOUR",
        description="欠薪",
        grid=city.grid_a1,
        parties=[
            PartyInput(role=PartyRole.APPLICANT, resident=a),
            PartyInput(role=PartyRole.RESPONDENT, name="李老板", phone="13700001111"),
        ],
    )
    outside = created.parties.get(resident__isnull=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM mediation_party WHERE id = %s", [outside.pk])
        raw_name, raw_phone = cursor.fetchone()
    assert "李老板" not in raw_name and "13700001111" not in raw_phone
    assert (outside.name_masked, outside.phone_masked) == ("李**", "137****1111")
    resident_party = created.parties.get(resident=a)
    assert resident_party.phone_masked == "139****2222"


def test_grading_high_notifies_the_community_and_street_heads_and_officials_at_once(city, people):
    community_head = UserFactory(username="c_head")
    post_assign(actor=SYSTEM, user=community_head, kind=PostKind.HEAD, node=city.community_a)
    other_street = UserFactory(username="b_official")
    post_assign(actor=SYSTEM, user=other_street, kind=PostKind.OFFICIAL, node=city.street_b)
    c = case(city.grid_a1, actor=people.worker)
    with pytest.raises(InvalidInput) as no_reason:
        services.case_grade(actor=people.worker, case=c, risk="HIGH", reasons="  ")
    assert "reasons" in no_reason.value.errors
    assert Case.objects.get(pk=c.pk).status == Status.REGISTERED

    services.case_grade(actor=people.worker, case=c, risk="HIGH", reasons="扬言报复，有肢体冲突")
    c.refresh_from_db()
    assert (c.status, c.risk, c.risk_reasons) == (Status.GRADED, "HIGH", "扬言报复，有肢体冲突")
    notified = set(
        Notice.objects.filter(kind=NoticeKind.HIGH_RISK, case=c).values_list("recipient", flat=True)
    )
    assert notified == {community_head.pk, people.official.pk}  # not the grid head, not another street
    # grading high again tells nobody twice; the clock is the high-risk one (3 working days)
    services.case_grade(actor=people.worker, case=c, risk="HIGH", reasons="仍有冲突风险")
    assert Notice.objects.filter(kind=NoticeKind.HIGH_RISK).count() == 2
    assert [e.action for e in c.events.all()] == ["register", "grade", "grade"]
    assert all(e.actor == people.worker for e in c.events.all())


def test_a_low_grade_notifies_nobody_and_gets_the_longer_clock(city, people):
    low = case(city.grid_a1, actor=people.worker)
    high = case(
        city.grid_a1, actor=people.worker, people=neighbours(city.grid_a1, door_a="102", door_b="202")
    )
    services.case_grade(actor=people.worker, case=low, risk="LOW", reasons="小额纠纷")
    services.case_grade(actor=people.worker, case=high, risk="HIGH", reasons="冲突升级")
    low.refresh_from_db()
    high.refresh_from_db()
    assert high.due_at < low.due_at
    assert Notice.objects.filter(case=low).count() == 0


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_an_agreement_needs_a_session_and_starts_the_follow_up_clock(city, people):
    c = case(city.grid_a1, actor=people.worker)
    with pytest.raises(TransitionNotAllowed):
        services.session_record(
            actor=people.worker, case=c, mediators=[{"kind": "GRID_WORKER", "name": "张网格"}], summary="x"
        )
    services.case_grade(actor=people.worker, case=c, risk="MEDIUM", reasons="邻里积怨")
    with pytest.raises(TransitionNotAllowed):
        services.agreement_record(actor=people.worker, case=c, terms="赔偿", signatures="双方")
    with pytest.raises(InvalidInput) as no_mediator:
        services.session_record(actor=people.worker, case=c, mediators=[], summary="协商")
    assert "mediators" in no_mediator.value.errors
    with pytest.raises(InvalidInput):
        services.session_record(
            actor=people.worker, case=c, mediators=[{"kind": "SHERIFF", "name": "x"}], summary="协商"
        )
    session = services.session_record(
        actor=people.worker,
        case=c,
        mediators=[{"kind": "GRID_WORKER", "name": "张网格"}, {"kind": "JUDICIAL", "name": "司法所刘所长"}],
        summary="双方同意修复并赔偿",
        place="社区调解室",
    )
    assert session.recorded_by == people.worker and len(session.mediators) == 2
    agreement = services.agreement_record(
        actor=people.gridhead,
        case=c,
        terms="修复防水，赔偿800元",
        signatures="王大海、赵小河",
        follow_up_days=15,
    )
    assert (agreement.follow_up_from, agreement.signed_on) == (
        datetime.date(2026, 3, 17),
        datetime.date(2026, 3, 2),
    )
    assert agreement.follow_up_due == datetime.date(2026, 3, 24)  # five working days after it opens
    c.refresh_from_db()
    assert c.status == Status.AGREED and timezone.localdate(c.warn_at) == datetime.date(2026, 3, 17)
    assert [(e.action, e.actor) for e in c.events.all()][-2:] == [
        ("session", people.worker),
        ("agreement", people.gridhead),
    ]


def test_a_failed_mediation_is_referred_on_with_a_reason_and_ends(city, people):
    c = case(city.grid_a1, actor=people.worker)
    services.case_grade(actor=people.worker, case=c, risk="HIGH", reasons="涉及宅基地")
    with pytest.raises(InvalidInput) as no_reason:
        services.case_refer(actor=people.worker, case=c, to="COURT", reason="")
    assert "reason" in no_reason.value.errors
    with pytest.raises(InvalidInput):
        services.case_refer(actor=people.worker, case=c, to="MAYOR", reason="x")
    services.case_refer(actor=people.worker, case=c, to="COURT", reason="双方各执一词，需诉调对接")
    c.refresh_from_db()
    assert (c.status, c.referred_to, c.due_at, c.concluded_at is not None) == (
        Status.REFERRED,
        "COURT",
        None,
        True,
    )
    with pytest.raises(TransitionNotAllowed):
        services.session_record(
            actor=people.worker, case=c, mediators=[{"kind": "MEDIATOR", "name": "x"}], summary="x"
        )
    with pytest.raises(InvalidInput):
        services.case_grade(actor=people.worker, case=c, risk="LOW", reasons="x")


def test_the_follow_up_is_refused_before_it_opens_and_closes_the_case_only_when_it_holds(city, people):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        c = agreed(city.grid_a1, actor=people.worker, follow_up_days=15)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(InvalidInput) as early:
            services.follow_up_record(actor=people.worker, case=c, holds=True)
        assert "held_at" in early.value.errors
        assert Case.objects.get(pk=c.pk).status == Status.AGREED
    with time_machine.travel(datetime.datetime(2026, 3, 18, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(InvalidInput) as why:
            services.follow_up_record(actor=people.worker, case=c, holds=False, notes="")
        assert "notes" in why.value.errors
        failed = services.follow_up_record(actor=people.worker, case=c, holds=False, notes="赔偿未到位")
        c.refresh_from_db()
        assert (failed.on_time, c.status) == (True, Status.MEDIATING)  # mediation resumes
        assert c.due_at == clock.add_working_days(
            timezone.now(), 15, city=None
        )  # with a fresh limit (low risk)
        services.session_record(
            actor=people.worker,
            case=c,
            mediators=[{"kind": "MEDIATOR", "name": "调解员"}],
            summary="再次调解",
        )
        services.agreement_record(
            actor=people.worker, case=c, terms="分两期赔偿", signatures="双方", follow_up_days=7
        )
    with time_machine.travel(datetime.datetime(2026, 4, 10, 10, tzinfo=datetime.UTC), tick=False):
        held = services.follow_up_record(actor=people.worker, case=c, holds=True, notes="已履行")
    c.refresh_from_db()
    assert (c.status, c.due_at, held.on_time) == (Status.CLOSED, None, False)  # late: due by 3-31
    assert FollowUp.objects.filter(case=c).count() == 2
    with pytest.raises(TransitionNotAllowed):
        services.follow_up_record(actor=people.worker, case=c, holds=True)
    assert [e.action for e in CaseEvent.objects.filter(case=c)][-1] == "follow_up"


def test_a_case_is_never_closed_without_a_follow_up(city, people):
    c = case(city.grid_a1, actor=people.worker)
    services.case_grade(actor=people.worker, case=c, risk="LOW", reasons="小事")
    with pytest.raises(TransitionNotAllowed):
        services.follow_up_record(actor=people.worker, case=c, holds=True)
    assert Case.objects.get(pk=c.pk).status == Status.GRADED


def test_revealing_a_party_writes_one_access_log_row_through_the_register(city, people):
    from residents.models import AccessLog

    c = services.case_register(
        actor=people.worker,
        source=Source.HOTLINE,
        kind="LABOUR",
        description="欠薪",
        grid=city.grid_a1,
        parties=[
            PartyInput(role=PartyRole.APPLICANT, resident=neighbours(city.grid_a1)[0]),
            PartyInput(role=PartyRole.RESPONDENT, name="李老板", phone="13700001111"),
        ],
    )
    resident_party, outside = list(Party.objects.filter(case=c).order_by("id"))
    assert services.party_reveal(actor=people.worker, party=resident_party)["phone"] == "13911112222"
    assert services.party_reveal(actor=people.worker, party=outside) == {
        "name": "李老板",
        "phone": "13700001111",
    }
    logs = list(AccessLog.objects.order_by("id").values_list("subject_type", "field", "actor"))
    assert logs == [
        ("residents.Resident", "phone", people.worker.pk),
        ("mediation.Party", "name,phone", people.worker.pk),
    ]
    with pytest.raises(NotFound):
        services.party_reveal(actor=people.outsider, party=outside)
    assert AccessLog.objects.count() == 2


def test_a_resident_party_must_be_in_the_actors_scope(city, people):
    stranger, _ = neighbours(city.grid_b1)
    with pytest.raises(NotFound):
        case(city.grid_a1, actor=people.worker, people=[stranger, neighbours(city.grid_a1)[0]])
    assert not Case.objects.exists()


def test_two_workers_grading_at_once_queue_on_the_row_lock(city, people):
    # the second grading sees the first's status (GRADED) and regrades rather than firing "grade" twice
    c = case(city.grid_a1, actor=people.worker)
    services.case_grade(actor=people.worker, case=c, risk="LOW", reasons="a")
    services.case_grade(actor=people.gridhead, case=c, risk="MEDIUM", reasons="b")
    c.refresh_from_db()
    assert (c.status, c.risk) == (Status.GRADED, "MEDIUM")
    assert list(c.events.values_list("from_status", "to_status"))[1:] == [
        ("REGISTERED", "GRADED"),
        ("GRADED", "GRADED"),
    ]


def test_one_case_per_petition_is_a_database_rule(city, people):
    c = case(city.grid_a1, actor=people.worker)
    assert Case._meta.get_field("petition").unique
    assert c.light == Light.GREEN
    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=c.pk).update(status=Status.REFERRED)  # a referral must say where


def test_a_high_grade_shows_on_the_officials_menu_until_read(city, people, client):
    client.force_login(people.official)
    assert 'data-testid="mediation-unread"' not in client.get("/me/").content.decode()
    services.case_grade(
        actor=people.worker, case=case(city.grid_a1, actor=people.worker), risk="HIGH", reasons="扬言报复"
    )
    assert 'data-testid="mediation-unread">1<' in client.get("/me/").content.decode()
    Notice.objects.update(read_at=timezone.now())
    assert 'data-testid="mediation-unread"' not in client.get("/me/").content.decode()
