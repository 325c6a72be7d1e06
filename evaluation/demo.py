"""Five years of quarterly assessments in the demo city, and the current quarter open.

Twenty published quarters in which the share of 优秀 among the 269 grid workers rises
from 72.5% (195 of 269) to 97.8% (263 of 269), each with per-indicator lines whose points
add up to the total, ranks, stars, grid-head bonuses and the bonus ledger; the bases are
chosen so that everything paid since the start comes to about 490,000 yuan, as Helong's
report says. The current quarter is open with a few inspections entered.

The published results are bulk-inserted (the real computation needs five years of
petitions and visits per worker); they go through the same rules, grades, stars, rounding
and head-bonus formula as evaluation.services. Runs last.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from evaluation import department_demo, rules, services
from evaluation.models import (
    Assessment,
    AssessmentLine,
    BonusPayment,
    BonusRule,
    Grade,
    HeadBonus,
    Indicator,
    Method,
    Mode,
    MoneySum,
    Period,
    PeriodKind,
    PeriodStatus,
    Role,
    Source,
    to_fen,
    to_points,
)
from evaluation.services import grading, publication
from grids.access import SYSTEM
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.bulk import bulk_insert
from hlgrid.models import User

QUARTERS = 20
FIRST_SHARE, LAST_SHARE = Decimal("72.5"), Decimal("97.8")
TARGET_PAID = Decimal("490000.00")
HEAD_RATIO = Decimal("0.75")  # a grid head's base is three quarters of a worker's
BANDS = {
    Grade.EXCELLENT: (90.6, 98.4),
    Grade.GOOD: (81.0, 89.2),
    Grade.PASS: (62.0, 78.5),
    Grade.FAIL: (46.0, 58.0),
}
NOTES = [
    "入户走访记录完整",
    "群众反映服务热情",
    "网格内环境整洁",
    "台账规范",
    "诉求回访及时",
    "楼道堆物未及时清理",
]


def _quarters(today: datetime.date) -> list[tuple[datetime.date, datetime.date, str]]:
    """The current quarter and the twenty before it, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    result = []
    for _ in range(QUARTERS + 1):
        start = datetime.date(year, 3 * quarter - 2, 1)
        end = (datetime.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)) - datetime.timedelta(days=1)
        result.append((start, end, f"{year}年第{'一二三四'[quarter - 1]}季度"))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return list(reversed(result))


def _counts(index: int, workers: int) -> dict[str, int]:
    """How many workers of each grade in the index-th published quarter."""
    share = FIRST_SHARE + (LAST_SHARE - FIRST_SHARE) * index / (QUARTERS - 1)
    excellent = int((share * workers / 100).quantize(Decimal(1)))
    rest = workers - excellent
    fail = round(rest * 0.05)
    passing = round(rest * 0.25)
    return {
        Grade.EXCELLENT: excellent,
        Grade.GOOD: rest - fail - passing,
        Grade.PASS: passing,
        Grade.FAIL: fail,
    }


def _lines(rng, indicators, target: float, grid_values: dict) -> tuple[list[tuple], Decimal] | None:
    """Lines (indicator, raw, numerator, denominator, points, explanation) landing on `target`."""
    deficit = 100 - target
    others = [i for i in indicators if i.source != Source.INSPECTION]
    inspection = next(i for i in indicators if i.source == Source.INSPECTION)
    rows, total = [], Decimal(0)
    spare = deficit * rng.uniform(0.45, 0.75)  # what the automatic lines lose together
    shares = {
        i.pk: rng.random() for i in others if i.source not in (Source.HOUSEHOLD_COVERAGE, Source.KEY_VISITS)
    }
    weight_sum = sum(shares.values())
    for indicator in others:
        weight = float(indicator.weight)
        if indicator.source in (Source.HOUSEHOLD_COVERAGE, Source.KEY_VISITS):
            numerator, denominator = grid_values[indicator.source]
            raw = to_points(Decimal(numerator) * 100 / denominator)
        elif indicator.source == Source.OVERDUE:
            items = min(int(spare * shares[indicator.pk] / weight_sum / 2), 5)
            numerator, denominator, raw = items, None, Decimal(items)
        else:
            loss = min(weight, spare * shares[indicator.pk] / weight_sum)
            low, high = float(indicator.params["low"]), float(indicator.params["high"])
            wanted = low + (1 - loss / weight) * (high - low)
            denominator = rng.randint(12, 40)
            numerator = max(0, min(denominator, round(wanted * denominator / 100)))
            raw = to_points(Decimal(numerator) * 100 / denominator)
        points = rules.points_for(
            rule=indicator.rule, params=indicator.params, weight=indicator.weight, raw=raw
        )
        rows.append((indicator, raw, numerator, denominator, points))
        total += points
    needed = Decimal(str(target)) - total
    if not Decimal(0) <= needed <= inspection.weight:
        return None
    raw = to_points(needed * 100 / inspection.weight)
    points = rules.points_for(
        rule=inspection.rule, params=inspection.params, weight=inspection.weight, raw=raw
    )
    rows.append((inspection, raw, None, rng.randint(1, 4), points))
    return rows, total + points


def _explain(indicator, raw, numerator, denominator, points) -> str:
    rule_text = rules.describe(rule=indicator.rule, params=indicator.params, weight=indicator.weight)
    if indicator.source == Source.INSPECTION:
        what = f"{denominator} 次考核平均 = {raw}"
    elif indicator.source == Source.OVERDUE:
        what = f"超时 {numerator} 次"
    else:
        what = f"{numerator}/{denominator} = {raw}%"
    return f"{what}; {rule_text} → {points}"[:300]


def load(ctx) -> None:
    rng = ctx.rng
    tz = ZoneInfo(settings.TIME_ZONE)
    quarters = _quarters(timezone.localdate())
    history, (current_start, current_end, current_name) = quarters[:-1], quarters[-1]
    assessor = User.objects.get(username="assessor")

    # Everyone has been in post since before the first quarter assessed here.
    since = datetime.datetime.combine(
        history[0][0] - datetime.timedelta(days=30), datetime.time(9), tzinfo=tz
    )
    Post.objects.filter(kind__in=[PostKind.WORKER, PostKind.HEAD], node__kind=NodeKind.GRID).update(
        created_at=since
    )

    scheme = services.scheme_default(actor=SYSTEM, city=ctx.data["city"])
    specs = services.scheme_specs(scheme)
    streets = list(GridNode.objects.filter(kind=NodeKind.STREET).values("id", "tree_id", "lft", "rght"))
    grid_street = {}
    for grid in GridNode.objects.filter(kind=NodeKind.GRID).values("id", "tree_id", "lft"):
        grid_street[grid["id"]] = next(
            s["id"] for s in streets if s["tree_id"] == grid["tree_id"] and s["lft"] < grid["lft"] < s["rght"]
        )
    workers = [
        (user_id, grid_id)
        for grid_id, users in sorted(ctx.data["workers_by_grid"].items())
        for user_id in users
    ]
    heads = dict(
        Post.objects.filter(kind=PostKind.HEAD, is_active=True, node__kind=NodeKind.GRID).values_list(
            "node_id", "user_id"
        )
    )
    skill = {user_id: rng.gauss(0, 1) for user_id, _ in workers}

    Period.objects.bulk_create(
        [
            Period(
                city=scheme.city,
                name=name,
                kind=PeriodKind.QUARTER,
                starts_on=start,
                ends_on=end,
                status=PeriodStatus.PUBLISHED,
                scheme=scheme,
                scheme_version=scheme.version,
                excellent_min=scheme.excellent_min,
                good_min=scheme.good_min,
                pass_min=scheme.pass_min,
                star_thresholds=scheme.star_thresholds,
                min_tenure_percent=scheme.min_tenure_percent,
                appeal_days=scheme.appeal_days,
                run=1,
                opened_at=datetime.datetime.combine(start, datetime.time(9), tzinfo=tz),
                computed_at=datetime.datetime.combine(
                    end + datetime.timedelta(days=5), datetime.time(10), tzinfo=tz
                ),
                published_at=datetime.datetime.combine(
                    end + datetime.timedelta(days=10), datetime.time(10), tzinfo=tz
                ),
                published_by=assessor,
            )
            for start, end, name in history
        ]
    )
    periods = list(Period.objects.filter(name__in=[name for _, _, name in history]).order_by("starts_on"))
    Indicator.objects.bulk_create(
        [
            Indicator(
                period=period,
                code=s.code,
                name=s.name,
                source=s.source,
                method=s.method,
                weight=s.weight,
                rule=s.rule,
                params=s.params,
                order=i,
            )
            for period in periods
            for i, s in enumerate(specs)
        ]
    )
    indicators_of = defaultdict(list)
    for indicator in Indicator.objects.filter(period__in=periods).order_by("order"):
        indicators_of[indicator.period_id].append(indicator)

    # Worker and head bases: the same for every quarter but the last, which lands the total.
    coefficients = {grade: Decimal(str(v)) for grade, v in scheme.coefficients.items()}
    plans = []
    for index, period in enumerate(periods):
        plans.append(_plan_period(rng, period, index, workers, skill, indicators_of[period.pk], grid_street))
    base = _base_for(plans[:-1], coefficients, heads, TARGET_PAID * (QUARTERS - 1) / QUARTERS)
    paid = sum(_paid(plan, base, base * HEAD_RATIO, coefficients, heads) for plan in plans[:-1])
    last_base = _base_for(plans[-1:], coefficients, heads, TARGET_PAID - paid)
    bases = [base] * (len(plans) - 1) + [last_base]

    BonusRule.objects.bulk_create(
        [
            BonusRule(
                period=period,
                worker_base=b,
                coefficients=scheme.coefficients,
                head_base=to_fen(b * HEAD_RATIO),
                head_mode=scheme.head_mode,
            )
            for period, b in zip(periods, bases)
        ]
    )
    for period, plan, b in zip(periods, plans, bases):
        _write_period(period, plan, b, to_fen(b * HEAD_RATIO), coefficients, heads, assessor)
    publication.notices_write(periods[-1], periods[-1].published_at)
    _appeals(rng, periods[-1])

    # The current quarter: open, a few inspections entered (by the demo assessor: an
    # inspection records the person who made it).
    current = services.period_create(
        actor=SYSTEM, name=current_name, starts_on=current_start, ends_on=current_end, scheme=scheme
    )
    current = services.period_open(actor=SYSTEM, period=current)
    picked = rng.sample(workers, 6)
    for n, (user_id, _) in enumerate(picked):
        services.inspection_record(
            actor=assessor,
            period=current,
            worker=User.objects.get(pk=user_id),
            method=rng.choice(Method.values),
            mode=Mode.COVERT if n % 3 == 2 else Mode.OPEN,
            score=Decimal(rng.randint(78, 99)),
            notes=rng.choice(NOTES),
        )
    total = BonusPayment.objects.aggregate(t=MoneySum("amount"))["t"]
    ctx.data["evaluation_periods"] = [p.pk for p in periods] + [current.pk]
    ctx.log(
        f"    {len(periods)} published quarters (优秀 {FIRST_SHARE}% → {LAST_SHARE}%), "
        f"{total:,} yuan paid; {current_name} open"
    )
    department_demo.load(ctx)


def _appeals(rng, period) -> None:
    """Two appeals of the last published quarter: one rejected, one accepted with a correction
    that keeps the grade (so the ledger is unchanged and the original stays in history)."""
    published = period.published_at
    # Workers graded 良好 whose inspection can gain a point without changing their grade (so the
    # ledger is unchanged): chosen by the rule, not by a fixed score, which depends on the data.
    candidates = [
        a
        for a in Assessment.objects.filter(period=period, is_current=True, grade=Grade.GOOD)
        .select_related("worker")
        .order_by("total", "id")
        if services.grade_for(period, a.total + 1) == Grade.GOOD
        and a.lines.filter(
            indicator__source=Source.INSPECTION, points__lte=F("indicator__weight") - 1
        ).exists()
    ]
    if len(candidates) < 2:
        return
    first, second = rng.sample(candidates, 2)
    appeal = services.appeal_submit(
        actor=SYSTEM,
        assessment=first,
        reason="回访满意率统计有误，有一件诉求群众已改为满意。",
        now=published + datetime.timedelta(days=2),
    )
    services.appeal_reject(
        actor=SYSTEM,
        appeal=appeal,
        decision="经核实回访记录无误，维持原结果。",
        now=published + datetime.timedelta(days=4),
    )
    line = second.lines.select_related("indicator").get(indicator__source=Source.INSPECTION)
    appeal = services.appeal_submit(
        actor=SYSTEM,
        assessment=second,
        reason="暗访当天我在处理紧急诉求，不在网格内。",
        now=published + datetime.timedelta(days=3),
    )
    services.appeal_accept(
        actor=SYSTEM,
        appeal=appeal,
        points={"inspection": line.points + 1},
        decision="核实属实，暗访得分加1分。",
        now=published + datetime.timedelta(days=5),
    )


def _plan_period(rng, period, index, workers, skill, indicators, grid_street):
    """Each worker's grade, lines and total for one quarter (no money yet)."""
    counts = _counts(index, len(workers))
    progress = index / (QUARTERS - 1)
    order = sorted(workers, key=lambda w: skill[w[0]] + rng.gauss(0, 0.8), reverse=True)
    grades = {}
    position = 0
    for grade in (Grade.EXCELLENT, Grade.GOOD, Grade.PASS, Grade.FAIL):
        for user_id, _ in order[position : position + counts[grade]]:
            grades[user_id] = grade
        position += counts[grade]
    grid_values = {}
    for grid_id in {g for _, g in workers}:
        households = 40 + (grid_id * 7) % 30
        coverage = min(households, round(households * rng.uniform(0.9 + 0.08 * progress, 1.0)))
        due = 20 + (grid_id * 3) % 20
        visited = min(due, round(due * rng.uniform(0.9 + 0.08 * progress, 1.0)))
        grid_values[grid_id] = {
            Source.HOUSEHOLD_COVERAGE: (coverage, households),
            Source.KEY_VISITS: (visited, due),
        }
    grid_loss = {}
    for grid_id, values in grid_values.items():
        loss = 0.0
        for indicator in indicators:
            if indicator.source in values:
                numerator, denominator = values[indicator.source]
                raw = to_points(Decimal(numerator) * 100 / denominator)
                points = rules.points_for(
                    rule=indicator.rule, params=indicator.params, weight=indicator.weight, raw=raw
                )
                loss += float(indicator.weight - points)
        grid_loss[grid_id] = loss
    plan = []
    for user_id, grid_id in workers:
        grade = grades[user_id]
        low, high = BANDS[grade]
        high = min(high, 100 - grid_loss[grid_id] - 0.3)
        for _attempt in range(500):
            target = round(rng.uniform(low, high), 2)
            found = _lines(rng, indicators, target, grid_values[grid_id])
            if found is not None and services.grade_for(period, found[1]) == grade:
                break
        else:  # pragma: no cover — the bands leave ample room
            raise RuntimeError(f"could not place a {grade} result")
        lines, total = found
        plan.append(
            {
                "worker": user_id,
                "grid": grid_id,
                "street": grid_street[grid_id],
                "grade": grade,
                "total": total,
                "lines": lines,
            }
        )
    return plan


def _head_amounts(plan, head_base, coefficients, heads):
    per_grid = defaultdict(list)
    for row in plan:
        per_grid[row["grid"]].append(row["grade"])
    result = {}
    for grid_id, grades in per_grid.items():
        if grid_id not in heads:
            continue
        factor = sum(coefficients[g] for g in grades) / len(grades)
        result[grid_id] = (len(grades), factor.quantize(Decimal("0.0001")), to_fen(head_base * factor))
    return result


def _paid(plan, base, head_base, coefficients, heads) -> Decimal:
    workers = sum(to_fen(base * coefficients[row["grade"]]) for row in plan)
    head_total = sum(
        amount for _, _, amount in _head_amounts(plan, to_fen(head_base), coefficients, heads).values()
    )
    return workers + head_total


def _base_for(plans, coefficients, heads, target: Decimal) -> Decimal:
    """The worker base (to the fen) whose payments over `plans` come closest to `target`."""
    unit = sum(_paid(plan, Decimal(1), HEAD_RATIO, coefficients, heads) for plan in plans)
    guess = to_fen(target / unit)
    candidates = [guess + Decimal("0.01") * k for k in range(-3, 4)]
    return min(
        candidates,
        key=lambda b: abs(target - sum(_paid(p, b, b * HEAD_RATIO, coefficients, heads) for p in plans)),
    )


def _write_period(period, plan, base, head_base, coefficients, heads, assessor):
    created_at = period.computed_at
    graded = [(row["worker"], row["total"]) for row in plan]
    city_ranks = grading.competition_ranks(graded)
    by_street = defaultdict(list)
    for row in plan:
        by_street[row["street"]].append((row["worker"], row["total"]))
    street_ranks = {}
    for items in by_street.values():
        street_ranks.update(grading.competition_ranks(items))
    assessments = bulk_insert(
        [
            Assessment(
                period=period,
                worker_id=row["worker"],
                grid_id=row["grid"],
                street_id=row["street"],
                run=1,
                is_current=True,
                total=row["total"],
                grade=row["grade"],
                stars=services.stars_for(period, row["total"]),
                rank_city=city_ranks[row["worker"]],
                rank_street=street_ranks[row["worker"]],
                bonus=to_fen(base * coefficients[row["grade"]]),
                created_at=created_at,
            )
            for row in plan
        ]
    )
    lines_of = {row["worker"]: row["lines"] for row in plan}
    bulk_insert(
        [
            AssessmentLine(
                assessment=a,
                indicator=indicator,
                raw=raw,
                numerator=numerator,
                denominator=denominator,
                points=points,
                has_data=True,
                explanation=_explain(indicator, raw, numerator, denominator, points),
            )
            for a in assessments
            for indicator, raw, numerator, denominator, points in lines_of[a.worker_id]
        ]
    )
    street_of = {row["grid"]: row["street"] for row in plan}
    head_rows = HeadBonus.objects.bulk_create(
        [
            HeadBonus(
                period=period,
                head_id=heads[grid_id],
                grid_id=grid_id,
                street_id=street_of[grid_id],
                run=1,
                workers=n,
                factor=factor,
                amount=amount,
                created_at=created_at,
            )
            for grid_id, (n, factor, amount) in sorted(
                _head_amounts(plan, head_base, coefficients, heads).items()
            )
        ]
    )
    paid_at = period.published_at
    bulk_insert(
        [
            BonusPayment(
                period=period,
                recipient_id=a.worker_id,
                role=Role.WORKER,
                grid_id=a.grid_id,
                street_id=a.street_id,
                amount=a.bonus,
                assessment=a,
                created_by=assessor,
                created_at=paid_at,
            )
            for a in assessments
            if a.bonus > 0
        ]
        + [
            BonusPayment(
                period=period,
                recipient_id=h.head_id,
                role=Role.HEAD,
                grid_id=h.grid_id,
                street_id=h.street_id,
                amount=h.amount,
                head_bonus=h,
                created_by=assessor,
                created_at=paid_at,
            )
            for h in head_rows
            if h.amount > 0
        ]
    )
