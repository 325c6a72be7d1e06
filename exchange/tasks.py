"""Celery tasks: thin wrappers over the services, enqueued by name after commit
(`hlgrid.tasks.enqueue("exchange.deliver", delivery_id)`)."""

from celery import shared_task


@shared_task(name="exchange.deliver", bind=True, ignore_result=True, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery; after a failure, again after its backoff (the row keeps the count)."""
    from exchange.services import delivery_attempt
    from grids.access import SYSTEM

    attempt = delivery_attempt(actor=SYSTEM, delivery_id=delivery_id)
    if attempt.outcome == "retry" and not self.request.is_eager:
        raise self.retry(countdown=attempt.countdown)
    return attempt.outcome
