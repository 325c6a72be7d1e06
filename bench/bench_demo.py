"""The demo load: wall time of `load_helong_demo` (and of each app's part) on a fresh database.

Figures: the seconds of the whole load at the bench's scale (`python -m bench demo --scale 10`
for ten times the population and volumes), each part's seconds as the command reports them,
and the number of petitions loaded. The target for a newcomer: under 30 s at scale 1.
"""

import io
import re
import time

from bench.common import report


def run(*, scale: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from petitions.models import Petition

    out = io.StringIO()
    started = time.perf_counter()
    call_command("load_helong_demo", scale=scale, verbosity=1, stdout=out)
    seconds = time.perf_counter() - started
    report("demo", f"load_helong_demo --scale {scale} on {connection.vendor}", f"{seconds:.1f}", "s")
    for label, part in re.findall(r"^  (\w+): ([\d.]+) s$", out.getvalue(), flags=re.MULTILINE):
        report("demo", f"  {label}", part, "s")
    report("demo", "petitions loaded", f"{Petition.objects.count():,}")
