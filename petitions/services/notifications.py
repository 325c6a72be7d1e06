"""The in-app inbox: rows written in the caller's transaction, e-mails sent after commit."""

import functools
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
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


def notify_posts_at(
    *,
    node_id: int,
    kinds: Iterable[str],
    kind: str,
    petition: Petition,
    text: str,
    dedupe: str,
    now: datetime,
) -> int:
    """`notify()` for the holders of active posts of `kinds` at one node, in one statement
    (INSERT ... SELECT, the same rows and dedupe keys as notify() gives them): the intake's
    "new petition" to the grid's workers does not read the posts first."""
    sql, inner_params, node_at = _holders_insert(tuple(kinds))
    inner_params = list(inner_params)
    inner_params[node_at] = node_id
    params = [kind, petition.pk, text[:300], f"{dedupe}:", connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        inserted = cursor.rowcount
    if inserted and emails_enabled():
        enqueue(EMAIL_TASK)
    return inserted


_NODE = -7  # a node id no row has: where the node goes among the compiled query's parameters


@functools.lru_cache(maxsize=16)
def _holders_insert(kinds: tuple[str, ...]) -> tuple[str, tuple, int]:
    """notify_posts_at's statement, compiled once per process and kinds (the ORM compiles the
    holders' query: grids.access.posts_at), with the index of the node among its parameters."""
    holders = access.posts_at(_NODE, kinds=kinds).order_by().values("user_id").distinct()
    inner, inner_params = holders.query.sql_with_params()
    q = connection.ops.quote_name
    names = ("recipient_id", "kind", "petition_id", "text", "dedupe_key", "created_at")
    columns = ", ".join(q(c) for c in names)
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT ... SELECT
    sql = (
        f"INSERT INTO {q(Notification._meta.db_table)} ({columns}) "
        f"SELECT h.user_id, %s, %s, %s, SUBSTR(%s || h.user_id, 1, 120), %s FROM ({inner}) h "
        "WHERE 1 = 1 ORDER BY h.user_id ON CONFLICT DO NOTHING"
    )
    return sql, tuple(inner_params), list(inner_params).index(_NODE)


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
