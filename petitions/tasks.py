"""Celery tasks: thin wrappers over services, idempotent, enqueued after commit."""

from celery import shared_task


@shared_task(name="petitions.tasks.notifications_email", ignore_result=True)
def notifications_email() -> int:
    from petitions.services import notifications_send_email

    return notifications_send_email()
