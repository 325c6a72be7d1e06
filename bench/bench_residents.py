"""Residents: demo load time and the query counts of the worker's pages at two data sizes.

Figures: seconds to load the residents part of the demo (686 buildings, 2,828 units,
~8,000 residents × scale with two encrypted fields each, key people, a year of visits) at
`scale` and 3 × `scale`, and the SQL queries of "My day", the household page, the resident
list and the API resident list for the demo `worker` at both sizes (they must match).
"""

import io
import time

from bench.common import count_queries, report


def _load(scale: int) -> dict:
    from django.db import transaction

    from grids import demo as grids_demo
    from hlgrid.demo import DemoContext
    from residents import demo as residents_demo
    from residents.models import Household, KeyMembership, Resident, Visit

    ctx = DemoContext(seed=2026, scale=scale, stdout=io.StringIO())
    with transaction.atomic():
        grids_demo.load(ctx)
        started = time.perf_counter()
        residents_demo.load(ctx)
        seconds = time.perf_counter() - started
    report("demo", f"residents part at scale {scale}", f"{seconds:.1f}", "s")
    report(
        "demo",
        f"scale {scale}: households / residents / key people / visits",
        f"{Household.objects.count():,} / {Resident.objects.count():,} / "
        f"{KeyMembership.objects.count():,} / {Visit.objects.count():,}",
    )
    return {"seconds": seconds}


def _queries(scale: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from hlgrid.models import User
    from residents.models import KeyMembership

    worker = User.objects.get(username="worker")
    client = Client()
    client.force_login(worker)
    household = (
        KeyMembership.objects.filter(grid__posts__user=worker)
        .values_list("resident__household", flat=True)
        .first()
    )
    pages = {
        "My day": reverse("residents:my_day"),
        "household page": reverse("residents:household", args=[household]),
        "resident list": reverse("residents:resident_search"),
        "API resident list": "/api/v1/residents/",
    }
    counts = {}
    for label, url in pages.items():
        counts[label] = count_queries(lambda url=url: client.get(url))
        report("queries", f"{label} (worker) at scale {scale}", counts[label], "queries")
    return counts


def run(*, scale: int) -> None:
    from django.core.management import call_command

    results = []
    for size in (scale, 3 * scale):
        if results:
            call_command("flush", interactive=False, verbosity=0)
        _load(size)
        results.append(_queries(size))
    same = all(results[0][k] == results[1][k] for k in results[0])
    report("queries", "same counts at both sizes", "yes" if same else "NO")
