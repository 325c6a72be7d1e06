import json

from django.core.management.base import BaseCommand

from hlgrid.sweeps import run_sweep


class Command(BaseCommand):
    help = "Run the timer sweep once (Celery beat runs it every minute)."

    def handle(self, *args, **options):
        result = run_sweep()
        self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))
