"""Years of a node's petitions: by year and category, by month, by season; quality by year.

Each function is one grouped query over the rollups of the node's subtree (rollups.GridDay
per month and category, counted by the day of receipt), whatever the number of petitions;
dashboards.live_history computes the same from the petitions themselves.
"""

from collections import Counter, defaultdict

from grids.models import GridNode
from petitions.models import Category
from rollups.models import RECEIVED_MEASURES
from rollups.selectors import by_month_and_category

RECEIVED = RECEIVED_MEASURES


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _months(node: GridNode) -> list[dict]:
    return [row for row in by_month_and_category(node=node, measures=RECEIVED) if row["received"]]


def by_category(*, node: GridNode) -> list[dict]:
    names = dict(Category.objects.values_list("pk", "name"))
    counts: Counter = Counter()
    for row in _months(node):
        counts[(row["month"].year, names.get(row["category_id"], ""))] += row["received"]
    rows = sorted(counts.items(), key=lambda item: (item[0][0], -item[1], item[0][1]))
    return [{"year": year, "category": name, "count": n} for (year, name), n in rows]


def by_month(*, node: GridNode) -> list[dict]:
    counts: Counter = Counter()
    for row in _months(node):
        counts[(row["month"].year, row["month"].month)] += row["received"]
    return [{"year": y, "month": m, "count": n} for (y, m), n in sorted(counts.items())]


def by_season(*, node: GridNode) -> list[dict]:
    counts: Counter = Counter()
    for row in _months(node):
        counts[(row["month"].year, (row["month"].month - 1) // 3 + 1)] += row["received"]
    return [{"year": y, "season": s, "count": n} for (y, s), n in sorted(counts.items())]


def quality(*, node: GridNode) -> list[dict]:
    """Per year of receipt: received, resolved, on-time rate, rework rate, satisfaction rate."""
    years: dict[int, Counter] = defaultdict(Counter)
    for row in _months(node):
        years[row["month"].year].update({m: row[m] or 0 for m in RECEIVED})
    return [
        {
            "year": year,
            "received": r["received"],
            "on_time_rate": _rate(r["rec_on_time"], r["rec_resolved"]),
            "rework_rate": _rate(r["rec_reworked"], r["rec_closed"]),
            "satisfaction_rate": _rate(r["rec_satisfied"], r["rec_rated"]),
        }
        for year, r in sorted(years.items())
    ]
