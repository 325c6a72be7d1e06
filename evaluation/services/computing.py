"""Computing a period: every active worker's automatic indicators (one grouped aggregate
per source, whatever the number of workers), inspection averages, points, total, grade,
stars, ranks and bonus, and the grid heads' bonuses. Recomputing keeps the previous
results in history."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
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
    city: int  # the tree of the worker's grid: one CITY node is the root of each tree


def _active_workers(window: auto.Window) -> list[WorkerRow]:
    """Active grid workers who held a post before the period ended (one grid each), and their street."""
    streets_of = defaultdict(list)  # per city: a province has hundreds of streets
    for street in GridNode.objects.filter(kind=NodeKind.STREET).values("id", "tree_id", "lft", "rght"):
        streets_of[street["tree_id"]].append(street)
    posts = Post.objects.filter(
        kind=PostKind.WORKER, is_active=True, node__kind=NodeKind.GRID, created_at__lt=window.end
    )
    if window.tree_id is not None:  # a period assesses its own city's workers
        posts = posts.filter(node__tree_id=window.tree_id)
    posts = posts.values("user_id", "node_id", "created_at", "node__tree_id", "node__lft").order_by(
        "user_id", "id"
    )
    rows: dict[int, WorkerRow] = {}
    for post in posts:
        if post["user_id"] in rows:
            continue
        street = next(
            (s["id"] for s in streets_of[post["node__tree_id"]] if s["lft"] < post["node__lft"] < s["rght"]),
            post["node_id"],  # a grid outside any street ranks on its own
        )
        rows[post["user_id"]] = WorkerRow(
            post["user_id"], post["node_id"], street, post["created_at"], post["node__tree_id"]
        )
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


@dataclass(frozen=True)
class Texts:
    """The explanations' wording, translated once per computation (not once per line)."""

    no_data_average: str
    no_data_full: str
    inspection: str
    overdue: str
    window: str

    @classmethod
    def translated(cls) -> "Texts":
        return cls(
            no_data_average=_("no data in the period: the average of the workers with data"),
            no_data_full=_("no data in the period: full points (nobody had data)"),
            inspection=_("average of %(n)s inspection(s) = %(raw)s"),
            overdue=_("%(n)s overdue step(s)"),
            window=_("%(n)s service(s) handled at a window"),
        )


def _explain(
    indicator: Indicator, value: LineValue, points: Decimal, rule_text: str, average: bool, texts: Texts
) -> str:
    if not value.has_data:
        how = texts.no_data_average if average else texts.no_data_full
        return f"{how} → {points}"[:300]
    if indicator.source == Source.INSPECTION:
        what = texts.inspection % {"n": value.denominator, "raw": value.raw}
    elif indicator.source == Source.OVERDUE:
        what = texts.overdue % {"n": value.numerator}
    elif indicator.source == Source.WINDOW_SERVICES:
        what = texts.window % {"n": value.numerator}
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
    require_assessor(actor, period.city)
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
        texts = Texts.translated()

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
                    indicator,
                    value,
                    points,
                    rule_texts[indicator.pk],
                    averages[indicator.pk] is not None,
                    texts,
                )
                lines.append(
                    (
                        indicator.pk,
                        value.raw,
                        value.numerator,
                        value.denominator,
                        points,
                        value.has_data,
                        explanation,
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
        # Ranks are per city (the rank "in city" of a province's deployment) and per street.
        city_of = {w.worker_id: w.city for w in workers}
        by_city, by_street = defaultdict(list), defaultdict(list)
        for a in graded:
            by_city[city_of[a.worker_id]].append((a.worker_id, a.total))
            by_street[a.street_id].append((a.worker_id, a.total))
        city_ranks, street_ranks = {}, {}
        for items in by_city.values():
            city_ranks.update(competition_ranks(items))
        for items in by_street.values():
            street_ranks.update(competition_ranks(items))
        for a in graded:
            a.rank_city, a.rank_street = city_ranks[a.worker_id], street_ranks[a.worker_id]

        Assessment.objects.filter(period=period, is_current=True).update(is_current=False)
        HeadBonus.objects.filter(period=period, is_current=True).update(is_current=False)
        created = Assessment.objects.bulk_create(assessments)
        _insert_lines(
            [(a.pk, *line) for a in created for line in lines_of[a.worker_id]],
        )
        HeadBonus.objects.bulk_create(_head_bonuses(period, rule, graded, run, now))

        period.run = run
        period.computed_at = now
        period.save(update_fields=["status", "run", "computed_at"])
    return period


LINE_COLUMNS = (
    "assessment_id",
    "indicator_id",
    "raw",
    "numerator",
    "denominator",
    "points",
    "has_data",
    "explanation",
)


def _insert_lines(rows: list[tuple]) -> None:
    """The lines as multi-row INSERTs of plain tuples: no model instance per line.

    Tens of thousands of lines (10,000 workers x the indicators) cost seconds of Python in
    bulk_create (instances, signals, per-field preparation); the values here are already the
    columns' (ints, Decimals, bools, text). One statement on PostgreSQL (a fixed number of
    queries whatever the number of workers); chunks under SQLite's cap on variables.
    """
    cap = connection.features.max_query_params
    batch = max(1, cap // len(LINE_COLUMNS)) if cap else max(1, len(rows))
    table = connection.ops.quote_name(AssessmentLine._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in LINE_COLUMNS)
    row_sql = "(" + ", ".join(["%s"] * len(LINE_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(chunk))}",
                [value for row in chunk for value in row],
            )


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
