"""The Party chain and the time bank: a household's chain, rankings, the volunteer's page.

Figures: the SQL queries that answer "who looks after this household" on the demo city and
after the chain has grown tenfold (they must match: one query), its time; the time of a
city-wide volunteer ranking for the year and per grid, and of the windows' on-duty question.
"""

import datetime

from bench.common import count_queries, load_demo, report, timed


def _grow_chain(factor: int) -> int:
    """Add (factor - 1) × the demo's building groups and central households, one tree rebuild."""
    from hlgrid.trees import tree_write
    from party.models import OrgKind, PartyOrganization
    from residents.models import Household

    groups = list(PartyOrganization.objects.filter(kind=OrgKind.BUILDING_GROUP).order_by("pk"))
    homes = list(Household.objects.order_by("pk").values_list("pk", "grid_id"))
    created = 0
    with tree_write("party"):
        for round_ in range(1, factor):
            new_groups = [
                PartyOrganization(
                    kind=OrgKind.BUILDING_GROUP,
                    code=f"BENCH-{round_}-{g.pk}",
                    name=f"{g.name}（{round_}）",
                    node_id=g.node_id,
                    parent_id=g.parent_id,
                    lft=0,
                    rght=0,
                    tree_id=0,
                    level=0,
                )
                for g in groups
            ]
            PartyOrganization.objects.bulk_create(new_groups, batch_size=2_000)
            centrals = [
                PartyOrganization(
                    kind=OrgKind.CENTRAL_HOUSEHOLD,
                    code=f"BENCH-{round_}-H{g.pk}",
                    name=f"中心户{round_}-{g.pk}",
                    node_id=g.node_id,
                    parent_id=g.pk,
                    household_id=homes[i % len(homes)][0],
                    lft=0,
                    rght=0,
                    tree_id=0,
                    level=0,
                )
                for i, g in enumerate(new_groups)
            ]
            PartyOrganization.objects.bulk_create(centrals, batch_size=2_000)
            created += len(new_groups) + len(centrals)
        PartyOrganization.objects.rebuild()
    return created


def _analyze() -> None:
    """Fresh statistics, as autovacuum keeps them in production (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run(*, scale: int) -> None:
    from django.utils import timezone

    from grids.models import GridNode, NodeKind
    from party import selectors
    from party.models import PartyOrganization, ServiceItem, ServiceWindow
    from residents.models import Household

    load_demo(scale)
    _analyze()
    household = Household.objects.order_by("pk").last()
    orgs = PartyOrganization.objects.count()
    small = count_queries(lambda: selectors.household_chain(household_id=household.pk))
    seconds, chain = timed(lambda: selectors.household_chain(household_id=household.pk), repeat=20)
    report("chain", f"household chain over {orgs:,} organisations", small, "queries")
    report("chain", f"household chain over {orgs:,} organisations", f"{seconds * 1000:.2f}", "ms")
    _grow_chain(10)
    _analyze()
    orgs = PartyOrganization.objects.count()
    large = count_queries(lambda: selectors.household_chain(household_id=household.pk))
    seconds, _ = timed(lambda: selectors.household_chain(household_id=household.pk), repeat=20)
    report("chain", f"household chain over {orgs:,} organisations", large, "queries")
    report("chain", f"household chain over {orgs:,} organisations", f"{seconds * 1000:.2f}", "ms")
    report("chain", "levels in the chain", len(chain))

    city = GridNode.objects.get(kind=NodeKind.CITY)
    start, end = selectors.period_bounds("year")
    seconds, ranked = timed(lambda: selectors.ranking(node=city, start=start, end=end, limit=50), repeat=5)
    report("ranking", "city-wide volunteer ranking, this year (top 50)", f"{seconds * 1000:.1f}", "ms")
    seconds, grids = timed(lambda: selectors.grid_ranking(node=city, start=start, end=end), repeat=5)
    report("ranking", f"grid ranking, this year ({len(grids)} grids)", f"{seconds * 1000:.1f}", "ms")
    community = GridNode.objects.filter(kind=NodeKind.COMMUNITY).order_by("code").first()
    month_start, month_end = selectors.period_bounds("month")
    seconds, _ = timed(
        lambda: selectors.ranking(node=community, start=month_start, end=month_end, limit=10), repeat=5
    )
    report("ranking", "one community, this month (top 10)", f"{seconds * 1000:.1f}", "ms")

    window = ServiceWindow.objects.order_by("code").first()
    item = ServiceItem.objects.order_by("code").last()
    now = timezone.now()
    monday = timezone.localdate(now) - datetime.timedelta(days=timezone.localdate(now).weekday() + 7)
    at = datetime.datetime.combine(monday, datetime.time(10), tzinfo=timezone.get_current_timezone())
    seconds, workers = timed(lambda: list(selectors.on_duty(window=window, at=at, item=item)), repeat=20)
    report(
        "windows",
        f"who is on duty at a window and can serve an item ({len(workers)})",
        f"{seconds * 1000:.2f}",
        "ms",
    )
