import time

from django.core.management.base import BaseCommand
from django.db import transaction

from grids import versions
from hlgrid.demo import DEMO_PASSWORD
from portal import second_city


class Command(BaseCommand):
    help = "Load a second, small demo city (图们市) beside Helong: its own configuration and staff."

    def handle(self, *args, **options):
        if second_city.is_loaded():
            self.stdout.write("The second demo city is already loaded; nothing to do.")
        else:
            started = time.monotonic()
            with transaction.atomic():
                made = second_city.load()
            versions.all_changed()  # as load_helong_demo: nothing kept under reused ids
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {made['city'].name}: {len(made['grids'])} grids, "
                    f"{len(made['departments'])} departments, {len(made['petitions'])} reports, "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
        self.stdout.write(f"Its accounts (password: {DEMO_PASSWORD}):")
        for username, role in second_city.ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role}")
