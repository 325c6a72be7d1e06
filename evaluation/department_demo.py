"""Demo data of departments under the same light (called at the end of evaluation.demo.load):

- returns (退单) attributed: a few department petitions of the last published quarter get a
  return event charged to their department before they were re-routed (PetitionEvent
  history; the petition keeps its final department);
- the quarter's ratings: each street rates every department that worked in it (评价权);
- the city's department assessment of that quarter, published by the demo assessor.
"""

import datetime
from decimal import Decimal

from django.apps import apps

from evaluation import departments, services
from evaluation.indicators import period_window
from evaluation.models import DepartmentRating, Period, PeriodKind, PeriodStatus
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind
from hlgrid.models import User

COMMENTS = [
    "响应及时，现场处置到位",
    "配合街道开展联合整治",
    "个别诉求推诿，需加强沟通",
    "报到准时，办理质量较高",
    "回访满意度有待提升",
]


def load(ctx) -> None:
    rng = ctx.rng
    quarter = (
        Period.objects.filter(kind=PeriodKind.QUARTER, status=PeriodStatus.PUBLISHED)
        .order_by("-starts_on")
        .first()
    )
    if quarter is None:
        return
    end_of_quarter = datetime.datetime.combine(quarter.ends_on, datetime.time(18), tzinfo=datetime.UTC)
    window = period_window(quarter, now=end_of_quarter)
    returns = _returns(rng, window)
    official = User.objects.get(username="official")
    streets = list(GridNode.objects.filter(kind=NodeKind.STREET).order_by("code"))
    ratings = []
    for street in streets:
        for row in departments.league_for_window(node=street, window=window):
            score = Decimal(rng.randint(62, 98)) + Decimal(rng.choice([0, 5])) / 10
            ratings.append(
                DepartmentRating(
                    street=street,
                    department_id=row.department_id,
                    period=quarter,
                    score=score,
                    comments=rng.choice(COMMENTS),
                    rated_by=official,
                    rated_at=end_of_quarter,
                )
            )
    DepartmentRating.objects.bulk_create(ratings)
    city = GridNode.objects.get(kind=NodeKind.CITY, parent__isnull=True)
    board = services.department_board_publish(
        actor=SYSTEM, period=quarter, city=city, now=end_of_quarter + datetime.timedelta(days=5)
    )
    ctx.log(
        f"    departments: {returns} returns attributed, {len(ratings)} street ratings, "
        f"{board.rows.count()} departments assessed for {quarter.name}"
    )


def _returns(rng, window) -> int:
    """Return events (退单) on some department petitions of the quarter, before classification."""
    Petition = apps.get_model("petitions", "Petition")
    PetitionEvent = apps.get_model("petitions", "PetitionEvent")
    candidates = list(
        Petition.objects.filter(
            department__isnull=False, classified_at__gte=window.start, classified_at__lt=window.end
        )
        .order_by("id")
        .values_list("id", "department_id", "department__name", "classified_at")[:400]
    )
    picked = [c for c in candidates if rng.random() < 0.08]
    PetitionEvent.objects.bulk_create(
        [
            PetitionEvent(
                petition_id=pk,
                action="return",
                from_status="HANDLING",
                to_status="VERIFIED",
                note=f"{name}: {rng.choice(['不属于本部门职责', '地址不在辖区', '需先由社区核实'])}",
                department_id=department_id,
                at=classified_at - datetime.timedelta(hours=rng.randint(2, 20)),
            )
            for pk, department_id, name, classified_at in picked
        ]
    )
    return len(picked)
