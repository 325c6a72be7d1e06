"""The in-app inbox: rows written in the caller's transaction, e-mails sent after commit."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grids import access
from hlgrid.errors import NotFound
from hlgrid.ids import in_range
from hlgrid.tasks import enqueue
from petitions.models import Notification, Petition, Whistle
from petitions.services.common import require_actor

EMAIL_TASK = "petitions.tasks.notifications_email"


def emails_enabled() -> bool:
    return "console" not in settings.EMAIL_BACKEND and "dummy" not in settings.EMAIL_BACKEND


def notify(
    *,
    recipients: Iterable[int],
    kind: str,
    petition: Petition | None = None,
    whistle: Whistle | None = None,
    text: str = "",
    dedupe: str | None = None,
    now: datetime | None = None,
) -> int:
    """Inbox rows for user ids (one bulk insert); with `dedupe` a repeat adds nothing.

    A building block of the use cases (which have checked their actor), not one itself.
    """
    now = now or timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            petition=petition,
            whistle=whistle,
            text=text[:300],
            dedupe_key=f"{dedupe}:{user_id}"[:120] if dedupe else None,
            created_at=now,
        )
        for user_id in sorted(set(recipients))
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if emails_enabled():
        enqueue(EMAIL_TASK)
    return len(rows)


def notifications_send_email(*, actor, limit: int = 500) -> int:
    """E-mail unsent notifications to recipients with an address; idempotent (marks emailed_at).

    Work of the scheduled task: only SYSTEM (or a superuser) sends everyone's mail.
    """
    from django.core.mail import send_mass_mail

    require_actor(actor)
    if not (access.is_system(actor) or actor.is_superuser):
        raise NotFound()
    if not emails_enabled():
        return 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .exclude(recipient__email="")
            .select_related("recipient", "petition")
            .order_by("id")[:limit]
        )
        if not pending:
            return 0
        messages = [
            (
                f"[hlgrid] {n.get_kind_display()} {n.petition.tracking_code if n.petition else ''}".strip(),
                n.text or n.get_kind_display(),
                settings.DEFAULT_FROM_EMAIL,
                [n.recipient.email],
            )
            for n in pending
        ]
        send_mass_mail(messages, fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


def notification_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them, or those of `ids`)."""
    require_actor(actor)
    queryset = Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        # an id no row can have matches nothing (the database would refuse it: 500)
        queryset = queryset.filter(pk__in=[i for i in ids if in_range(i)])
    return queryset.update(read_at=timezone.now())
