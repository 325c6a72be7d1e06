"""General social workers at the comprehensive service windows (全科社工): who they are, what
they are qualified for, where they are on duty (the rota, 轮岗) and what they serve.

Officials and administrators over a social worker's home grid take them on and change their
qualifications; heads, officials and administrators over a window (or a grid) plan duty
there; only the social worker on duty at the window records a service (party.policy).
"""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid.errors import Forbidden, InvalidInput
from party import policy
from party.models import DutyKind, DutyShift, ServiceItem, ServiceWindow, SocialWorker, WindowService
from residents.models import Resident


def _require_planner(actor, node: GridNode) -> None:
    policy.require_post(actor, node, policy.LEADING_KINDS, _("Only heads and officials over it plan duty."))


def socialworker_add(*, actor, user, grid: GridNode, items: Iterable[ServiceItem] = ()) -> SocialWorker:
    policy.require_setup(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
    try:
        with transaction.atomic():
            worker = SocialWorker.objects.create(user=user, grid=grid, created_by=access.recorded(actor))
            worker.items.set(list(items))
    except IntegrityError:
        raise InvalidInput.field("user", _("This user is already a social worker.")) from None
    return worker


def qualification_grant(*, actor, worker: SocialWorker, items: Iterable[ServiceItem]) -> SocialWorker:
    policy.require_setup(actor, worker.grid)
    worker.items.add(*list(items))
    return worker


def qualification_revoke(*, actor, worker: SocialWorker, items: Iterable[ServiceItem]) -> SocialWorker:
    policy.require_setup(actor, worker.grid)
    worker.items.remove(*list(items))
    return worker


def duty_shift_add(
    *,
    actor,
    worker: SocialWorker,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    window: ServiceWindow | None = None,
) -> DutyShift:
    """Put a worker on window duty or on duty in their grid; a worker is in one place at a time."""
    policy.require_actor(actor)
    if kind not in DutyKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if (kind == DutyKind.WINDOW) != (window is not None):
        raise InvalidInput.field("window", _("Window duty names a window, and only window duty does."))
    _require_planner(actor, window.node if window is not None else worker.grid)
    if ends_at <= starts_at:
        raise InvalidInput.field("ends_at", _("The end is before the start."))
    with transaction.atomic():
        worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
        if not worker.is_active:
            raise InvalidInput.field("worker", _("This social worker is not active."))
        if DutyShift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise InvalidInput.field("starts_at", _("The worker is already on duty at that time."))
        return DutyShift.objects.create(
            worker=worker,
            kind=kind,
            window=window,
            node_id=window.node_id if window is not None else worker.grid_id,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=access.recorded(actor),
        )


def duty_rota_generate(
    *,
    actor,
    start: datetime.date,
    days: int,
    per_window: int,
    windows: Iterable[ServiceWindow] | None = None,
    hours: tuple[datetime.time, datetime.time] = (datetime.time(8, 30), datetime.time(17, 0)),
) -> list[DutyShift]:
    """Rotate the active workers between window duty and grid duty (轮岗), working days only.

    Each day the next `per_window` workers in turn sit at each window and every other worker
    is on duty in their grid. Days that already have shifts are left alone. The actor plans
    duty at every window of the rota (a few windows: one query each).
    """
    policy.require_actor(actor)
    windows = list(windows if windows is not None else ServiceWindow.objects.order_by("code"))
    for window in windows:
        _require_planner(actor, window.node)
    workers = list(SocialWorker.objects.filter(is_active=True).order_by("pk"))
    if per_window < 1 or not windows or len(workers) < per_window * len(windows):
        raise InvalidInput.field("per_window", _("There are not enough social workers for the windows."))
    by = access.recorded(actor)
    shifts: list[DutyShift] = []
    turn = 0
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            begin = datetime.datetime.combine(day, hours[0], tzinfo=tz)
            end = datetime.datetime.combine(day, hours[1], tzinfo=tz)
            if DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=begin).exists():
                continue
            at_window = set()
            for window in windows:
                for _slot in range(per_window):
                    worker = workers[turn % len(workers)]
                    turn += 1
                    at_window.add(worker.pk)
                    shifts.append(
                        DutyShift(
                            worker=worker,
                            kind=DutyKind.WINDOW,
                            window=window,
                            node_id=window.node_id,
                            starts_at=begin,
                            ends_at=end,
                            created_by=by,
                        )
                    )
            for worker in workers:
                if worker.pk not in at_window:
                    shifts.append(
                        DutyShift(
                            worker=worker,
                            kind=DutyKind.GRID,
                            node_id=worker.grid_id,
                            starts_at=begin,
                            ends_at=end,
                            created_by=by,
                        )
                    )
        DutyShift.objects.bulk_create(shifts, batch_size=2_000)
    return shifts


def window_service_record(
    *,
    actor,
    window: ServiceWindow,
    item: ServiceItem,
    served_at: datetime.datetime | None = None,
    minutes: int,
    resident: Resident | None = None,
    notes: str = "",
) -> WindowService:
    """A social worker on duty at the window records an item served (一人在岗、事项通办).

    The actor is the worker who served: the evaluation counts the service like a visit."""
    policy.require_actor(actor)
    served_at = served_at or timezone.now()
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise InvalidInput.field("minutes", _("The time taken is between 1 and 600 minutes."))
    worker = SocialWorker.objects.filter(user_id=actor.pk, is_active=True).first() if actor.pk else None
    if worker is None:
        raise Forbidden(_("Only a social worker records window services."))
    if not worker.items.filter(pk=item.pk).exists():
        raise InvalidInput.field("item", _("You are not qualified for %(item)s.") % {"item": item.name})
    on_duty = DutyShift.objects.filter(
        worker=worker, kind=DutyKind.WINDOW, window=window, starts_at__lte=served_at, ends_at__gt=served_at
    ).exists()
    if not on_duty:
        raise InvalidInput.field(
            "window", _("You are not on duty at %(window)s at that time.") % {"window": window}
        )
    return WindowService.objects.create(
        window=window,
        node_id=window.node_id,
        item=item,
        worker=actor,
        resident=resident,
        served_at=served_at,
        minutes=minutes,
        notes=notes[:200],
    )
