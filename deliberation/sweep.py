"""The resolutions' light sweep, registered with hlgrid.sweeps (Celery beat, every minute).

A fixed number of statements however many resolutions are open: each light change is a
compare-and-swap UPDATE (`... WHERE light <> 'RED'`), so two sweeps at once never both
claim a row; the rows a sweep changed are recognised by its own `now` in light_changed_at.
The owners (and, for red, the head of the resolution's node) get one notice per deadline
(a unique key: a repeated sweep writes nothing twice). Votes whose window ended are closed.
"""

from datetime import datetime

from django.db import transaction

from deliberation.models import Notice, NoticeKind, Resolution, ResolutionStatus
from deliberation.services.votes import votes_close_due
from grids.models import Post, PostKind
from hlgrid.lights import Light


def sweep(*, now: datetime) -> dict:
    open_rows = Resolution.objects.filter(status=ResolutionStatus.OPEN)
    counts: dict[str, int] = {}
    with transaction.atomic():
        # Corrections first: a deadline moved later lowers the light.
        counts["green"] = (
            open_rows.filter(warn_at__gt=now)
            .exclude(light=Light.GREEN)
            .update(light=Light.GREEN, light_changed_at=now)
        )
        counts["yellow"] = (
            open_rows.filter(warn_at__lte=now, due_at__gt=now)
            .exclude(light=Light.YELLOW)
            .update(light=Light.YELLOW, light_changed_at=now)
        )
        counts["red"] = (
            open_rows.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        notices: list[Notice] = []
        if counts["yellow"] or counts["red"]:
            changed = list(
                open_rows.filter(light_changed_at=now, light__in=[Light.YELLOW, Light.RED]).values_list(
                    "pk", "owner_id", "node_id", "light", "due_at"
                )
            )
            red_nodes = {node_id for _pk, _owner, node_id, light, _due in changed if light == Light.RED}
            heads: dict[int, list[int]] = {}
            for node_id, user_id in Post.objects.filter(
                node_id__in=red_nodes, kind=PostKind.HEAD, is_active=True
            ).values_list("node_id", "user_id"):
                heads.setdefault(node_id, []).append(user_id)
            for pk, owner_id, node_id, light, due_at in changed:
                kind = NoticeKind.RED if light == Light.RED else NoticeKind.YELLOW
                recipients = {owner_id, *(heads.get(node_id, []) if light == Light.RED else [])}
                notices += [
                    Notice(recipient_id=user_id, resolution_id=pk, kind=kind, due_at=due_at, created_at=now)
                    for user_id in sorted(recipients)
                ]
            Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=1000)
        counts["notified"] = len(notices)
    counts["votes_closed"] = votes_close_due(now=now)
    return counts
