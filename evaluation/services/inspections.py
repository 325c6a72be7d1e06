"""Inspections (听·评·看·议, 明察 open or 暗访 covert) entered while a period is open, with
their evidence photos cleaned by the one photo cleaner before anything is stored."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Inspection, InspectionPhoto, Method, Mode, Period, PeriodStatus, to_points
from evaluation.policy import ASSESSOR_KINDS, require_assessor
from evaluation.services.periods import lock_period, require_changeable
from grids import access
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid import photos as photo_cleaner
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed

HUNDRED = Decimal(100)


def _worker_grid(worker) -> GridNode:
    post = (
        Post.objects.filter(user_id=worker.pk, kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID)
        .select_related("node")
        .order_by("id")
        .first()
    )
    if post is None:
        raise InvalidInput.field("worker", _("This person is not an active grid worker."))
    return post.node


def inspection_record(
    *,
    actor,
    period: Period,
    worker,
    method: str,
    score,
    mode: str = Mode.OPEN,
    notes: str = "",
    photos=(),
    inspected_at: datetime | None = None,
) -> Inspection:
    require_assessor(actor, period.city)
    if access.is_system(actor):
        # the inspector is part of the record: a person inspected, not the system
        raise Forbidden(_("An inspection is recorded by the person who made it."))
    if method not in Method.values:
        raise InvalidInput.field("method", _("Choose one of 听, 评, 看, 议."))
    if mode not in Mode.values:
        raise InvalidInput.field("mode", _("Choose open (明察) or covert (暗访)."))
    try:
        score = to_points(Decimal(str(score)))
    except (InvalidOperation, TypeError):
        raise InvalidInput.field("score", _("A score is a number from 0 to 100.")) from None
    if not 0 <= score <= HUNDRED:
        raise InvalidInput.field("score", _("A score is a number from 0 to 100."))
    photo_cleaner.check_count(photos)
    grid = _worker_grid(worker)
    access.must_cover(actor, grid, kinds=ASSESSOR_KINDS)
    if grid.tree_id != period.city.tree_id:  # a period inspects its own city's workers
        raise InvalidInput.field("worker", _("This person is not a grid worker of the period's city."))
    # every photo checked (and stripped of EXIF) before anything is stored
    cleaned = photo_cleaner.clean_all(photos)
    with transaction.atomic():
        period = lock_period(period)
        require_changeable(period)
        if period.status not in (PeriodStatus.OPEN, PeriodStatus.COMPUTED):
            raise TransitionNotAllowed(_("Inspections are entered while the period is open."))
        inspection = Inspection.objects.create(
            period=period,
            worker=worker,
            grid=grid,
            method=method,
            mode=mode,
            score=score,
            notes=(notes or "").strip(),
            inspector=actor,
            inspected_at=inspected_at or timezone.now(),
        )
        for photo in cleaned:
            InspectionPhoto.objects.create(inspection=inspection, image=photo.content)
    return inspection


def inspection_delete(*, actor, inspection: Inspection) -> None:
    require_assessor(actor)
    with transaction.atomic():
        period = lock_period(inspection.period_id)
        try:
            inspection = Inspection.objects.select_related("grid").get(pk=inspection.pk)
        except Inspection.DoesNotExist:
            raise NotFound() from None
        access.must_cover(actor, inspection.grid, kinds=ASSESSOR_KINDS)
        require_changeable(period)
        inspection.photos.all().delete()
        inspection.delete()
