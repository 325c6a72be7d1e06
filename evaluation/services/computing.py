"""Computing a period: every active worker's automatic indicators (one grouped aggregate
per source, whatever the number of workers), inspection averages, points, total, grade,
stars, ranks and bonus, and the grid heads' bonuses. Recomputing keeps the previous
results in history."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation import indicators as auto
from evaluation import rules
from evaluation.models import (
    Assessment,
    AssessmentLine,
    BonusRule,
    HeadBonus,
    Indicator,
    Inspection,
    Period,
    Source,
    to_fen,
    to_points,
)
from evaluation.policy import require_assessor
from evaluation.services.grading import competition_ranks, grade_for, stars_for
from evaluation.services.money import head_amount
from evaluation.services.periods import fire, lock_period, require_changeable
from grids.models import GridNode, NodeKind, Post, PostKind

HUNDRED = Decimal(100)


@dataclass
class WorkerRow:
    worker_id: int
    grid_id: int
    street_id: int
    since: datetime


def _active_workers(window: auto.Window) -> list[WorkerRow]:
    """Active grid workers who held a post before the period ended (one grid each), and their street."""
    streets = list(GridNode.objects.filter(kind=NodeKind.STREET).values("id", "tree_id", "lft", "rght"))
    posts = (
        Post.objects.filter(
            kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID, created_at__lt=window.end
        )
        .values("user_id", "node_id", "created_at", "node__tree_id", "node__lft")
        .order_by("user_id", "id")
    )
    rows: dict[int, WorkerRow] = {}
    for post in posts:
        if post["user_id"] in rows:
            continue
        street = next(
            (
                s["id"]
                for s in streets
                if s["tree_id"] == post["node__tree_id"] and s["lft"] < post["node__lft"] < s["rght"]
            ),
            post["node_id"],  # a grid outside any street ranks on its own
        )
        rows[post["user_id"]] = WorkerRow(post["user_id"], post["node_id"], street, post["created_at"])
    return list(rows.values())


def _percent(numerator: int, denominator: int) -> Decimal:
    return to_points(Decimal(numerator) * HUNDRED / Decimal(denominator))


@dataclass
class LineValue:
    raw: Decimal | None
    numerator: int | None
    denominator: int | None
    has_data: bool


def _line_value(indicator: Indicator, row: WorkerRow, values: dict, inspections: dict) -> LineValue:
    if indicator.source == Source.INSPECTION:
        found = inspections.get((indicator.method, row.worker_id))
        if not found:
            return LineValue(None, None, None, False)
        average, count = found
        return LineValue(to_points(average), None, count, True)
    if indicator.source in auto.COUNTS:
        count = values.get(indicator.source, {}).get(row.worker_id, (0, 0))[0]
        has = indicator.source in values
        return LineValue(Decimal(count) if has else None, count if has else None, None, has)
    key = row.grid_id if indicator.source in auto.BY_GRID else row.worker_id
    numerator, denominator = values.get(indicator.source, {}).get(key, (0, 0))
    if not denominator:
        return LineValue(None, 0, 0, False)
    return LineValue(_percent(numerator, denominator), numerator, denominator, True)


def _explain(indicator: Indicator, value: LineValue, points: Decimal, rule_text: str, average: bool) -> str:
    if not value.has_data:
        if average:
            how = _("no data in the period: the average of the workers with data")
        else:
            how = _("no data in the period: full points (nobody had data)")
        return f"{how} → {points}"[:300]
    if indicator.source == Source.INSPECTION:
        what = _("average of %(n)s inspection(s) = %(raw)s") % {"n": value.denominator, "raw": value.raw}
    elif indicator.source == Source.OVERDUE:
        what = _("%(n)s overdue step(s)") % {"n": value.numerator}
    elif indicator.source == Source.WINDOW_SERVICES:
        what = _("%(n)s service(s) handled at a window") % {"n": value.numerator}
    else:
        what = f"{value.numerator}/{value.denominator} = {value.raw}%"
    return f"{what}; {rule_text} → {points}"[:300]


def _inspection_averages(period: Period, methods: set[str]) -> dict:
    """{(method or "", worker_id): (average score, count)} in one grouped query per method filter."""
    result = {}
    for method in sorted(methods):
        qs = Inspection.objects.filter(period=period)
        if method:
            qs = qs.filter(method=method)
        for row in qs.values("worker_id").annotate(avg=Avg("score"), n=Count("id")).order_by():
            result[(method, row["worker_id"])] = (Decimal(str(row["avg"])), row["n"])
    return result


def period_compute(*, actor, period: Period, now: datetime | None = None) -> Period:
    """Compute every active worker's assessment (and grid heads' bonuses) for the period.

    The previous results, if any, stay in history (is_current=False): recomputing is an
    explicit act. A fixed number of queries whatever the number of workers.
    """
    require_assessor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        period = lock_period(period)
        require_changeable(period)
        fire(period, "compute")
        indicators = list(period.indicators.order_by("order", "id"))
        rule = BonusRule.objects.get(period=period)
        window = auto.period_window(period, now=now)
        workers = _active_workers(window)
        values = auto.automatic_values(window, {i.source for i in indicators})
        inspections = _inspection_averages(
            period, {i.method for i in indicators if i.source == Source.INSPECTION}
        )
        rule_texts = {i.pk: rules.describe(rule=i.rule, params=i.params, weight=i.weight) for i in indicators}

        # raw values, then points; a line without data scores the average of those with data
        line_values = {
            (w.worker_id, i.pk): _line_value(i, w, values, inspections) for w in workers for i in indicators
        }
        # points of the lines with data; a line without data scores the average of those
        scored: dict[tuple[int, int], Decimal] = {}
        sums: dict[int, list] = {i.pk: [Decimal(0), 0] for i in indicators}
        by_pk = {i.pk: i for i in indicators}
        for (worker_id, pk), value in line_values.items():
            if value.has_data:
                indicator = by_pk[pk]
                points = rules.points_for(
                    rule=indicator.rule, params=indicator.params, weight=indicator.weight, raw=value.raw
                )
                scored[(worker_id, pk)] = points
                sums[pk][0] += points
                sums[pk][1] += 1
        averages = {pk: to_points(total / n) if n else None for pk, (total, n) in sums.items()}

        period_seconds = (window.end - window.start).total_seconds()
        run = period.run + 1
        assessments, lines_of = [], {}
        for w in workers:
            lines, total, with_data = [], Decimal(0), 0
            for indicator in indicators:
                value = line_values[(w.worker_id, indicator.pk)]
                if value.has_data:
                    points = scored[(w.worker_id, indicator.pk)]
                    if indicator.source != Source.OVERDUE:
                        with_data += 1
                else:
                    average = averages[indicator.pk]
                    points = average if average is not None else to_points(indicator.weight)
                explanation = _explain(
                    indicator, value, points, rule_texts[indicator.pk], averages[indicator.pk] is not None
                )
                lines.append(
                    AssessmentLine(
                        indicator=indicator,
                        raw=value.raw,
                        numerator=value.numerator,
                        denominator=value.denominator,
                        points=points,
                        has_data=value.has_data,
                        explanation=explanation,
                    )
                )
                total += points
            in_post = (window.end - max(w.since, window.start)).total_seconds() / period_seconds * 100
            reasons = []
            if in_post < period.min_tenure_percent:
                reasons.append(_("in post for %(share)d%% of the period") % {"share": in_post})
            if with_data == 0:
                reasons.append(_("no indicator had data"))
            assessment = Assessment(
                period=period,
                worker_id=w.worker_id,
                grid_id=w.grid_id,
                street_id=w.street_id,
                run=run,
                is_current=True,
                total=to_points(total),
                insufficient_data=bool(reasons),
                insufficient_reason="; ".join(reasons)[:200],
                created_at=now,
            )
            if not reasons:
                assessment.grade = grade_for(period, assessment.total)
                assessment.stars = stars_for(period, assessment.total)
                assessment.bonus = to_fen(rule.worker_base * rule.coefficient(assessment.grade))
            assessments.append(assessment)
            lines_of[w.worker_id] = lines

        graded = [a for a in assessments if not a.insufficient_data]
        city_ranks = competition_ranks([(a.worker_id, a.total) for a in graded])
        by_street = defaultdict(list)
        for a in graded:
            by_street[a.street_id].append((a.worker_id, a.total))
        street_ranks = {}
        for items in by_street.values():
            street_ranks.update(competition_ranks(items))
        for a in graded:
            a.rank_city, a.rank_street = city_ranks[a.worker_id], street_ranks[a.worker_id]

        Assessment.objects.filter(period=period, is_current=True).update(is_current=False)
        HeadBonus.objects.filter(period=period, is_current=True).update(is_current=False)
        created = Assessment.objects.bulk_create(assessments)
        all_lines = []
        for assessment in created:
            for line in lines_of[assessment.worker_id]:
                line.assessment = assessment
                all_lines.append(line)
        AssessmentLine.objects.bulk_create(all_lines)
        HeadBonus.objects.bulk_create(_head_bonuses(period, rule, graded, run, now))

        period.run = run
        period.computed_at = now
        period.save(update_fields=["status", "run", "computed_at"])
    return period


def _head_bonuses(period, rule, graded: list[Assessment], run: int, now) -> list[HeadBonus]:
    per_grid = defaultdict(list)
    street_of = {}
    for a in graded:
        per_grid[a.grid_id].append((a.grade, a.total))
        street_of[a.grid_id] = a.street_id
    heads = (
        Post.objects.filter(
            kind=PostKind.HEAD, is_active=True, node__kind=NodeKind.GRID, node_id__in=list(per_grid)
        )
        .values_list("node_id", "user_id")
        .order_by("node_id")
    )
    rows = []
    for grid_id, user_id in heads:
        factor, amount = head_amount(rule, period, per_grid[grid_id])
        rows.append(
            HeadBonus(
                period=period,
                head_id=user_id,
                grid_id=grid_id,
                street_id=street_of[grid_id],
                run=run,
                workers=len(per_grid[grid_id]),
                factor=factor,
                amount=amount,
                created_at=now,
            )
        )
    return rows
