"""Alliances, member units paired with grids, in-service members reporting to their grid, joint
projects with budgets, statuses and progress reports."""

import datetime
from decimal import Decimal

import pytest

from grids.access import SYSTEM
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from party import selectors
from party.models import ProjectStatus
from party.services.alliances import (
    inservice_member_add,
    inservice_member_report,
    inservice_service_record,
    project_create,
    project_report,
    project_set_status,
)
from tests.party import factories as pf
from tests.residents import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(city):
    return pf.Chain(city)


def test_a_unit_is_paired_only_with_grids_of_its_alliances_territory(chain, city):
    alliance = pf.alliance(chain)
    unit = pf.unit(alliance, grids=[city.grid_a1, city.grid_a2])
    assert set(unit.grids.all()) == {city.grid_a1, city.grid_a2}
    with pytest.raises(InvalidInput) as exc:
        pf.unit(alliance, grids=[city.grid_b1])
    assert "grids" in exc.value.errors


def test_an_in_service_member_reports_to_the_grid_where_they_live_and_records_service(chain, city, people):
    unit = pf.unit(pf.alliance(chain))
    home = rf.household(city.grid_a2, building="3")
    member = inservice_member_add(
        actor=SYSTEM, unit=unit, name="赵在职", phone="13912345678", resident=rf.resident(home, name="赵在职")
    )
    with pytest.raises(InvalidInput) as exc:
        inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    assert "where they live" in exc.value.errors["grid"][0]
    member = inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a2)
    assert member.grid == city.grid_a2 and member.reported_at is not None
    record = inservice_service_record(
        actor=people.official,
        member=member,
        served_on=datetime.date.today(),
        hours="2.5",
        description="清理楼道",
    )
    assert record.grid == city.grid_a2
    listed = selectors.inservice_list(user=people.official).get(pk=member.pk)
    assert listed.hours_served == Decimal("2.5")
    assert member.phone_masked != "13912345678"
    with pytest.raises(NotFound):
        inservice_service_record(
            actor=people.outsider, member=member, served_on=datetime.date.today(), hours=1, description="x"
        )


def test_a_member_who_has_not_reported_records_no_service(chain, people):
    member = inservice_member_add(actor=SYSTEM, unit=pf.unit(pf.alliance(chain)), name="钱")
    with pytest.raises(InvalidInput):
        inservice_service_record(
            actor=people.official, member=member, served_on=datetime.date.today(), hours=1, description="x"
        )


def test_a_project_involves_units_of_its_alliance_and_grids_of_its_territory(chain, city):
    alliance = pf.alliance(chain)
    stranger = pf.unit(pf.alliance(chain))
    with pytest.raises(InvalidInput) as exc:
        project_create(
            actor=SYSTEM, alliance=alliance, name="全民健身场馆建设", budget="500000", units=[stranger]
        )
    assert "units" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        project_create(actor=SYSTEM, alliance=alliance, name="全民健身场馆建设", budget="-1")
    assert "budget" in exc.value.errors
    project = project_create(
        actor=SYSTEM,
        alliance=alliance,
        name="社区居家养老智慧服务",
        budget="123456.785",
        units=[pf.unit(alliance)],
        grids=[city.grid_a1],
    )
    assert project.budget == Decimal("123456.79") and project.status == ProjectStatus.PLANNED


def test_progress_reports_start_and_complete_a_project_and_a_completed_one_takes_no_more(chain, people):
    project = project_create(actor=SYSTEM, alliance=pf.alliance(chain), name="老旧小区改造", budget=100_000)
    project_report(actor=people.official, project=project, progress=40, text="主体完工过半")
    project.refresh_from_db()
    assert (project.status, project.progress) == (ProjectStatus.IN_PROGRESS, 40)
    project_report(actor=people.official, project=project, progress=100, text="验收完成")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    with pytest.raises(TransitionNotAllowed):
        project_report(actor=people.official, project=project, progress=100, text="再报")
    with pytest.raises(TransitionNotAllowed):
        project_set_status(actor=people.official, project=project, status=ProjectStatus.IN_PROGRESS)
    with pytest.raises(InvalidInput):
        project_report(actor=people.official, project=project, progress=101, text="x")


def test_a_project_outside_the_actors_scope_cannot_be_reported_on(chain, people):
    project = project_create(actor=SYSTEM, alliance=pf.alliance(chain), name="楼道照明亮化", budget=5_000)
    with pytest.raises(NotFound):
        project_report(actor=people.outsider, project=project, progress=10, text="x")


def test_the_board_counts_units_members_projects_and_budgets_in_sql(chain, city, people):
    alliance = pf.alliance(chain, name="甲街道机关党建联盟")
    unit = pf.unit(alliance, grids=[city.grid_a1])
    member = inservice_member_add(actor=SYSTEM, unit=unit, name="孙")
    inservice_member_report(actor=SYSTEM, member=member, grid=city.grid_a1)
    inservice_member_add(actor=SYSTEM, unit=unit, name="未报到")
    project_create(actor=SYSTEM, alliance=alliance, name="一", budget="1000.50")
    project_create(actor=SYSTEM, alliance=alliance, name="二", budget="2000")
    row = selectors.alliance_list(user=people.official).get()
    assert (row.unit_count, row.member_count, row.project_count, row.budget_total) == (
        1,
        1,
        2,
        Decimal("3000.50"),
    )
    assert list(selectors.alliance_list(user=people.outsider)) == []
