"""Every Party service names who acts and asks the one policy (grids.access) whether it may:
officials set the chain and the alliances up, grid staff look after volunteers, a volunteer
acts only for itself, heads and officials plan window duty. Whoever acted is recorded."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.errors import Forbidden, NotFound, TransitionNotAllowed
from party.models import (
    Activity,
    DutyKind,
    JointProject,
    OrgKind,
    ProjectStatus,
    SignUp,
    SignUpStatus,
)
from party.services.alliances import (
    alliance_create,
    inservice_member_add,
    inservice_member_report,
    inservice_service_record,
    project_create,
    project_report,
    project_set_status,
    unit_join,
)
from party.services.chain import member_add, org_create, org_delete, org_set_contacts
from party.services.time_bank import (
    activity_cancel,
    points_correct,
    reward_redeem,
    signup_cancel,
    signup_confirm,
    signup_create,
    volunteer_register,
)
from party.services.windows import (
    duty_rota_generate,
    duty_shift_add,
    qualification_grant,
    socialworker_add,
    window_service_record,
)
from tests.factories import UserFactory
from tests.party import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()
MONDAY = datetime.date(2026, 11, 23)


def at(hour: int) -> datetime.datetime:
    return datetime.datetime.combine(MONDAY, datetime.time(hour), tzinfo=TZ)


@pytest.fixture
def chain(city):
    return pf.Chain(city)


def test_a_service_called_without_an_actor_is_refused(chain, city):
    calls = [
        lambda: org_create(
            actor=None,
            parent=chain.general,
            kind=OrgKind.GRID_BRANCH,
            code="N1",
            name="x",
            grids=[city.grid_b1],
        ),
        lambda: member_add(actor=None, organization=chain.branch, name="无名"),
        lambda: org_delete(actor=None, org=chain.central),
        lambda: alliance_create(actor=None, lead=chain.committee, name="无名联盟"),
        lambda: volunteer_register(actor=None, name="无名", grid=city.grid_a1),
        lambda: socialworker_add(actor=None, user=UserFactory(), grid=city.grid_a1),
        lambda: duty_rota_generate(actor=None, start=MONDAY, days=1, per_window=1),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()
    assert not chain.committee.alliances.exists()


def test_the_chain_is_set_up_by_officials_over_the_node_and_records_who_did_it(chain, city, people):
    home = rf.household(city.grid_a1, building="1", unit="3", door="301")
    with pytest.raises(Forbidden):  # the worker sees the building group's grid but holds no official post
        org_create(
            actor=people.worker,
            parent=chain.group,
            kind=OrgKind.CENTRAL_HOUSEHOLD,
            code="H1",
            name="户",
            household=home,
        )
    with pytest.raises(Forbidden):  # the assessor sees the whole city, but does not run the chain
        member_add(actor=people.assessor, organization=chain.branch, name="张")
    central = org_create(
        actor=people.official,
        parent=chain.group,
        kind=OrgKind.CENTRAL_HOUSEHOLD,
        code="H1",
        name="户",
        household=home,
    )
    member = member_add(actor=people.official, organization=chain.branch, name="张")
    assert (central.created_by, member.created_by) == (people.official, people.official)
    with pytest.raises(Forbidden):
        org_set_contacts(actor=people.gridhead, org=central, households=[chain.neighbour])
    assert chain.committee.created_by is None  # SYSTEM is recorded as nobody


def test_alliances_units_and_projects_are_set_up_by_officials_and_reported_on_by_heads_and_officials(
    chain, city, people
):
    with pytest.raises(Forbidden):
        alliance_create(actor=people.assessor, lead=chain.committee, name="甲联盟")
    with pytest.raises(NotFound):  # a worker of a grid does not see what is anchored at the street
        alliance_create(actor=people.worker, lead=chain.committee, name="甲联盟")
    alliance = alliance_create(actor=people.official, lead=chain.committee, name="甲联盟")
    unit = unit_join(actor=people.official, alliance=alliance, name="医院", kind="INSTITUTION")
    member = inservice_member_add(actor=people.official, unit=unit, name="吴", phone="0433-1234567")
    project = project_create(actor=people.official, alliance=alliance, name="便民服务站", budget=1000)
    assert [o.created_by for o in (alliance, unit, member, project)] == [people.official] * 4
    assert member.phone == "0433-1234567"  # landlines too: the one phone rule

    with pytest.raises(Forbidden):
        project_report(actor=people.assessor, project=project, progress=10, text="x")
    with pytest.raises(Forbidden):
        project_set_status(actor=people.assessor, project=project, status=ProjectStatus.SUSPENDED)
    report = project_report(actor=people.official, project=project, progress=10, text="开工")
    assert report.author == people.official


def test_a_projects_status_moves_only_along_its_transitions(chain, people):
    project = project_create(actor=SYSTEM, alliance=pf.alliance(chain), name="绿化美化", budget=1000)
    with pytest.raises(AttributeError):
        project.status = ProjectStatus.COMPLETED  # a protected state field
    with pytest.raises(TransitionNotAllowed):
        project_set_status(actor=people.official, project=project, status=ProjectStatus.COMPLETED)
    project_set_status(actor=people.official, project=project, status=ProjectStatus.SUSPENDED)
    project_set_status(actor=people.official, project=project, status=ProjectStatus.IN_PROGRESS)
    project = project_set_status(actor=people.official, project=project, status=ProjectStatus.COMPLETED)
    stored = JointProject.objects.get(pk=project.pk)
    assert (stored.status, stored.progress) == (ProjectStatus.COMPLETED, 100)


def test_in_service_members_report_themselves_or_through_the_grids_staff(chain, city, people):
    account = UserFactory(username="zaizhi")
    unit = pf.unit(pf.alliance(chain))
    mine = inservice_member_add(actor=SYSTEM, unit=unit, name="自己", user=account)
    other = inservice_member_add(actor=SYSTEM, unit=unit, name="别人")
    assert inservice_member_report(actor=account, member=mine, grid=city.grid_b1).grid == city.grid_b1
    with pytest.raises(NotFound):
        inservice_member_report(actor=account, member=other, grid=city.grid_a1)
    other = inservice_member_report(actor=people.worker, member=other, grid=city.grid_a1)
    record = inservice_service_record(
        actor=people.worker, member=other, served_on=datetime.date.today(), hours=1, description="巡逻"
    )
    assert record.recorded_by == people.worker
    with pytest.raises(Forbidden):
        inservice_service_record(
            actor=people.assessor, member=other, served_on=datetime.date.today(), hours=1, description="巡逻"
        )


def test_grid_staff_register_volunteers_and_a_volunteer_acts_only_for_itself(city, people):
    with pytest.raises(Forbidden):
        volunteer_register(actor=people.assessor, name="甲", grid=city.grid_a1)
    with pytest.raises(NotFound):
        volunteer_register(actor=people.outsider, name="甲", grid=city.grid_a1)
    account, stranger = UserFactory(username="zhiyuan"), UserFactory(username="moshengren")
    volunteer = volunteer_register(actor=people.worker, name="甲", grid=city.grid_a1, user=account)
    assert volunteer.created_by == people.worker

    activity = pf.activity(
        people.worker, city.grid_a1, starts_at=timezone.now() + datetime.timedelta(hours=2)
    )
    with pytest.raises(NotFound):
        signup_create(actor=stranger, volunteer=volunteer, activity=activity)
    signup = signup_create(actor=account, volunteer=volunteer, activity=activity)
    with pytest.raises(NotFound):
        signup_cancel(actor=stranger, signup=signup)
    with pytest.raises(NotFound):
        reward_redeem(actor=stranger, volunteer=volunteer, reward=pf.RewardFactory(price=1))
    assert SignUp.objects.get(pk=signup.pk).status == SignUpStatus.SIGNED_UP
    signup = signup_cancel(actor=account, signup=signup)
    assert signup.status == SignUpStatus.CANCELLED
    with pytest.raises(AttributeError):
        signup.status = SignUpStatus.SIGNED_UP  # only through the transitions
    assert signup_create(actor=account, volunteer=volunteer, activity=activity).pk == signup.pk


def test_the_organiser_or_the_grids_staff_confirm_and_the_confirmer_is_recorded(city, people):
    volunteer = pf.volunteer(city.grid_a1)
    activity = pf.activity(people.worker, city.grid_a1, rate=Decimal("10"))
    signup = signup_create(actor=SYSTEM, volunteer=volunteer, activity=activity)
    with pytest.raises(Forbidden):
        signup_confirm(actor=people.assessor, signup=signup, hours=1)
    signup, entry = signup_confirm(actor=people.gridhead, signup=signup, hours=1)
    assert (signup.confirmed_by, entry.booked_by) == (people.gridhead, people.gridhead)
    correction = points_correct(actor=people.worker, entry=entry, points="-1", note="多记")
    assert correction.booked_by == people.worker
    with pytest.raises(Forbidden):
        points_correct(actor=people.assessor, entry=entry, points="-1", note="多记")
    later = pf.activity(people.worker, city.grid_a1, title="以后")
    with pytest.raises(Forbidden):
        activity_cancel(actor=people.assessor, activity=later)
    assert activity_cancel(actor=people.worker, activity=later).status == "CANCELLED"
    assert Activity.objects.get(pk=later.pk).status == "CANCELLED"


def test_heads_and_officials_plan_window_duty_and_officials_take_social_workers_on(city, people):
    window = pf.WindowFactory(node=city.street_a)
    item = pf.ServiceItemFactory()
    with pytest.raises(Forbidden):
        socialworker_add(actor=people.worker, user=UserFactory(), grid=city.grid_a1, items=[item])
    worker = socialworker_add(actor=people.official, user=UserFactory(), grid=city.grid_a1, items=[item])
    assert worker.created_by == people.official
    with pytest.raises(Forbidden):
        qualification_grant(actor=people.gridhead, worker=worker, items=[pf.ServiceItemFactory()])
    with pytest.raises(NotFound):  # the grid's head does not see the street's window
        duty_shift_add(
            actor=people.gridhead,
            worker=worker,
            kind=DutyKind.WINDOW,
            window=window,
            starts_at=at(8),
            ends_at=at(12),
        )
    grid_duty = duty_shift_add(
        actor=people.gridhead, worker=worker, kind=DutyKind.GRID, starts_at=at(13), ends_at=at(17)
    )
    shift = duty_shift_add(
        actor=people.official,
        worker=worker,
        kind=DutyKind.WINDOW,
        window=window,
        starts_at=at(8),
        ends_at=at(12),
    )
    assert (grid_duty.created_by, shift.created_by) == (people.gridhead, people.official)
    with pytest.raises(Forbidden):
        duty_rota_generate(actor=people.assessor, start=MONDAY, days=1, per_window=1, windows=[window])
    with pytest.raises(Forbidden):  # an official is not the social worker on duty
        window_service_record(actor=people.official, window=window, item=item, served_at=at(9), minutes=5)
    service = window_service_record(actor=worker.user, window=window, item=item, served_at=at(9), minutes=5)
    assert service.worker == worker.user
