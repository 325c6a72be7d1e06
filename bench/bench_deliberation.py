"""Deliberation (议事协商): the resolutions' light sweep and the node dashboard's panel.

Figures: the time and SQL queries of one sweep turning every open resolution red, on the demo
city and with the open resolutions multiplied twentyfold (the queries must match), and the
queries and time of the city's deliberation panel before and after.
"""

import datetime
import time

from bench.common import count_queries, load_demo, report, timed


def _grow(factor: int) -> int:
    """(factor - 1) more copies of every resolution, open, due a day ago (one bulk insert)."""
    from django.utils import timezone

    from deliberation.models import Resolution
    from hlgrid.lights import Light

    due = timezone.now() - datetime.timedelta(days=1)
    rows = list(Resolution.objects.all())
    copies = [
        Resolution(
            node_id=r.node_id,
            topic_id=r.topic_id,
            vote_id=r.vote_id,
            text=r.text,
            owner_id=r.owner_id,
            due_at=due,
            warn_at=due - datetime.timedelta(days=2),
            light=Light.GREEN,
        )
        for _ in range(factor - 1)
        for r in rows
    ]
    Resolution.objects.bulk_create(copies, batch_size=2_000)
    return len(copies)


def run(*, scale: int) -> None:
    from django.utils import timezone

    from dashboards.deliberation_figures import figures
    from deliberation.models import Resolution
    from deliberation.sweep import sweep
    from grids.models import GridNode, NodeKind

    load_demo(scale)
    city = GridNode.objects.get(kind=NodeKind.CITY)
    now = timezone.now()
    panel = count_queries(lambda: figures(node=city, now=now))
    seconds, _ = timed(lambda: figures(node=city, now=now), repeat=5)
    report("panel", f"city panel over {Resolution.objects.count():,} resolutions", panel, "queries")
    report(
        "panel", f"city panel over {Resolution.objects.count():,} resolutions", f"{seconds * 1000:.1f}", "ms"
    )
    later = now + datetime.timedelta(days=400)
    queries = count_queries(lambda: sweep(now=later))
    report("sweep", f"sweep over {Resolution.objects.count():,} resolutions", queries, "queries")
    added = _grow(20)
    counts: dict = {}
    started = time.perf_counter()
    queries_large = count_queries(lambda: counts.update(sweep(now=later + datetime.timedelta(minutes=1))))
    seconds = time.perf_counter() - started
    report("sweep", f"sweep turning {counts['red']:,} red ({added:,} added)", f"{seconds * 1000:.0f}", "ms")
    report("sweep", f"sweep turning {counts['red']:,} red ({added:,} added)", queries_large, "queries")
    panel_large = count_queries(lambda: figures(node=city, now=now))
    seconds, _ = timed(lambda: figures(node=city, now=now), repeat=5)
    report("panel", f"city panel over {Resolution.objects.count():,} resolutions", panel_large, "queries")
    report(
        "panel", f"city panel over {Resolution.objects.count():,} resolutions", f"{seconds * 1000:.1f}", "ms"
    )
