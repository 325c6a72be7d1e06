"""Money: the grid head's bonus formula, the ledger rows written on publication, and the
correction rows an accepted appeal adds. The ledger is append-only: a change of amount is
a new row with the difference, never an edit."""

from decimal import Decimal

from evaluation.models import (
    Assessment,
    BonusPayment,
    BonusRule,
    HeadBonus,
    HeadMode,
    PaymentKind,
    Period,
    Role,
    to_fen,
    to_points,
)
from evaluation.services.grading import grade_for
from grids import access


def head_amount(
    rule: BonusRule, period: Period, results: list[tuple[str, Decimal]]
) -> tuple[Decimal, Decimal]:
    """(coefficient, amount) of a grid head from its graded workers' (grade, total)."""
    if not results:
        return Decimal(0), Decimal("0.00")
    if rule.head_mode == HeadMode.AVERAGE_TOTAL_GRADE:
        average = sum(total for _, total in results) / len(results)
        factor = rule.coefficient(grade_for(period, to_points(average)))
    else:
        factor = sum(rule.coefficient(grade) for grade, _ in results) / len(results)
    return factor.quantize(Decimal("0.0001")), to_fen(rule.head_base * factor)


def payments_write(period: Period, *, actor, now) -> int:
    """The ledger rows of a publication: one per worker and grid head with a bonus."""
    created_by = access.recorded(actor)
    current = Assessment.objects.filter(period=period, is_current=True)
    payments = [
        BonusPayment(
            period=period,
            recipient_id=a.worker_id,
            role=Role.WORKER,
            grid_id=a.grid_id,
            street_id=a.street_id,
            amount=a.bonus,
            assessment=a,
            created_by=created_by,
            created_at=now,
        )
        for a in current.filter(bonus__gt=0).order_by("id")
    ]
    payments += [
        BonusPayment(
            period=period,
            recipient_id=h.head_id,
            role=Role.HEAD,
            grid_id=h.grid_id,
            street_id=h.street_id,
            amount=h.amount,
            head_bonus=h,
            created_by=created_by,
            created_at=now,
        )
        for h in HeadBonus.objects.filter(period=period, is_current=True, amount__gt=0).order_by("id")
    ]
    BonusPayment.objects.bulk_create(payments)
    return len(payments)


def correction_write(period, recipient_id, role, source, difference, actor, now, note, **link) -> None:
    """A correction row for a changed amount (nothing when it did not change)."""
    if difference == 0:
        return
    BonusPayment.objects.create(
        period=period,
        recipient_id=recipient_id,
        role=role,
        grid_id=source.grid_id,
        street_id=source.street_id,
        kind=PaymentKind.CORRECTION,
        amount=difference,
        note=note[:200],
        created_by=access.recorded(actor),
        created_at=now,
        **link,
    )


def head_recompute(period, rule, grid_id, actor, now, note) -> None:
    """After a worker's result changed: the grid head's bonus again, and its correction row."""
    current = (
        HeadBonus.objects.select_for_update().filter(period=period, grid_id=grid_id, is_current=True).first()
    )
    if current is None:
        return
    results = list(
        Assessment.objects.filter(
            period=period, grid_id=grid_id, is_current=True, insufficient_data=False
        ).values_list("grade", "total")
    )
    factor, amount = head_amount(rule, period, results)
    if amount == current.amount and factor == current.factor:
        return
    HeadBonus.objects.filter(pk=current.pk).update(is_current=False)
    replacement = HeadBonus.objects.create(
        period=period,
        head_id=current.head_id,
        grid_id=grid_id,
        street_id=current.street_id,
        run=current.run,
        workers=len(results),
        factor=factor,
        amount=amount,
        created_at=now,
    )
    correction_write(
        period,
        current.head_id,
        Role.HEAD,
        replacement,
        amount - current.amount,
        actor,
        now,
        note,
        head_bonus=replacement,
    )
