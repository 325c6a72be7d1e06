"""The light sweep at province size: quiet and mass-expiry sweeps over 100,000 (and 1,000,000) open petitions.

Figures, for each size: the wall time, batches and queries of a quiet sweep (a handful of
lights change) and of a mass expiry (every light turns red: Overdue rows and notices for
all), and the share of the light updates PostgreSQL made as HOT updates
(pg_stat_user_tables.n_tup_hot_upd / n_tup_upd: no index holds the light). The quick
default is 100,000 open petitions; HLGRID_BENCH_BIG=1 adds 1,000,000. On PostgreSQL the
rows are written by one INSERT ... SELECT generate_series; elsewhere by bulk_create.
"""

import os
import time
from datetime import timedelta

from bench.common import count_queries, load_demo, report


def sizes() -> list[int]:
    return [100_000, 1_000_000] if os.environ.get("HLGRID_BENCH_BIG") else [100_000]


def _insert(count: int, now) -> None:
    """`count` open petitions in the handling step, deadlines spread over the next 4 days."""
    from django.db import connection

    from grids.models import GridNode, NodeKind, Post, PostKind
    from petitions.models import Light, Petition, Status, Step

    grid = GridNode.objects.filter(kind=NodeKind.GRID).order_by("pk").first()
    worker = Post.objects.filter(kind=PostKind.WORKER, node=grid).values_list("user_id", flat=True).first()
    template = Petition.objects.create(
        tracking_code="B-TEMPLATE",
        status=Status.HANDLING,
        source="HOTLINE",
        description="bench",
        grid=grid,
        assignee_id=worker,
        step=Step.HANDLE,
        step_started_at=now,
        due_at=now + timedelta(days=5),
        warn_at=now + timedelta(days=4),
        light=Light.GREEN,
        received_at=now,
    )
    if connection.vendor != "postgresql":
        rows = []
        for i in range(count):
            template.pk, template.tracking_code = None, f"B{i:09d}"
            template.due_at = now + timedelta(minutes=30 + (i % 5760))
            template.warn_at = template.due_at - timedelta(hours=18)
            template.light = Light.YELLOW if template.warn_at <= now else Light.GREEN
            rows.append(
                Petition(**{f.attname: getattr(template, f.attname) for f in Petition._meta.concrete_fields})
            )
        Petition.objects.bulk_create(rows, batch_size=5000)
        return
    overrides = {
        "id": None,
        "tracking_code": "'B' || lpad(g::text, 9, '0')",
        # Due between 30 minutes and 4 days from now: the warned ones are already yellow.
        "due_at": "%(now)s + (30 + g %% 5760) * interval '1 minute'",
        "warn_at": "%(now)s + (30 + g %% 5760) * interval '1 minute' - interval '18 hours'",
        "light": "CASE WHEN 30 + g %% 5760 <= 1080 THEN 'YELLOW' ELSE 'GREEN' END",
    }
    columns = [f.column for f in Petition._meta.concrete_fields if f.column != "id"]
    select = ", ".join(overrides.get(c) or f't."{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Petition._meta.db_table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
            f"SELECT {select} FROM {Petition._meta.db_table} t, generate_series(1, %(count)s) g "
            f"WHERE t.id = %(template)s",
            {"now": now, "count": count, "template": template.pk},
        )
        cursor.execute(f"ANALYZE {Petition._meta.db_table}")
    template.delete()


def _hot() -> tuple[int, int]:
    from django.db import connection

    from petitions.models import Petition

    if connection.vendor != "postgresql":
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = %s",
            [Petition._meta.db_table],
        )
        return cursor.fetchone()


def _sweep_at(label: str, now, count: int) -> None:
    from petitions.sweep import sweep

    upd, hot = _hot()
    counts: dict = {}
    started = time.perf_counter()
    queries = count_queries(lambda: counts.update(sweep(now=now)))
    seconds = time.perf_counter() - started
    upd2, hot2 = _hot()
    changed = counts["green"] + counts["yellow"] + counts["red"]
    report("sweep", f"{count:,} open, {label}: {changed:,} lights changed", f"{seconds:.2f}", "s")
    report(
        "sweep",
        "  batches / queries / overdue / notified",
        f"{counts['batches']} / {queries} / {counts['overdue']:,} / {counts['notified']:,}",
    )
    if upd2 - upd:
        report(
            "sweep",
            "  HOT updates of the petition rows",
            f"{(hot2 - hot) / (upd2 - upd):.0%}",
            f"({hot2 - hot:,} of {upd2 - upd:,})",
        )


def run(*, scale: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from petitions.models import Overdue, Petition

    load_demo()
    report("sweep", f"database: {connection.vendor} ({connection.settings_dict['NAME']})", "")
    # The bench's own rows come after the demo's (a demo tracking code may start with "B" too,
    # and some of those are held by supervision orders).
    last_demo = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for size in sizes():
        Petition.objects.filter(pk__gt=last_demo).delete()
        Overdue.objects.all().delete()
        count = size * scale
        now = timezone.now().replace(microsecond=0)
        started = time.perf_counter()
        _insert(count, now)
        report("sweep", f"{count:,} open petitions inserted", f"{time.perf_counter() - started:.1f}", "s")
        sweep_now = now + timedelta(minutes=1)
        from petitions.sweep import sweep

        sweep(now=sweep_now)  # the demo's own petitions settle first
        _sweep_at("quiet (one minute on)", sweep_now + timedelta(minutes=1), count)
        _sweep_at("mass expiry (5 days on)", now + timedelta(days=5), count)
