"""The quarterly rating equals independent ORM counts on a crafted dataset; stars follow the
score; the star board is computed by heads and officials over the street and published only by
an official of the street, after which it is final and visible to all staff of the street."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from grids.access import SYSTEM
from grids.models import PostKind
from grids.services import post_assign
from hlgrid.errors import Forbidden, NotFound, TransitionNotAllowed
from petitions.models import Petition, Satisfaction, Source, Status
from property import rating, selectors, services
from property.models import FirmRating, PropertyCategory
from tests.factories import UserFactory
from tests.petitions.factories import CategoryFactory
from tests.property import factories

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2024, 7, 10, 10, 0, tzinfo=datetime.UTC)


def at(day: str, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day).replace(hour=hour))


def petitions(rows):
    made = []
    for n, (grid, category, received, status, on_time, satisfaction) in enumerate(rows):
        made.append(
            Petition(
                tracking_code=f"T{n:07d}",
                status=status,
                source=Source.RESIDENT,
                description="x",
                category=category,
                grid=grid,
                received_at=at(received),
                resolved_on_time=on_time,
                satisfaction=satisfaction,
            )
        )
    return Petition.objects.bulk_create(made)


@pytest.fixture
def crafted(city, place):
    heating = CategoryFactory(code="SS04", name="供暖问题")
    garbage = CategoryFactory(code="SR01", name="垃圾清运")
    welfare = CategoryFactory(code="MS01", name="低保救助")
    PropertyCategory.objects.create(category=heating)
    PropertyCategory.objects.create(category=garbage)
    # a second firm of street A serving a compound in grid A-1 too: A-1's petitions count for both
    place.firm_a2 = factories.firm(city.street_a, name="甲二物业")
    factories.compound(city.community_a, firm=place.firm_a2, buildings=[factories.building(city.grid_a1)])
    S, P, U = Satisfaction.SATISFIED, Satisfaction.PARTLY, Satisfaction.UNSATISFIED
    done = Status.CLOSED
    petitions(
        [
            (city.grid_a1, heating, "2024-04-02", done, True, S),
            (city.grid_a1, heating, "2024-05-02", done, False, U),
            (city.grid_a2, garbage, "2024-06-30", done, True, P),
            (city.grid_a2, garbage, "2024-06-29", Status.HANDLING, None, ""),
            (city.grid_a1, welfare, "2024-05-01", done, True, S),  # not a property category
            (city.grid_a1, heating, "2024-03-31", done, True, S),  # the quarter before
            (city.grid_a1, heating, "2024-07-01", done, True, S),  # the quarter after
            (city.grid_a2, heating, "2024-05-05", Status.REJECTED, None, ""),  # rejected
            (city.grid_b1, heating, "2024-05-05", done, True, S),  # firm B's
            (city.grid_b2, heating, "2024-05-05", done, True, S),  # no compound there
        ]
    )
    for score, day in [(5, "2024-04-10"), (4, "2024-05-10"), (4, "2024-06-10"), (1, "2024-03-10")]:
        services.sample_record(actor=SYSTEM, compound=place.compound_a, score=score, sampled_on=day)
    services.inspection_record(actor=SYSTEM, compound=place.compound_a, score=90, inspected_on="2024-05-20")
    services.inspection_record(actor=SYSTEM, compound=place.compound_a, score=81, inspected_on="2024-06-20")
    return place


def expected(firm, year=2024, quarter=2):
    """The figures counted independently, with plain ORM filters."""
    start, end = rating.quarter_start(year, quarter), rating.quarter_end(year, quarter)
    grids = firm.compounds.values("links__building__grid")
    against = (
        Petition.objects.filter(
            grid__in=grids,
            category__in=PropertyCategory.objects.values("category"),
            received_at__gte=at(start.isoformat(), 0),
            received_at__lt=at(end.isoformat(), 0),
            merged_into__isnull=True,
        )
        .exclude(status=Status.REJECTED)
        .distinct()
    )
    samples = firm.samples.filter(sampled_on__gte=start, sampled_on__lt=end)
    return {
        "petitions": against.count(),
        "petitions_resolved": against.filter(resolved_on_time__isnull=False).count(),
        "petitions_on_time": against.filter(resolved_on_time=True).count(),
        "petitions_rated": against.exclude(satisfaction="").count(),
        "petitions_satisfied": against.filter(satisfaction=Satisfaction.SATISFIED).count(),
        "samples": samples.count(),
        "inspections": firm.inspections.filter(inspected_on__gte=start, inspected_on__lt=end).count(),
    }


@time_machine.travel(NOW, tick=False)
def test_the_rating_equals_independent_counts_of_a_crafted_quarter(city, crafted):
    board = services.board_compute(actor=SYSTEM, street=city.street_a, year=2024, quarter=2)
    rows = {r.firm_id: r for r in FirmRating.objects.filter(board=board)}
    assert set(rows) == {crafted.firm_a.pk, crafted.firm_a2.pk}  # street B's firm is on B's board
    for firm in (crafted.firm_a, crafted.firm_a2):
        row = rows[firm.pk]
        assert {key: getattr(row, key) for key in expected(firm)} == expected(firm)
    a = rows[crafted.firm_a.pk]
    assert (a.petitions, a.petitions_on_time, a.petitions_resolved) == (4, 2, 3)  # one still open
    assert a2_counts(rows[crafted.firm_a2.pk]) == (2, 1, 2)  # A-1's two only
    assert a.sample_average == Decimal("4.33")
    assert a.inspection_average == Decimal("85.50")
    assert a.on_time_rate == Decimal("66.67")
    assert a.satisfaction_rate == Decimal("33.33")
    # 40 % × 86.6 + 20 % × 66.67 + 20 % × 33.33 + 20 % × 85.5
    assert a.score == Decimal("71.74")
    assert a.stars == 3


def a2_counts(row):
    return row.petitions, row.petitions_on_time, row.petitions_resolved


def test_stars_follow_the_score_and_no_data_gives_none():
    assert [rating.stars_of(Decimal(s)) for s in ("95", "90", "89.99", "80", "70", "60", "59.99")] == [
        5,
        5,
        4,
        4,
        3,
        2,
        1,
    ]
    assert rating.stars_of(None) is None
    assert (
        rating.score_of(
            sample_average=None, on_time_rate=None, satisfaction_rate=None, inspection_average=None
        )
        is None
    )
    assert rating.score_of(
        sample_average=Decimal("5"), on_time_rate=None, satisfaction_rate=None, inspection_average=None
    ) == Decimal("100.00")


def hold(username, kind, node):
    user = UserFactory(username=username)
    post_assign(actor=SYSTEM, user=user, kind=kind, node=node)
    return user


@time_machine.travel(NOW, tick=False)
def test_only_an_official_of_the_street_publishes_its_board_and_then_it_is_final(city, people, crafted):
    community_head = hold("c_head", PostKind.HEAD, city.community_a)
    other_official = hold("b_official", PostKind.OFFICIAL, city.street_b)
    with pytest.raises(Forbidden):
        services.board_compute(actor=people.gridhead, street=city.street_a, year=2024, quarter=2)
    with pytest.raises(NotFound):
        services.board_compute(actor=other_official, street=city.street_a, year=2024, quarter=2)
    board = services.board_compute(actor=people.official, street=city.street_a, year=2024, quarter=2)
    # a draft is seen by staff over the street only
    assert board in selectors.board_list(user=people.official)
    assert board not in selectors.board_list(user=people.worker)
    with pytest.raises(NotFound):
        services.board_publish(actor=community_head, board=board)  # cannot see the draft
    with pytest.raises(NotFound):
        services.board_publish(actor=other_official, board=board)
    street_head = hold("s_head", PostKind.HEAD, city.street_a)
    with pytest.raises(Forbidden):
        services.board_publish(actor=street_head, board=board)  # a head computes, an official publishes
    services.board_publish(actor=people.official, board=board)
    board.refresh_from_db()
    assert board.published and board.published_by == people.official
    # published: every member of staff of the street reads it, nobody outside
    for user in (people.worker, people.gridhead, community_head, street_head):
        assert board in selectors.board_list(user=user)
    assert board not in selectors.board_list(user=other_official)
    assert board not in selectors.board_list(user=people.outsider)
    with pytest.raises(TransitionNotAllowed):
        services.board_compute(actor=people.official, street=city.street_a, year=2024, quarter=2)
    with pytest.raises(TransitionNotAllowed):
        services.board_publish(actor=people.official, board=board)


@time_machine.travel(NOW, tick=False)
def test_a_quarter_that_has_not_begun_cannot_be_computed(city, people):
    from hlgrid.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.board_compute(actor=people.official, street=city.street_a, year=2024, quarter=4)
