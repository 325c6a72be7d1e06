"""The mediation inbox: rows written in the caller's transaction, idempotent by `dedupe`."""

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from hlgrid.ids import in_range
from mediation.models import Case, Notice
from mediation.services.common import require_actor


def notices(
    *,
    recipients: Iterable[int],
    kind: str,
    text: str,
    dedupe: str,
    case: Case | None = None,
    grid_id: int | None = None,
    now: datetime | None = None,
) -> list[Notice]:
    """Unsaved inbox rows for user ids, to insert in one go with `send`."""
    now = now or timezone.now()
    return [
        Notice(
            recipient_id=user_id,
            kind=kind,
            case=case,
            grid_id=case.grid_id if case is not None else grid_id,
            text=text[:300],
            dedupe_key=f"{dedupe}:{user_id}"[:120],
            created_at=now,
        )
        for user_id in sorted(set(recipients))
    ]


def send(rows: list[Notice]) -> int:
    """One bulk insert; a repeat of a row's dedupe key adds nothing (the sweep may run twice)."""
    if rows:
        Notice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notify(**kwargs) -> int:
    """Inbox rows for user ids (one bulk insert); a repeat of the same `dedupe` adds nothing.

    A building block of the use cases (which have checked their actor), not one itself."""
    return send(notices(**kwargs))


def notice_mark_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notices read (all, or those of `ids`)."""
    require_actor(actor)
    queryset = Notice.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=[i for i in ids if isinstance(i, int) and in_range(i)])
    return queryset.update(read_at=timezone.now())
