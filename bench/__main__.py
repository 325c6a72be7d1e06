"""`make bench`: run every benchmark module (or those named) and print their figures.

python -m bench                 # all
python -m bench grids --scale 3 # one, with a larger synthetic province
"""

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.common import bench_database, setup_django


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--scale", type=int, default=1, help="multiply the synthetic data sizes")
    args = parser.parse_args(argv)

    available = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    names = [f"bench_{n.removeprefix('bench_')}" for n in args.names] or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")

    setup_django()
    from django.db import connection

    print(f"hlgrid benchmarks on {connection.vendor} (scale {args.scale})")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n[{name.removeprefix('bench_')}] {module.__doc__.strip().splitlines()[0]}")
        # A module may ask to be run at several data scales, each on a fresh database.
        for factor in getattr(module, "SCALES", (1,)):
            with bench_database():
                module.run(scale=factor * args.scale)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
