"""Residents: demo load time and the query counts of the worker's pages at two data sizes.

Figures: seconds to load the residents part of the demo (686 buildings, 2,828 units,
~8,000 residents x scale with two encrypted fields each, key people, a year of visits) at
`--scale` and 3 x `--scale`, each on a fresh database, and the SQL queries of "My day", the
household page, the resident list and the API resident list for the demo `worker` at both
sizes (they must match).
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


# Run at the demo scale and at three times it, each on a fresh database (see bench/__main__.py).
SCALES = (1, 3)
_counts: dict[int, dict] = {}


def run(*, scale: int) -> None:
    from django.core.management import call_command

    from grids.models import GridNode

    if GridNode.objects.exists():  # SQLite's in-memory test database can outlive destroy_test_db
        call_command("flush", interactive=False, verbosity=0)
    _load(scale)
    counts = _queries(scale)
    if _counts:
        first_scale, first = next(iter(_counts.items()))
        same = first == counts
        report("queries", f"same counts at scale {first_scale} and {scale}", "yes" if same else "NO")
    _counts[scale] = counts
