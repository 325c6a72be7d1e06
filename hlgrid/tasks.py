"""Celery tasks of the ground floor, and the one way every app enqueues a task."""

import logging

from celery import current_app, shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from hlgrid import outages
from hlgrid.sweeps import run_sweep

logger = logging.getLogger(__name__)
BROKER = "broker"


@shared_task(name="hlgrid.tasks.sweep_lights", ignore_result=True)
def sweep_lights() -> dict:
    return run_sweep()


def backoff_seconds(attempts: int, *, base: int, cap: int) -> int:
    """The wait after the `attempts`-th failed try of an outside call: base, 2·base, 4·base,
    ... up to the cap (the notifier's messages and the 12345 exchange's pushes)."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


def enqueue(name: str, *args, **kwargs) -> None:
    """Send the task registered as `name` after the current transaction commits.

    By name, so a service never imports its app's tasks module (which imports the
    services back). A broker that is down must never fail the request that asked: the
    failure is logged (once per interval, however many requests hit it), the broker is
    not asked again for a while (`hlgrid.outages`: kombu spends seconds on each attempt),
    and the periodic sweep catches the work up.
    """

    def send() -> None:
        if not outages.available(BROKER):
            return
        try:
            task = current_app.tasks.get(name)
            if task is not None:  # a registered task honours eager mode in tests
                task.apply_async(args=args, kwargs=kwargs, retry=False)
            else:
                current_app.send_task(name, args=args, kwargs=kwargs, retry=False)
        except (OperationalError, OSError) as exc:  # the broker is unreachable: an outage
            outages.report_failure(
                BROKER, exc, consequence="tasks are not sent; the sweep will catch them up"
            )
        except Exception:  # anything else is a bug to see in full, but still not the request's failure
            logger.warning("could not enqueue %s; it will be caught up", name, exc_info=True)
        else:
            outages.report_recovery(BROKER)

    transaction.on_commit(send)


@shared_task(name="hlgrid.tasks.delivery_send", ignore_result=True)
def delivery_send(delivery_id: int) -> str:
    """Send one queued message (SMS, WeChat Work) once; idempotent (hlgrid.notifier)."""
    from hlgrid.notifier.services import delivery_send as send

    return send(delivery_id=delivery_id)
