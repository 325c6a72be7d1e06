import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from grids import versions
from hlgrid.demo import DEMO_PASSWORD, DemoContext
from portal.demo import demo_modules, is_loaded

ACCOUNTS = [
    ("admin", "superuser"),
    ("worker", "grid worker of 文化街道's first grid"),
    ("gridhead", "网格长 of that grid"),
    ("official", "official of 文化街道"),
    ("dept", "staff of 城管 (city management)"),
    ("assessor", "组织部 assessor, whole city"),
    ("volunteer", "a resident volunteer of the time bank (爱心时间银行)"),
    ("bldhead", "楼栋长 of a building in the worker's grid"),
    ("unithead", "单元长 of a unit of that building"),
    ("member", "在职党员 (in-service Party member) who reported to the worker's grid: 报到, 微心愿"),
    ("unitcontact", "联络员 of that member's unit: reads its members' records"),
    ("sw01", "全科社工 (all-round social worker): the duty rota and window services"),
]


class Command(BaseCommand):
    help = "Load the Helong demo city (deterministic; skipped when already loaded)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="multiply population and volumes")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")

    def handle(self, *args, scale: int, seed: int, verbosity: int, **options):
        if scale < 1:
            raise CommandError("--scale must be at least 1")
        if is_loaded():
            self.stdout.write("The Helong demo city is already loaded; nothing to do.")
        else:
            started = time.monotonic()
            ctx = DemoContext(seed=seed, scale=scale, stdout=self.stdout)
            with transaction.atomic():
                for label, module in demo_modules():
                    part_started = time.monotonic()
                    module.load(ctx)
                    if verbosity:
                        self.stdout.write(f"  {label}: {time.monotonic() - part_started:.1f} s")
            # The load wrote round the services (COPY): nothing kept from an earlier database
            # under the same ids may be served (grids.versions).
            versions.all_changed()
            self.stdout.write(
                self.style.SUCCESS(f"Loaded the Helong demo city in {time.monotonic() - started:.1f} s.")
            )
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, role in ACCOUNTS:
            self.stdout.write(f"  {username:<10} {role}")
