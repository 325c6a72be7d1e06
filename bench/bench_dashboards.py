"""Dashboard response time at the demo scale and at --scale 10, against a trivial view.

Figures: for the city and for one grid, the dashboard page and its JSON headline
(cache cleared before each request, so every figure is computed), their SQL query
counts, and the ratio to a trivial authenticated view (/api/v1/me/) timed in the
same run. Set DATABASE_URL to a PostgreSQL server for the production-like figure.
"""

import time

from bench.common import count_queries, load_demo, report

SCALES = (1, 10)  # the demo scale and --scale 10, each on a fresh database


def _timed_get(client, url: str, repeat: int = 5) -> float:
    from django.core.cache import cache

    best = float("inf")
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return best


def _measure(label: str) -> None:
    from django.core.cache import cache
    from django.test import Client

    from grids.models import GridNode, NodeKind
    from hlgrid.models import User

    client = Client()
    client.force_login(User.objects.get(username="assessor"))
    city = GridNode.objects.get(kind=NodeKind.CITY)
    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("code").first()
    trivial = _timed_get(client, "/api/v1/me/")
    report("dashboard", f"{label}: trivial authenticated view /api/v1/me/", f"{trivial * 1000:.1f}", "ms")
    for name, node in (("city", city), ("grid", grid)):
        for kind, url in (("page", f"/dashboards/{node.pk}/"), ("API", f"/api/v1/dashboard/{node.pk}/")):
            seconds = _timed_get(client, url)
            cache.clear()
            queries = count_queries(lambda url=url: client.get(url))
            report("dashboard", f"{label}: {name} {kind}", f"{seconds * 1000:.1f}", f"ms ({queries} queries)")
            report("dashboard", f"{label}: {name} {kind} / trivial view", f"{seconds / trivial:.1f}", "×")
        for page in ("history", "hotspots", "targeted"):
            url = f"/dashboards/{node.pk}/{page}/"
            seconds = _timed_get(client, url)
            queries = count_queries(lambda url=url: client.get(url))
            figure = f"{seconds * 1000:.1f}"
            report("dashboard", f"{label}: {name} {page} page", figure, f"ms ({queries} queries)")


def run(*, scale: int) -> None:
    from django.db import connection

    from petitions.models import Petition
    from residents.models import Household

    started = time.perf_counter()
    load_demo(scale=scale)
    report(
        "dashboard",
        f"demo at scale {scale} loaded on {connection.vendor}",
        f"{time.perf_counter() - started:.1f}",
        "s",
    )
    report(
        "dashboard",
        "rows: petitions / households",
        f"{Petition.objects.count():,} / {Household.objects.count():,}",
    )
    _measure(f"scale {scale}")
