"""Public intake throughput (gunicorn, 2 workers, loopback) and the light sweep over 100,000 open petitions.

Figures: residents' reports accepted per second through POST /api/v1/public/petitions/
(a bounded pool of client threads, a fixed number of requests and a time limit, loopback
only), their latency, and the sweep's wall time and query count over 100,000 × scale open
petitions (on PostgreSQL when DATABASE_URL points at one; the database used is printed).
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from bench.common import count_queries, load_demo, report

ROOT = Path(__file__).resolve().parents[1]
CLIENT_THREADS = 8
REQUESTS = 600
TIME_LIMIT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(tmp: str) -> tuple[dict, str]:
    """Environment for gunicorn on the bench database (a migrated file for SQLite)."""
    from django.db import connection

    env = {
        **os.environ,
        "DEBUG": "1",
        "PUBLIC_THROTTLE_RATE": "1000000/second",  # measure intake, not the rate limit
        "HLGRID_VAR_DIR": tmp,
        "LOG_LEVEL": "WARNING",
    }
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        return env, f"PostgreSQL database {db['NAME']}"
    # An in-memory SQLite test database cannot be shared with other processes: a file instead.
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "--noinput", "-v0"], ["load_helong_demo", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    return env, f"SQLite file {tmp}/hlgrid.sqlite3"


def _wait_ready(port: int, process, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/petition-categories/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _intake(points: list[tuple[float, float]], *, scale: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env, where = _server_env(tmp)
        port = _free_port()
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "hlgrid.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(port, process, time.monotonic() + 60)
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
                    conn.request(
                        "POST", "/api/v1/public/petitions/", body, {"Content-Type": "application/json"}
                    )
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
        finally:
            process.terminate()
            process.wait(20)
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
