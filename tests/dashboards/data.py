"""A small, varied dataset on the `city` fixture for checking dashboard figures by hand."""

import datetime
import itertools
import random

from django.utils import timezone

from grids.access import SYSTEM
from petitions.models import Petition, PetitionEvent, Satisfaction, Status
from residents.models import Visit
from rollups.services import rollup_rebuild
from tests.residents import factories as residents

_codes = itertools.count(1)
NOW = timezone.make_aware(datetime.datetime(2026, 3, 15, 10, 0))


def at(days: float) -> datetime.datetime:
    return NOW + datetime.timedelta(days=days)


def petition(grid, status, **fields) -> Petition:
    fields.setdefault("received_at", at(-2))
    return Petition.objects.create(
        tracking_code=f"T{next(_codes):07d}",
        status=status,
        source="WEB",
        description="路灯不亮",
        grid=grid,
        **fields,
    )


def build(city, people, *, seed: int = 1, copies: int = 1) -> None:
    """Petitions in every state and light, visits and key people over grids A-1, A-2 and B-1."""
    rng = random.Random(seed)
    for _ in range(copies):
        for grid in (city.grid_a1, city.grid_a2, city.grid_b1):
            worker = people.worker if grid == city.grid_a1 else people.outsider
            petition(grid, Status.RECEIVED, due_at=at(-1), warn_at=at(-2))  # red
            petition(grid, Status.HANDLING, due_at=at(1), warn_at=at(-0.5), assignee=worker)  # yellow
            petition(grid, Status.VERIFIED, due_at=at(3), warn_at=at(2))  # green
            petition(grid, Status.PAUSED, due_at=at(-5), warn_at=at(-6))  # paused: no light counts
            petition(grid, Status.DRAFT, received_at=None)  # not yet a petition
            petition(
                grid, Status.RECEIVED, received_at=at(-40), due_at=at(-39), warn_at=at(-39.5)
            )  # old, red
            for on_time in (True, True, False):
                petition(
                    grid,
                    Status.RESOLVED,
                    received_at=at(-rng.randint(3, 9)),
                    resolved_at=at(-rng.randint(0, 2)),
                    resolved_on_time=on_time,
                    due_at=at(2),
                    warn_at=at(1),
                )
            for satisfaction, rework in (
                (Satisfaction.SATISFIED, 0),
                (Satisfaction.SATISFIED, 1),
                (Satisfaction.PARTLY, 0),
                (Satisfaction.UNSATISFIED, 2),
                ("", 0),
            ):
                petition(
                    grid,
                    Status.CLOSED,
                    received_at=at(-rng.randint(8, 12)),
                    resolved_at=at(-7),
                    resolved_on_time=True,
                    closed_at=at(-rng.randint(1, 6)),
                    satisfaction=satisfaction,
                    rework_count=rework,
                )
            petition(  # closed last month: outside a "this month" window
                grid,
                Status.CLOSED,
                received_at=at(-50),
                resolved_at=at(-45),
                resolved_on_time=False,
                closed_at=at(-44),
                satisfaction=Satisfaction.SATISFIED,
            )
            home = residents.household(
                grid, building=str(rng.randint(1, 99)), door=str(rng.randint(100, 999))
            )
            residents.household(grid, building=str(rng.randint(100, 199)), door="201")
            residents.key_person(
                home, group_name="重病患者", since=(NOW - datetime.timedelta(days=60)).date()
            )
            Visit.objects.create(worker=worker, household=home, grid=grid, visited_at=at(-3))
        PetitionEvent.objects.create(
            petition=Petition.objects.filter(grid=city.grid_a1).first(),
            actor=people.worker,
            action="verify",
            at=at(-1),
        )
    # The rows above are written straight to the tables (no service, no commit hook):
    # build the dashboards' rollups from them, as the nightly reconciliation would.
    rollup_rebuild(actor=SYSTEM)
