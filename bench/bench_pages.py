"""The front door and the worker's pages on gunicorn, as ratios to the trivial view (issue 18).

Figures, at scale 1 and 10, each on a fresh database with the demo city loaded, on gunicorn
with DEBUG off (bench/server.py), one request at a time on one keep-alive connection (the
client takes none of the two workers' time while they answer):
- GET /api/v1/me/ signed in (the trivial view) in ms;
- the public intake (POST /api/v1/public/petitions/, a resident's report at a grid's centre),
  the demo worker's My day and a household page of theirs: their time in ms and the trivial
  view's time divided by theirs (the issue's target: 0.5× or more, that is, at most twice as
  slow as the trivial view), and the SQL statements each page sends (counted in process);
  My day and the household page twice: kept (their body from the cache, as on a reload) and
  computed (as after a change in the worker's territory: grids.versions bumped before each).
"""

import json
import random

from bench.common import count_queries, load_demo, report
from bench.server import Client, available, gunicorn, session_cookie

SCALES = (1, 10)
REPEAT = 15
REPORTS = 60  # public reports timed one after another


def _statements(path: str, username: str, *, kept: bool) -> int:
    """The statements of a page in this process: kept (its body from the cache) or computed."""
    from django.test import Client as DjangoClient

    from grids import versions
    from hlgrid.models import User

    client = DjangoClient()
    client.force_login(User.objects.get(username=username))
    client.get(path)  # per-process caches warmed, as on the server's second answer
    if not kept:
        versions.all_changed()
    return count_queries(lambda: client.get(path))


def _computed(client: Client, path: str) -> float:
    from grids import versions

    versions.all_changed()
    return client.get(path)


def run(*, scale: int) -> None:
    why = available()
    if why:
        report("pages", f"scale {scale}: gunicorn figures", why)
        return
    from django.conf import settings

    from grids.models import GridNode, NodeKind
    from hlgrid.models import User
    from residents.selectors import household_list

    load_demo(scale=scale)
    worker = User.objects.get(username="worker")
    household = household_list(user=worker).order_by("pk").first()
    pages = [("My day", "/residents/"), ("household page", f"/residents/households/{household.pk}/")]
    points = list(GridNode.objects.filter(kind=NodeKind.GRID).values_list("centroid_lat", "centroid_lng"))
    statements = {label: _statements(path, "worker", kept=False) for label, path in pages}
    kept = {label: _statements(path, "worker", kept=True) for label, path in pages}
    cookie = session_cookie("worker")
    # Measure intake, not the residents' rate limit.
    with gunicorn(env={"PUBLIC_THROTTLE_RATE": "1000000/second"}) as port:
        client = Client(port, cookie)
        trivial = client.best("/api/v1/me/", REPEAT * 2)
        report("pages", f"scale {scale}: GET /api/v1/me/ (trivial view)", f"{trivial * 1000:.1f}", "ms")
        for label, path in pages:
            seconds = client.best(path, REPEAT)
            report(
                "pages",
                f"scale {scale}: {label}, kept (trivial / page)",
                f"{trivial / seconds:.2f}",
                f"× ({seconds * 1000:.1f} ms, {kept[label]} SQL statements)",
            )
            # Computed: as after a change in the worker's territory (every city's version bumped
            # in the cache the server shares, before each request).
            seconds = min(_computed(client, path) for _ in range(REPEAT))
            report(
                "pages",
                f"scale {scale}: {label}, computed (trivial / page)",
                f"{trivial / seconds:.2f}",
                f"× ({seconds * 1000:.1f} ms, {statements[label]} SQL statements)",
            )
        public = Client(port)  # a resident: no session
        rng = random.Random(7)
        timings, statuses = [], {}
        for _ in range(REPORTS):
            lat, lng = rng.choice(points)
            body = json.dumps({"description": "楼下垃圾桶满了没人清运", "latitude": lat, "longitude": lng})
            seconds, status, _data = public.request(
                "POST",
                "/api/v1/public/petitions/",
                body.encode(),
                {"Content-Type": "application/json", "Accept-Language": settings.LANGUAGE_CODE},
            )
            statuses[status] = statuses.get(status, 0) + 1
            timings.append(seconds)
        timings.sort()
        median = timings[len(timings) // 2]
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
        report(
            "pages",
            f"scale {scale}: public intake (trivial / report, median of {REPORTS})",
            f"{trivial / median:.2f}",
            f"× ({median * 1000:.1f} ms; answers {answers})",
        )
        # The pages' figures are the best of their requests: the intake's best, alike.
        report(
            "pages",
            f"scale {scale}: public intake (trivial / report, best of {REPORTS})",
            f"{trivial / timings[0]:.2f}",
            f"× ({timings[0] * 1000:.1f} ms)",
        )
