import datetime

import pytest
import time_machine
from django.utils import timezone

from grids.access import SYSTEM
from petitions import services as petition_services
from petitions.models import Overdue, Step
from tests.petitions.conftest import Team
from tests.petitions.factories import report

# A Monday morning in Helong: working days ahead.
MONDAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def team(city, people):
    return Team(city, people)


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def handled_petition(team, people, *, assignee=None, department=None, now=None):
    """A petition of grid A-1 in handling: by a worker, or by a department."""
    now = now or timezone.now()
    petition = report(now=now)
    petition = petition_services.petition_verify(actor=people.gridhead, petition=petition, now=now)
    if department is not None:
        return petition_services.petition_classify(
            actor=people.official, petition=petition, category=team.category, level="DEPARTMENT",
            department=department, now=now,
        )  # fmt: skip
    return petition_services.petition_classify(
        actor=people.gridhead, petition=petition, category=team.category, level="GRID",
        assignee=assignee or people.worker, now=now,
    )  # fmt: skip


def overdue_row(petition, *, user=None, department=None, due_at):
    return Overdue.objects.create(
        petition=petition,
        step=Step.HANDLE,
        user=user,
        department=department,
        grid=petition.grid,
        due_at=due_at,
        recorded_at=due_at,
    )


@pytest.fixture
def petition(team, people, frozen):
    return handled_petition(team, people)


__all__ = ["MONDAY", "SYSTEM", "handled_petition", "overdue_row"]
