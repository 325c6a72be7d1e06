"""Public intake throughput (gunicorn, 2 workers, loopback) and the light sweep over 100,000 open petitions.

Figures: residents' reports accepted per second through POST /api/v1/public/petitions/ on
gunicorn with DEBUG off (bench/server.py; needs PostgreSQL), from a bounded pool of client
threads with a fixed number of requests and a time limit, and their latency; then the sweep's
wall time and query count over 100,000 × scale open petitions (the database used is printed).
The client threads share the machine's cores with the server: bench_pages times one request
at a time instead, as a ratio to the trivial view.
"""

import http.client
import json
import random
import threading
import time
from datetime import timedelta

from bench.common import count_queries, load_demo, report
from bench.server import available, gunicorn

CLIENT_THREADS = 8
REQUESTS = 600
TIME_LIMIT = 60.0


def _intake(points: list[tuple[float, float]], *, scale: int) -> None:
    from django.db import connection

    why = available()
    if why:
        report("intake", "public intake through gunicorn", why)
        return
    where = f"PostgreSQL database {connection.settings_dict['NAME']}"
    # Measure intake, not the residents' rate limit.
    with gunicorn(env={"PUBLIC_THROTTLE_RATE": "1000000/second"}) as port:
        total = REQUESTS * scale
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        counter = iter(range(total))
        stop_at = time.monotonic() + TIME_LIMIT

        def client(seed: int) -> None:
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.monotonic() < stop_at:
                with lock:
                    if next(counter, None) is None:
                        break
                lat, lng = rng.choice(points)
                body = json.dumps(
                    {"description": "楼下垃圾桶满了没人清运", "latitude": lat, "longitude": lng}
                ).encode()
                started = time.perf_counter()
                conn.request("POST", "/api/v1/public/petitions/", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            conn.close()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENT_THREADS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    latencies.sort()
    accepted = statuses.get(201, 0)
    report("intake", f"server: gunicorn, 2 workers, on {where}", "")
    report("intake", f"requests sent ({CLIENT_THREADS} client threads, loopback)", f"{len(latencies):,}")
    report("intake", "answers", ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    report("intake", "public reports accepted per second", f"{accepted / wall:,.1f}", "req/s")
    if latencies:
        report("intake", "latency p50", f"{latencies[len(latencies) // 2] * 1000:,.0f}", "ms")
        report("intake", "latency p95", f"{latencies[int(len(latencies) * 0.95)] * 1000:,.0f}", "ms")


def _sweep(*, scale: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from grids.models import GridNode, NodeKind, Post, PostKind
    from petitions.models import Light, Overdue, Petition, Status, Step
    from petitions.sweep import sweep

    count = 100_000 * scale
    grids = list(GridNode.objects.filter(kind=NodeKind.GRID).values_list("pk", flat=True))
    workers = dict(Post.objects.filter(kind=PostKind.WORKER).values_list("node_id", "user_id"))
    rng = random.Random(11)
    now = timezone.now()
    rows = []
    for i in range(count):
        grid = rng.choice(grids)
        started = now - timedelta(hours=rng.uniform(0, 96))
        due = started + timedelta(hours=72)
        rows.append(
            Petition(
                tracking_code=f"B{i:09d}",
                status=Status.HANDLING,
                source="HOTLINE",
                description="bench",
                grid_id=grid,
                assignee_id=workers.get(grid),
                step=Step.HANDLE,
                step_started_at=started,
                due_at=due,
                warn_at=due - timedelta(hours=18),
                light=Light.GREEN,
                received_at=started,
            )
        )
    loaded = time.perf_counter()
    Petition.objects.bulk_create(rows, batch_size=5000)
    report("sweep", f"database: {connection.vendor} ({connection.settings_dict['NAME']})", "")
    report("sweep", "open petitions inserted", f"{count:,}", f"in {time.perf_counter() - loaded:.1f} s")
    started = time.perf_counter()
    counts = sweep(now=now)
    first = time.perf_counter() - started
    report("sweep", "first sweep (lights stored, Overdue rows, notifications)", f"{first:.2f}", "s")
    report("sweep", "  turned yellow / red", f"{counts['yellow']:,} / {counts['red']:,}")
    report("sweep", "  Overdue rows written", f"{Overdue.objects.count():,}")
    started = time.perf_counter()
    queries = count_queries(lambda: sweep(now=now))
    report("sweep", "second sweep (nothing changes)", f"{time.perf_counter() - started:.2f}", "s")
    report("sweep", "queries per sweep", queries)


def run(*, scale: int) -> None:
    from grids.models import GridNode, NodeKind

    load_demo()
    points = [
        (lat, lng)
        for lat, lng in GridNode.objects.filter(kind=NodeKind.GRID).values_list(
            "centroid_lat", "centroid_lng"
        )
    ]
    _intake(points, scale=scale)
    _sweep(scale=scale)
