"""Celery beat's bulletins (hlgrid.settings CELERY_BEAT_SCHEDULE): thin over the service."""

from celery import shared_task

from bulletins import services
from grids.access import SYSTEM


@shared_task(name="bulletins.tasks.bulletins_generate", ignore_result=True)
def bulletins_generate(kind: str) -> int:
    """The last finished week's or month's bulletins of the city and every street (idempotent)."""
    return len(services.bulletins_generate_due(actor=SYSTEM, kind=kind))
