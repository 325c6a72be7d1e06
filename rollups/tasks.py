"""The nightly reconciliation (Celery beat: `rollups-reconcile` in settings)."""

from celery import shared_task

from grids.access import SYSTEM
from rollups.services import rollup_rebuild


@shared_task(name="rollups.tasks.reconcile", ignore_result=True)
def reconcile() -> dict:
    return rollup_rebuild(actor=SYSTEM)
