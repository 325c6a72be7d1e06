"""Open311 GeoReport v2 answers on the demo city: GET requests (JSON and XML) and services.

Figures: the wall time and SQL query count of `GET /open311/v2/requests.{json,xml}` over the
widest window the standard allows (90 days, at most 1000 requests) with every source
published, and of `services.json`; the number of requests in the answer.
"""

from bench.common import count_queries, load_demo, report, timed


def run(*, scale: int) -> None:
    from django.test import Client, override_settings

    from petitions.models import Source

    load_demo(scale)
    client = Client()
    with override_settings(
        OPEN311_PUBLIC_SOURCES=list(Source.values),
    ):
        from open311.api import Open311Throttle

        Open311Throttle.rate = "1000000/second"  # measure the answer, not the rate limit
        for fmt in ("json", "xml"):
            seconds, answer = timed(lambda fmt=fmt: client.get(f"/open311/v2/requests.{fmt}"), repeat=3)
            queries = count_queries(lambda fmt=fmt: client.get(f"/open311/v2/requests.{fmt}"))
            report("open311", f"GET requests.{fmt} (90 days, at most 1000)", f"{seconds * 1000:.0f}", "ms")
            report("open311", f"GET requests.{fmt} queries", queries)
            if fmt == "json":
                report("open311", "requests in the answer", len(answer.json()))
        seconds, answer = timed(lambda: client.get("/open311/v2/services.json"), repeat=3)
        report("open311", f"GET services.json ({len(answer.json())} services)", f"{seconds * 1000:.0f}", "ms")
