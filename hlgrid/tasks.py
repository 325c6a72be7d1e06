from celery import shared_task

from hlgrid.sweeps import run_sweep


@shared_task(name="hlgrid.tasks.sweep_lights", ignore_result=True)
def sweep_lights() -> dict:
    return run_sweep()
