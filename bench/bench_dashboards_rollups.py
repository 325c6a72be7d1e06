"""The city dashboard on the rollups: page and API, cold and warm, at scale 1 and 10.

Figures, each scale on a fresh database:
- on gunicorn (2 workers, DEBUG off, loopback; PostgreSQL and Redis from DATABASE_URL and
  REDIS_URL, skipped on SQLite, whose in-memory bench database another process cannot open):
  GET /api/v1/me/ (the trivial view), then the city's dashboard page and headline API cold
  (the cache emptied before each request) and warm, as ratios to the trivial view;
- in process: the SQL statements and SQL time of the city page's figures read from the
  rollups (dashboards.selectors) and computed from the source rows (dashboards.live), and at
  scale 10 their growth against scale 1 (the "per 10× data" figure);
- the time of the demo's one set-based rollup build.
"""

import os
import time

from bench.common import load_demo, report
from bench.server import Client, available, gunicorn, session_cookie

SCALES = (1, 10)
REPEAT = 5
_SQL: dict[str, dict[int, float]] = {}


def _sql_cost(fn) -> tuple[int, float, float]:
    """(statements, SQL seconds, wall seconds) of one call of fn."""
    from django.db import connection

    sent, spent = 0, 0.0

    def timer(execute, sql, params, many, context):
        nonlocal sent, spent
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sent += 1
            spent += time.perf_counter() - started

    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        fn()
    return sent, spent, time.perf_counter() - started


def _in_process(scale: int) -> None:
    from django.utils import timezone

    from dashboards import history, live, live_history, selectors
    from dashboards.periods import window_from
    from grids.models import GridNode, NodeKind

    city = GridNode.objects.get(kind=NodeKind.CITY)
    now = timezone.now()
    window = window_from({})

    def figures(module, hist):
        def run():
            module.headline(node=city, window=window, now=now)
            module.children(node=city, window=window, now=now)
            module.trends(node=city, now=now)
            hist.quality(node=city)
            hist.by_category(node=city)

        return run

    for label, fn in (("rollups", figures(selectors, history)), ("live", figures(live, live_history))):
        best = None
        for _ in range(3):
            cost = _sql_cost(fn)
            best = cost if best is None or cost[1] < best[1] else best
        sent, spent, wall = best
        _SQL.setdefault(label, {})[scale] = spent
        report(
            "dashboard",
            f"scale {scale}: city figures from {label}",
            f"{spent * 1000:.1f}",
            f"ms SQL ({sent} statements, {wall * 1000:.1f} ms wall)",
        )
        if scale != 1 and 1 in _SQL[label]:
            growth = spent / _SQL[label][1]
            report(
                "dashboard",
                f"scale {scale}: {label} SQL time / scale 1",
                f"{growth:.1f}",
                f"× per {scale}× data",
            )


def _on_gunicorn(scale: int) -> None:
    from django.core.cache import cache

    from grids.models import GridNode, NodeKind

    why = available() or ("" if os.environ.get("REDIS_URL") else "skipped (needs REDIS_URL)")
    if why:
        report("dashboard", f"scale {scale}: gunicorn figures", why)
        return
    city = GridNode.objects.get(kind=NodeKind.CITY)
    with gunicorn() as port:
        client = Client(port, session_cookie("assessor"))
        trivial = client.best("/api/v1/me/", REPEAT * 2)
        report("dashboard", f"scale {scale}: gunicorn GET /api/v1/me/", f"{trivial * 1000:.1f}", "ms")
        for kind, path in (("page", f"/dashboards/{city.pk}/"), ("API", f"/api/v1/dashboard/{city.pk}/")):
            try:
                client.get(path)
            except AssertionError as exc:  # e.g. a page whose static manifest is missing
                report("dashboard", f"scale {scale}: city {kind}", "failed", f"{exc}")
                continue
            cold = []
            for _ in range(REPEAT):
                cache.clear()
                cold.append(client.get(path))
            warm = client.best(path, REPEAT)  # each worker has answered it once first
            for state, seconds in (("cold", min(cold)), ("warm", warm)):
                report(
                    "dashboard",
                    f"scale {scale}: city {kind} {state} / trivial view",
                    f"{seconds / trivial:.1f}",
                    f"× ({seconds * 1000:.1f} ms)",
                )


def run(*, scale: int) -> None:
    from grids.access import SYSTEM
    from petitions.models import Petition
    from rollups.models import GridDay
    from rollups.services import rollup_rebuild

    started = time.perf_counter()
    load_demo(scale=scale)
    report("dashboard", f"scale {scale}: demo loaded", f"{time.perf_counter() - started:.1f}", "s")
    started = time.perf_counter()
    rollup_rebuild(actor=SYSTEM)
    report(
        "dashboard",
        f"scale {scale}: rollup rebuild (reconciliation, no drift)",
        f"{time.perf_counter() - started:.1f}",
        f"s ({Petition.objects.count():,} petitions, {GridDay.objects.count():,} rows)",
    )
    _in_process(scale)
    _on_gunicorn(scale)
