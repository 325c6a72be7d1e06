"""Mediation test data, built through the services (the same path as the pages and the API)."""

from grids.access import SYSTEM
from mediation import services
from mediation.models import Kind, PartyRole, Source
from mediation.services import PartyInput
from residents import services as residents_services
from tests.residents.factories import household, resident


def neighbours(grid, *, door_a="101", door_b="201"):
    """Two residents of one grid, in two households of the same unit."""
    a = resident(household(grid, door=door_a), name="王大海", phone="13911112222")
    b = resident(household(grid, door=door_b), name="赵小河", phone="13933334444")
    return a, b


def visit(worker, grid, *, people=None, **extra):
    home = people[0].household if people else household(grid, door="301")
    return residents_services.visit_log(
        actor=worker,
        household=home,
        problem_found=True,
        problem_description=extra.pop("problem", "楼上漏水，两户争执"),
        **extra,
    )


def case(grid, *, actor=SYSTEM, kind=Kind.NEIGHBOUR, people=None, **extra):
    people = people or neighbours(grid)
    return services.case_register(
        actor=actor,
        source=extra.pop("source", Source.HOTLINE),
        kind=kind,
        description=extra.pop("description", "楼上漏水，楼下要求赔偿"),
        grid=grid,
        parties=[
            PartyInput(role=PartyRole.APPLICANT, resident=people[0]),
            PartyInput(role=PartyRole.RESPONDENT, resident=people[1]),
        ],
        **extra,
    )


def agreed(grid, *, actor=SYSTEM, risk="LOW", follow_up_days=30, **extra):
    c = case(grid, actor=actor, **extra)
    services.case_grade(actor=actor, case=c, risk=risk, reasons="双方情绪稳定")
    services.session_record(
        actor=actor,
        case=c,
        mediators=[{"kind": "GRID_WORKER", "name": "网格员"}],
        summary="双方当面协商",
    )
    services.agreement_record(
        actor=actor,
        case=c,
        terms="楼上修复防水并赔偿500元",
        signatures="王大海、赵小河",
        follow_up_days=follow_up_days,
    )
    c.refresh_from_db()
    return c
