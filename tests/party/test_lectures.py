"""The rotating theme Party lectures (主题党课轮值): the generator's rules (round-robin, no
lecturer twice a month, working days), the edits (swap, move, attendance) and their conflicts,
and the scoping of the planners."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound
from party.models import LectureSlot, MemberRole, OrgKind
from party.services.chain import member_add, org_create
from party.services.lectures import (
    lecture_assign,
    lecture_attendance,
    lecture_day,
    lecture_move,
    lecture_rota_generate,
    lecture_swap,
)
from tests.party import factories as pf

pytestmark = pytest.mark.django_db

THEMES = ["学习党章", "基层治理", "乡村振兴", "民族团结", "安全生产", "廉洁自律"]


@pytest.fixture
def rota(city):
    chain = pf.Chain(city)
    chain.branch.grids.set([city.grid_a1])
    second = org_create(
        actor=SYSTEM,
        parent=chain.general,
        kind=OrgKind.GRID_BRANCH,
        code=pf.code("BR"),
        name="甲二网格党支部",
        grids=[city.grid_a2],
    )
    lecturers = [
        member_add(actor=SYSTEM, organization=chain.general, name=f"讲师{i}", role=MemberRole.COMMITTEE)
        for i in range(3)
    ]
    return chain, [chain.branch, second], lecturers


def test_the_rota_is_round_robin_with_no_lecturer_twice_a_month(rota):
    chain, branches, lecturers = rota
    slots = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=THEMES,
    )
    assert len(slots) == 12
    by_month = {}
    for slot in LectureSlot.objects.all():
        by_month.setdefault(slot.month, []).append(slot.lecturer_id)
    assert sorted(by_month) == [datetime.date(2026, m, 1) for m in range(1, 7)]
    assert all(len(set(ids)) == len(ids) == 2 for ids in by_month.values())
    counts = [LectureSlot.objects.filter(lecturer=m).count() for m in lecturers]
    assert counts == [4, 4, 4]
    assert [s.theme for s in LectureSlot.objects.filter(branch=branches[0])] == THEMES


def test_lectures_fall_on_working_days():
    # 2026-10-01..07 is the National Day holiday; 2026-10-10 (Saturday) is a working day in lieu
    assert lecture_day(datetime.date(2026, 10, 1), 1, city=None) == datetime.date(2026, 10, 8)
    assert lecture_day(datetime.date(2026, 11, 1), 15, city=None) == datetime.date(2026, 11, 16)
    assert lecture_day(datetime.date(2026, 10, 1), 10, city=None) == datetime.date(2026, 10, 10)


def test_a_month_already_planned_is_left_alone(rota):
    chain, branches, lecturers = rota
    kept = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches[:1],
        lecturers=lecturers[:1],
        first_month=datetime.date(2026, 3, 1),
        themes=["x"],
    )[0]
    lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 3, 1),
        themes=["y"],
    )
    march = LectureSlot.objects.filter(month=datetime.date(2026, 3, 1))
    assert march.count() == 2
    assert march.get(pk=kept.pk).theme == "x"
    assert march.exclude(pk=kept.pk).get().lecturer_id != lecturers[0].pk


def test_fewer_lecturers_than_branches_is_refused(rota):
    chain, branches, lecturers = rota
    with pytest.raises(InvalidInput):
        lecture_rota_generate(
            actor=SYSTEM,
            branches=branches,
            lecturers=lecturers[:1],
            first_month=datetime.date(2026, 1, 1),
            themes=THEMES,
        )
    with pytest.raises(InvalidInput):
        lecture_rota_generate(
            actor=SYSTEM,
            branches=[chain.general],
            lecturers=lecturers,
            first_month=datetime.date(2026, 1, 1),
            themes=THEMES,
        )


def test_the_database_refuses_a_lecturer_twice_in_a_month(rota):
    chain, branches, lecturers = rota
    a, b = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=THEMES[:1],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LectureSlot.objects.filter(pk=b.pk).update(lecturer_id=a.lecturer_id)


def test_swap_and_assign_keep_one_lecture_a_month(rota):
    chain, branches, lecturers = rota
    a, b = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=THEMES[:1],
    )
    first, second = a.lecturer_id, b.lecturer_id
    lecture_swap(actor=SYSTEM, slot=a, other=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.lecturer_id, b.lecturer_id) == (second, first)
    with pytest.raises(InvalidInput, match="already lectures"):
        lecture_assign(actor=SYSTEM, slot=a, lecturer=b.lecturer)
    free = next(m for m in lecturers if m.pk not in (first, second))
    lecture_assign(actor=SYSTEM, slot=a, lecturer=free)
    a.refresh_from_db()
    assert a.lecturer_id == free.pk


def test_a_lecture_moves_within_its_month_to_a_working_day(rota):
    chain, branches, lecturers = rota
    (slot,) = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches[:1],
        lecturers=lecturers,
        first_month=datetime.date(2026, 10, 1),
        themes=["x"],
    )
    with pytest.raises(InvalidInput, match="not a working day"):
        lecture_move(actor=SYSTEM, slot=slot, day=datetime.date(2026, 10, 3))
    with pytest.raises(InvalidInput, match="stays in its month"):
        lecture_move(actor=SYSTEM, slot=slot, day=datetime.date(2026, 11, 3))
    lecture_move(actor=SYSTEM, slot=slot, day=datetime.date(2026, 10, 10), place="党群服务中心")
    slot.refresh_from_db()
    assert (slot.scheduled_on, slot.place) == (datetime.date(2026, 10, 10), "党群服务中心")


def test_attendance_is_recorded_after_the_lecture_for_the_branchs_members(rota, city):
    chain, branches, lecturers = rota
    (slot,) = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches[:1],
        lecturers=lecturers,
        first_month=datetime.date(2026, 3, 1),
        themes=["x"],
    )
    member = member_add(actor=SYSTEM, organization=chain.group, name="组员", role=MemberRole.MEMBER)
    with (
        time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)),
        pytest.raises(InvalidInput, match="not taken place"),
    ):
        lecture_attendance(actor=SYSTEM, slot=slot, attendees=[member], count=12)
    with time_machine.travel(datetime.datetime(2026, 3, 31, 9, tzinfo=datetime.UTC)):
        with pytest.raises(InvalidInput, match="branch's members"):
            lecture_attendance(actor=SYSTEM, slot=slot, attendees=[lecturers[0]], count=12)
        with pytest.raises(InvalidInput, match="at least"):
            lecture_attendance(actor=SYSTEM, slot=slot, attendees=[member], count=0)
        lecture_attendance(actor=SYSTEM, slot=slot, attendees=[member], count=12)
    slot.refresh_from_db()
    assert slot.attendance == 12
    assert list(slot.attendees.all()) == [member]


def test_planners_are_scoped_to_their_territory(rota, people):
    chain, branches, lecturers = rota
    slots = lecture_rota_generate(
        actor=people.official,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=["x"],
    )
    assert len(slots) == 2
    with pytest.raises(NotFound):
        lecture_swap(actor=people.outsider, slot=slots[0], other=slots[1])
    with pytest.raises(NotFound):
        lecture_rota_generate(
            actor=people.outsider,
            branches=branches,
            lecturers=lecturers,
            first_month=datetime.date(2026, 2, 1),
            themes=["x"],
        )


def test_the_pages_generate_swap_and_hide_lectures_from_outsiders(rota, people, client):
    chain, branches, lecturers = rota
    client.force_login(people.official)
    response = client.post(
        "/party/lectures/generate/",
        {"first_month": "2026-01-01", "themes": "学习党章\n基层治理", "day": "15"},
    )
    assert response.status_code == 302
    slots = list(LectureSlot.objects.order_by("pk"))
    assert len(slots) == 4
    page = client.get("/party/lectures/?year=2026")
    assert page.status_code == 200
    assert "学习党章" in page.content.decode()
    a, b = (s for s in slots if s.month == datetime.date(2026, 1, 1))
    assert client.get(f"/party/lectures/{a.pk}/").status_code == 200
    client.post(f"/party/lectures/{a.pk}/edit/", {"action": "swap", "other": b.pk})
    a2, b2 = LectureSlot.objects.get(pk=a.pk), LectureSlot.objects.get(pk=b.pk)
    assert (a2.lecturer_id, b2.lecturer_id) == (b.lecturer_id, a.lecturer_id)
    client.force_login(people.outsider)
    assert client.get(f"/party/lectures/{a.pk}/").status_code == 404
    assert (
        client.post(
            f"/party/lectures/{a.pk}/edit/", {"action": "move", "scheduled_on": "2026-01-20"}
        ).status_code
        == 404
    )
    assert "学习党章" not in client.get("/party/lectures/?year=2026").content.decode()


def test_the_rota_page_makes_the_same_queries_for_one_month_or_twelve(rota, people, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chain, branches, lecturers = rota
    client.force_login(people.official)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/party/lectures/?year=2026").status_code == 200
        return len(ctx.captured_queries)

    lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=THEMES[:1],
    )
    count()
    small = count()
    lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 2, 1),
        themes=THEMES * 2,
    )
    assert LectureSlot.objects.filter(month__year=2026).count() == 24
    assert count() == small


def test_the_api_lists_and_swaps_in_scope_and_answers_404_outside(rota, people, api_client):
    chain, branches, lecturers = rota
    a, b = lecture_rota_generate(
        actor=SYSTEM,
        branches=branches,
        lecturers=lecturers,
        first_month=datetime.date(2026, 1, 1),
        themes=["x"],
    )
    api_client.force_authenticate(people.official)
    listed = api_client.get("/api/v1/party/lectures/?year=2026").json()
    assert sorted(row["id"] for row in listed) == sorted([a.pk, b.pk])
    swapped = api_client.post(f"/api/v1/party/lectures/{a.pk}/swap/", {"other": b.pk}, format="json")
    assert swapped.status_code == 200
    assert swapped.json()["lecturer"] == b.lecturer_id
    api_client.force_authenticate(people.outsider)
    assert api_client.get("/api/v1/party/lectures/?year=2026").json() == []
    assert api_client.get(f"/api/v1/party/lectures/{a.pk}/").status_code == 404
    assert (
        api_client.post(f"/api/v1/party/lectures/{a.pk}/swap/", {"other": b.pk}, format="json").status_code
        == 404
    )
