"""Evaluation: time and SQL queries to compute a period for 269 workers and for 10,000 workers.

Figures: on the demo city (five years of petitions, visits and assessments), the seconds
and queries of one `period_compute` of the open quarter for its 269 grid workers; then
with synthetic workers added to the demo's grids until there are 10,000 x scale, the
same for a new period over the same dates. The query counts must match: every indicator
is one grouped aggregate whatever the number of workers.
"""

import time

from bench.common import count_queries, load_demo, report


def _compute(period, assessor) -> tuple[float, int, int]:
    from evaluation import services
    from evaluation.models import Assessment

    started = time.perf_counter()
    queries = count_queries(lambda: services.period_compute(actor=assessor, period=period))
    seconds = time.perf_counter() - started
    return seconds, queries, Assessment.objects.filter(period=period, is_current=True).count()


def _add_workers(total: int, running) -> None:
    import random
    from decimal import Decimal

    from django.utils import timezone

    from evaluation.models import Inspection, Method
    from grids.models import GridNode, NodeKind, Post, PostKind
    from hlgrid.models import User

    rng = random.Random(5)
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID).order_by("code"))
    have = Post.objects.filter(kind=PostKind.WORKER, is_active=True).count()
    since = (
        Post.objects.filter(kind=PostKind.WORKER)
        .order_by("created_at")
        .values_list("created_at", flat=True)[0]
    )
    password = User.objects.get(username="worker").password
    User.objects.bulk_create(
        [User(username=f"bench-w{i:05d}", name=f"测试{i}", password=password) for i in range(total - have)]
    )
    users = list(User.objects.filter(username__startswith="bench-w").order_by("id"))
    Post.objects.bulk_create(
        [Post(user=u, kind=PostKind.WORKER, node=grids[i % len(grids)]) for i, u in enumerate(users)]
    )
    Post.objects.filter(user__username__startswith="bench-w").update(created_at=since)
    assessor = User.objects.get(username="assessor")
    node_of = dict(Post.objects.filter(user__in=users).values_list("user_id", "node_id"))
    Inspection.objects.bulk_create(
        [
            Inspection(
                period=running, worker=u, grid_id=node_of[u.pk], method=rng.choice(Method.values),
                score=Decimal(rng.randint(60, 100)), inspector=assessor, inspected_at=timezone.now(),
            )
            for u in users[::3]
        ]
    )  # fmt: skip


def run(*, scale: int) -> None:
    from evaluation import selectors, services
    from evaluation.models import Inspection, Period, PeriodStatus
    from hlgrid.models import User

    load_demo()
    assessor = User.objects.get(username="assessor")
    running = Period.objects.get(status=PeriodStatus.OPEN)
    seconds, small_queries, n = _compute(running, assessor)
    report("compute", f"period_compute for {n:,} workers", f"{seconds:.2f}", "s")
    report("compute", f"queries for {n:,} workers", small_queries, "queries")

    target = 10_000 * scale
    _add_workers(target, running)
    # the same quarter again, under another name, now with `target` workers
    period = services.period_create(
        actor=assessor,
        name="bench",
        starts_on=running.starts_on,
        ends_on=running.ends_on,
        scheme=running.scheme,
    )
    period = services.period_open(actor=assessor, period=period)
    Inspection.objects.filter(period=running).update(period=period)
    seconds, large_queries, n = _compute(period, assessor)
    report("compute", f"period_compute for {n:,} workers", f"{seconds:.2f}", "s")
    report("compute", f"queries for {n:,} workers", large_queries, "queries")
    preview_started = time.perf_counter()
    selectors.period_preview(user=assessor, period=period)
    report(
        "compute", f"publish preview for {n:,} workers", f"{time.perf_counter() - preview_started:.2f}", "s"
    )
    started = time.perf_counter()
    queries = count_queries(lambda: services.period_publish(actor=assessor, period=period))
    report("publish", f"period_publish for {n:,} workers", f"{time.perf_counter() - started:.2f}", "s")
    report("publish", f"queries for {n:,} workers", queries, "queries")
