"""Disputes: the city's disputes panel, the lights board and the mediation sweep as cases grow.

Figures: the SQL queries and time of a node's disputes panel and of its lights-board items on
the demo city and after the cases have grown tenfold (the query counts must match), and the
time of one mediation sweep (set-based: a fixed number of statements) at both sizes.
"""

from bench.common import count_queries, load_demo, report, timed


def _grow(factor: int) -> int:
    """Copy every demo case (factor - 1) times, with its parties' rows left out (not read here)."""
    from mediation.models import Case

    fields = [f.name for f in Case._meta.concrete_fields if f.name not in ("id", "visit", "petition")]
    rows = list(Case.objects.order_by("pk").values(*fields))
    copies = []
    for _round in range(1, factor):
        for row in rows:
            copies.append(
                Case(**{(f"{k}_id" if k in ("grid", "registered_by") else k): v for k, v in row.items()})
            )
    Case.objects.bulk_create(copies, batch_size=2_000)
    return len(copies)


def _measure(label: str) -> None:
    from django.utils import timezone

    from dashboards import mediation_figures
    from grids.models import GridNode
    from mediation.models import Case
    from mediation.sweep import sweep

    city = GridNode.objects.get(parent=None)
    now = timezone.now()
    report("mediation", f"{label}: cases", f"{Case.objects.count():,}")
    queries = count_queries(lambda: mediation_figures.panel(node=city, now=now))
    seconds, _ = timed(lambda: mediation_figures.panel(node=city, now=now), repeat=3)
    report("mediation", f"{label}: city disputes panel", f"{queries} queries, {seconds * 1000:,.0f}", "ms")
    queries = count_queries(lambda: mediation_figures.board_items(node=city, now=now))
    seconds, _ = timed(lambda: mediation_figures.board_items(node=city, now=now), repeat=3)
    report("mediation", f"{label}: lights-board items", f"{queries} queries, {seconds * 1000:,.0f}", "ms")
    seconds, _ = timed(lambda: sweep(now=now), repeat=3)
    report("mediation", f"{label}: one mediation sweep", f"{seconds * 1000:,.0f}", "ms")


def run(*, scale: int) -> None:
    load_demo(scale)
    _measure("demo")
    _grow(10)
    _measure("×10")
