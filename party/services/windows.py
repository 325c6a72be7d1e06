"""General social workers at the comprehensive service windows (全科社工): who they are, what
they are qualified for, where they are on duty (the rota, 轮岗) and what they serve.

Officials and administrators over a social worker's home grid take them on and change their
qualifications; heads, officials and administrators over a window (or a grid) plan duty
there; only the social worker on duty at the window records a service (party.policy).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import GridNode, NodeKind
from hlgrid import inputs, passwords, workdays
from hlgrid.errors import Forbidden, InvalidInput
from party import policy
from party.models import (
    DutyKind,
    DutyShift,
    ServiceItem,
    ServiceOutcome,
    ServiceWindow,
    SocialWorker,
    WindowService,
)
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


@dataclass(frozen=True)
class NewSocialWorker:
    worker: SocialWorker
    username: str
    password: str  # shown once, to be changed at the first login


def _check_grid(grid: GridNode) -> None:
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})


def socialworker_create(
    *,
    actor,
    username: str,
    name: str,
    grid: GridNode,
    phone: str = "",
    items: Iterable[ServiceItem] = (),
) -> NewSocialWorker:
    """Take on a new social worker with a login of their own (a one-time password, changed at
    the first login), based in a grid, qualified for `items`."""
    policy.require_setup(actor, grid)
    _check_grid(grid)
    username = inputs.required("username", username).strip()
    if len(username) > 150:
        raise InvalidInput.field("username", _("At most 150 characters."))
    name = inputs.required("name", name).strip()[:64]
    phone = inputs.phone(phone, field="phone")
    User = get_user_model()
    password = passwords.generate()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput.field("username", _("This user name is taken."))
        user = User(username=username, name=name, phone=phone)
        passwords.set_by_someone_else(user, password)
        user.save()
        worker = SocialWorker.objects.create(user=user, grid=grid, created_by=access.recorded(actor))
        worker.items.set(list(items))
    return NewSocialWorker(worker=worker, username=username, password=password)


def socialworker_update(
    *, actor, worker: SocialWorker, grid: GridNode | None = None, items: Iterable[ServiceItem] | None = None
) -> SocialWorker:
    """Move a social worker to another home grid and/or set what they are qualified for; the
    actor sets up both the old grid and the new one."""
    policy.require_setup(actor, worker.grid)
    with transaction.atomic():
        worker = SocialWorker.objects.select_for_update().select_related("grid").get(pk=worker.pk)
        if grid is not None and grid.pk != worker.grid_id:
            policy.require_setup(actor, grid)
            _check_grid(grid)
            worker.grid = grid
            worker.save(update_fields=["grid"])
            # grid duty not begun follows the worker to the new grid
            DutyShift.objects.filter(worker=worker, kind=DutyKind.GRID, starts_at__gt=timezone.now()).update(
                node=grid
            )
        if items is not None:
            worker.items.set(list(items))
    return worker


def socialworker_end(*, actor, worker: SocialWorker, now: datetime.datetime | None = None) -> SocialWorker:
    """A social worker leaves: inactive from now, their shifts not begun taken off the rota,
    their login closed. What they did stays on record."""
    policy.require_setup(actor, worker.grid)
    now = now or timezone.now()
    with transaction.atomic():
        worker = SocialWorker.objects.select_for_update().select_related("user").get(pk=worker.pk)
        if not worker.is_active:
            return worker
        worker.is_active = False
        worker.save(update_fields=["is_active"])
        DutyShift.objects.filter(worker=worker, starts_at__gt=now).delete()
        worker.user.is_active = False
        worker.user.save(update_fields=["is_active"])
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
    workers: Iterable[SocialWorker] | None = None,
    hours: tuple[datetime.time, datetime.time] = (datetime.time(8, 30), datetime.time(17, 0)),
) -> list[DutyShift]:
    """Rotate the active workers between window duty and grid duty (轮岗), working days only.

    Each working day (hlgrid.workdays) the `per_window` workers per window who sat at a window
    least so far (the 30 days before, then the days generated) sit there and every other
    worker is on duty in their grid, so window days spread evenly (±1). A worker already on
    the rota that day is left alone: nobody is booked twice. The actor plans duty at every
    window of the rota (a few windows: one query each). `workers` (default: every active one)
    are the social workers on the rota; a page passes those the planner sees, and the planner
    must plan grid duty in each one's home grid (one query per home grid).
    """
    policy.require_actor(actor)
    windows = list(windows if windows is not None else ServiceWindow.objects.order_by("code"))
    for window in windows:
        _require_planner(actor, window.node)
    # A rota is of one city's windows: its days are the working days of that city's calendar.
    city_ids = {cities.city_id_of(window.node) for window in windows}
    if len(city_ids) > 1:
        raise InvalidInput.field("windows", _("A rota is planned for the windows of one city."))
    city = next(iter(city_ids), None)
    pool = SocialWorker.objects.filter(is_active=True)
    if workers is not None:
        pool = pool.filter(pk__in=[w.pk for w in workers])
    workers = list(pool.select_related("grid").defer("grid__boundary").order_by("pk"))
    if not access.is_system(actor):
        for grid in {w.grid_id: w.grid for w in workers}.values():
            _require_planner(actor, grid)
    if hours[1] <= hours[0]:
        raise InvalidInput.field("hours", _("The end is before the start."))
    if not 1 <= days <= 92:
        raise InvalidInput.field("days", _("A rota is planned for up to three months at a time."))
    if per_window < 1 or not windows or len(workers) < per_window * len(windows):
        raise InvalidInput.field("per_window", _("There are not enough social workers for the windows."))
    by = access.recorded(actor)
    shifts: list[DutyShift] = []
    tz = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    last = first + datetime.timedelta(days=days)
    with transaction.atomic():
        # the workers' rows are the lock: no two planners book the same worker at once
        list(SocialWorker.objects.select_for_update().filter(pk__in=[w.pk for w in workers]))
        # fairness: who sat at a window least in the 30 days before goes first
        since = first - datetime.timedelta(days=30)
        window_days = dict(
            DutyShift.objects.filter(kind=DutyKind.WINDOW, starts_at__gte=since, starts_at__lt=first)
            .values_list("worker_id")
            .annotate(n=Count("id"))
            .values_list("worker_id", "n")
        )
        booked = {
            (worker_id, timezone.localtime(begin).date())
            for worker_id, begin in DutyShift.objects.filter(
                starts_at__lt=last, ends_at__gt=first
            ).values_list("worker_id", "starts_at")
        }
        order = {w.pk: i for i, w in enumerate(workers)}
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            if not workdays.is_working_day(day, city=city):
                continue
            begin = datetime.datetime.combine(day, hours[0], tzinfo=tz)
            end = datetime.datetime.combine(day, hours[1], tzinfo=tz)
            free = [w for w in workers if (w.pk, day) not in booked]
            if len(free) < per_window * len(windows):
                continue
            free.sort(key=lambda w: (window_days.get(w.pk, 0), (order[w.pk] - offset) % len(workers)))
            chosen = free[: per_window * len(windows)]
            for index, worker in enumerate(chosen):
                window = windows[index // per_window]
                window_days[worker.pk] = window_days.get(worker.pk, 0) + 1
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
            for worker in free[per_window * len(windows) :]:
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


def duty_shift_swap(*, actor, shift: DutyShift, other: DutyShift) -> tuple[DutyShift, DutyShift]:
    """Swap the workers of two shifts at the same time (a window shift with a grid shift: the
    rotation between window and grid). Grid duty follows its worker to their home grid."""
    policy.require_actor(actor)
    if shift.pk == other.pk:
        raise InvalidInput.field("other", _("Choose another shift."))
    with transaction.atomic():
        first, second = sorted([shift, other], key=lambda s: s.pk)
        first, second = (
            DutyShift.objects.select_for_update(of=("self",))
            .select_related("worker", "window__node", "node")
            .get(pk=s.pk)
            for s in (first, second)
        )
        for s in (first, second):
            _require_planner(actor, s.node)
        if (first.starts_at, first.ends_at) != (second.starts_at, second.ends_at):
            raise InvalidInput.field("other", _("Only shifts at the same time are swapped."))
        if first.worker_id == second.worker_id:
            raise InvalidInput.field("other", _("Both shifts are the same worker's."))
        a, b = first.worker, second.worker
        for s, worker in ((first, b), (second, a)):
            s.worker = worker
            if s.kind == DutyKind.GRID:
                s.node_id = worker.grid_id
            _require_planner(actor, s.window.node if s.window_id else worker.grid)
            s.save(update_fields=["worker", "node"])
    return (first, second) if first.pk == shift.pk else (second, first)


def duty_shift_remove(*, actor, shift: DutyShift) -> None:
    """Take a shift off the rota (a worker on leave); not once it has begun."""
    policy.require_actor(actor)
    _require_planner(actor, shift.node)
    if shift.starts_at <= timezone.now():
        raise InvalidInput.field("shift", _("A shift that has begun stays on the rota."))
    shift.delete()


def window_service_record(
    *,
    actor,
    window: ServiceWindow,
    item: ServiceItem,
    served_at: datetime.datetime | None = None,
    minutes: int,
    resident: Resident | None = None,
    visitor_name: str = "",
    outcome: str = ServiceOutcome.DONE,
    notes: str = "",
) -> WindowService:
    """A social worker on duty at the window records an item served (一人在岗、事项通办).

    The actor is the worker who served: the evaluation counts the service like a visit."""
    policy.require_actor(actor)
    served_at = served_at or timezone.now()
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise InvalidInput.field("minutes", _("The time taken is between 1 and 600 minutes."))
    if outcome not in ServiceOutcome.values:
        raise InvalidInput.field("outcome", _("Unknown outcome %(outcome)s.") % {"outcome": outcome})
    visitor_name = (visitor_name or "").strip()
    if len(visitor_name) > 64:
        raise InvalidInput.field("visitor_name", _("At most 64 characters."))
    if served_at > timezone.now() + datetime.timedelta(minutes=5):
        raise InvalidInput.field("served_at", _("This moment is in the future."))
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
        visitor_name=visitor_name,
        served_at=served_at,
        minutes=minutes,
        outcome=outcome,
        notes=(notes or "").strip()[:200],
    )
