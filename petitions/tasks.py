"""Celery tasks: thin wrappers over services, idempotent, enqueued by name after commit
(`hlgrid.tasks.enqueue("petitions.tasks.notifications_email")`), so services never import this."""

from celery import shared_task


@shared_task(name="petitions.tasks.notifications_email", ignore_result=True)
def notifications_email() -> int:
    from grids.access import SYSTEM
    from petitions.services import notifications_send_email

    return notifications_send_email(actor=SYSTEM)


@shared_task(name="petitions.tasks.red_lights_sms", ignore_result=True)
def red_lights_sms() -> int:
    """Each working-day morning (Celery beat): the workers' red lights of the day by SMS."""
    from grids.access import SYSTEM
    from petitions.services.outbound import red_lights_notify

    return red_lights_notify(actor=SYSTEM)
