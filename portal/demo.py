"""The order in which the apps add their parts to the Helong demo city.

Each app that contributes has a `demo` module with `load(ctx)` (ctx: hlgrid.demo.DemoContext);
later parts read what earlier parts put on the context, so the order follows the floors.
"""

from importlib import import_module

from django.apps import apps

from grids.demo import CITY_CODE
from grids.models import GridNode

PARTS = ["grids", "residents", "party", "petitions", "deliberation", "mediation", "evaluation"]


def demo_modules():
    for label in PARTS:
        if apps.is_installed(label):
            try:
                yield label, import_module(f"{label}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{label}.demo":
                    raise


def is_loaded() -> bool:
    return GridNode.objects.filter(code=CITY_CODE).exists()
