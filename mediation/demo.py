"""The Helong demo's disputes: a year of cases across every grid, found on visits, by hotline
calls and walk-ins, graded, mediated, settled (agreement, follow-up) or referred on, with the
open ones right now in every step and light; and a year of monthly 排查 reports, nearly all on
time, a few late or missed. Deterministic (ctx.rng only) and bulk-inserted: about a second."""

import datetime
from collections import defaultdict

from django.utils import timezone

from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.bulk import bulk_insert
from hlgrid.lights import Light, light_at
from mediation import clock
from mediation.models import (
    Agreement,
    Case,
    CaseEvent,
    FollowUp,
    Kind,
    MonthlyReport,
    Notice,
    NoticeKind,
    Party,
    PartyRole,
    ReferredTo,
    ReportStatus,
    Risk,
    Session,
    Source,
    Status,
)
from residents.models import Resident, Visit

BATCH = 2_000
KINDS = [
    (Kind.NEIGHBOUR, 34),
    (Kind.FAMILY, 20),
    (Kind.PROPERTY_MANAGEMENT, 15),
    (Kind.LABOUR, 10),
    (Kind.LAND_HOUSING, 10),
    (Kind.DEBT, 6),
    (Kind.OTHER, 5),
]
STORIES = {
    Kind.NEIGHBOUR: [
        "楼上漏水，楼下要求赔偿",
        "装修噪音扰民，双方争吵",
        "楼道堆物占道引发口角",
        "宠物狗伤人，赔偿有争议",
    ],
    Kind.FAMILY: ["夫妻因家务琐事长期争吵", "子女赡养老人费用分担不均", "离婚后子女探视纠纷"],
    Kind.PROPERTY_MANAGEMENT: [
        "业主拒交物业费，物业停止服务",
        "车位分配引发业主与物业矛盾",
        "电梯维修费用分摊争议",
    ],
    Kind.LABOUR: ["装修工人讨要拖欠工资", "小餐馆拖欠员工工资", "临时工工伤赔偿纠纷"],
    Kind.LAND_HOUSING: ["房屋租赁押金退还纠纷", "院墙边界争议", "老宅继承份额争议"],
    Kind.DEBT: ["亲戚间借款到期未还", "合伙经营分账纠纷"],
    Kind.OTHER: ["广场舞音量扰民", "小区停车剐蹭赔偿"],
}
TERMS = [
    "责任方修复并赔偿损失",
    "双方各让一步，按约定分期支付",
    "签订书面约定，今后互不干扰",
    "由物业协调整改并公示",
]
REASONS = {
    Risk.LOW: "双方情绪平稳，标的小",
    Risk.MEDIUM: "积怨较深，有反复",
    Risk.HIGH: "情绪激烈，有肢体冲突或扬言过激行为",
}


class _Draft:
    """A case's fields while its story is written (a Case's status cannot change once built)."""

    def __init__(self, spec: dict):
        self.__dict__.update(spec)
        self.events_plan = []

    def fields(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "events_plan"}


def _weighted(rng, choices):
    total = sum(weight for _value, weight in choices)
    pick = rng.uniform(0, total)
    for value, weight in choices:
        pick -= weight
        if pick <= 0:
            return value
    return choices[-1][0]


def _month_start(now_local: datetime.date, back: int) -> datetime.date:
    months = now_local.year * 12 + now_local.month - 1 - back
    return datetime.date(months // 12, months % 12 + 1, 1)


def load(ctx) -> None:
    rng = ctx.rng
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    grids = [g for g in ctx.data["grids"] if g.kind == NodeKind.GRID]
    workers = ctx.data["workers_by_grid"]
    residents_by_grid: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id in Resident.objects.order_by("pk").values_list("pk", "household__grid_id"):
        residents_by_grid[grid_id].append(pk)
    visits_by_grid: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    problem_visits = ctx.data.get("problem_visits", [])
    for pk, grid_id, at in (
        Visit.objects.filter(pk__in=problem_visits).order_by("pk").values_list("pk", "grid_id", "visited_at")
    ):
        visits_by_grid[grid_id].append((pk, at))

    specs: list[dict] = []  # a Case's fields: its status is only ever set at construction (FSM)
    plans = []  # per case: (worker id, parties, timeline of steps)
    for grid in grids:
        staff = workers.get(grid.pk) or [None]
        people = residents_by_grid.get(grid.pk, [])
        free_visits = list(visits_by_grid.get(grid.pk, []))
        for back in range(11, -1, -1):
            month = _month_start(today, back)
            count = _weighted(rng, [(0, 30), (1, 38), (2, 22), (3, 10)]) * ctx.scale
            for _ in range(count):
                last_day = (
                    today if back == 0 else (_month_start(today, back - 1) - datetime.timedelta(days=1))
                )
                day = month + datetime.timedelta(days=rng.randrange((last_day - month).days + 1))
                registered = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randrange(60)))
                )
                if registered > now:
                    registered = now - datetime.timedelta(hours=rng.randint(1, 20))
                kind = _weighted(rng, KINDS)
                visit_id = None
                source = _weighted(rng, [(Source.VISIT, 30), (Source.HOTLINE, 35), (Source.WALK_IN, 35)])
                if source == Source.VISIT:
                    usable = [v for v in free_visits if v[1] <= registered]
                    if usable:
                        visit_id, seen_at = usable[-1]
                        free_visits.remove(usable[-1])
                        registered = max(registered, seen_at)
                    else:
                        source = Source.HOTLINE
                worker = rng.choice(staff)
                specs.append(
                    {
                        "grid_id": grid.pk,
                        "status": Status.REGISTERED,
                        "kind": kind,
                        "source": source,
                        "description": rng.choice(STORIES[kind]),
                        "visit_id": visit_id,
                        "registered_at": registered,
                        "registered_by_id": worker,
                    }
                )
                parties = rng.sample(people, min(len(people), 2)) if people else []
                plans.append((worker, parties, rng.random() < 0.2 or not parties))

    sessions, agreements, follow_ups, events, party_rows = [], [], [], [], []
    cases: list[Case] = []
    for spec, (worker, _parties, _outside) in zip(specs, plans, strict=True):
        case = _Draft(spec)
        mine: list = []
        age = (now - case.registered_at).days
        case.risk = _weighted(rng, [(Risk.LOW, 58), (Risk.MEDIUM, 31), (Risk.HIGH, 11)])
        case.risk_reasons = REASONS[case.risk]
        # how far it has got: old cases are over; recent ones are anywhere along the way
        # (a grid settles its disputes within weeks: an old case still open is the rare one that
        # overran, not a quarter of the board)
        if age > 75:
            stage = _weighted(rng, [("closed", 86), ("referred", 14)])
        elif age > 21:
            stage = _weighted(rng, [("closed", 55), ("referred", 10), ("agreed", 35)])
        elif age > 3:
            stage = _weighted(
                rng, [("closed", 25), ("referred", 8), ("agreed", 40), ("mediating", 17), ("graded", 10)]
            )
        else:
            stage = _weighted(rng, [("registered", 35), ("graded", 35), ("mediating", 30)])
        case.events_plan.append(
            ("register", "", Status.REGISTERED, Source(case.source).label, case.registered_at)
        )
        if stage == "registered":
            case.risk, case.risk_reasons = "", ""
            case.due_at, case.warn_at = clock.grading_clock(case.registered_at)
        else:
            graded = min(now, case.registered_at + datetime.timedelta(hours=rng.randint(1, 30)))
            case.graded_at = graded
            case.status = Status.GRADED
            note = f"{Risk(case.risk).label}: {case.risk_reasons}"
            case.events_plan.append(("grade", Status.REGISTERED, Status.GRADED, note, graded))
            case.due_at, case.warn_at = clock.mediation_clock(graded, case.risk, city=ctx.data["city"].pk)
            if stage != "graded":
                held = min(now, graded + datetime.timedelta(days=rng.randint(0, 4), hours=rng.randint(1, 6)))
                case.status = Status.MEDIATING
                mediators = [{"kind": "GRID_WORKER", "name": "网格员"}]
                if case.risk != Risk.LOW:
                    mediators.append(
                        {"kind": rng.choice(["MEDIATOR", "JUDICIAL"]), "name": ctx.person_name()}
                    )
                mine.append(
                    Session(
                        held_at=held,
                        place="社区调解室",
                        mediators=mediators,
                        summary="双方当面陈述，调解员释法说理",
                        recorded_by_id=worker,
                    )
                )
                case.events_plan.append(("session", Status.GRADED, Status.MEDIATING, "双方当面协商", held))
                if stage == "referred":
                    concluded = min(now, held + datetime.timedelta(days=rng.randint(1, 6)))
                    case.status = Status.REFERRED
                    case.referred_to = _weighted(
                        rng, [(ReferredTo.JUDICIAL, 45), (ReferredTo.COURT, 35), (ReferredTo.POLICE, 20)]
                    )
                    case.referral_reason = "调解不成，当事人要求依法处理"
                    case.concluded_at, case.due_at, case.warn_at = concluded, None, None
                    note = f"{ReferredTo(case.referred_to).label}: {case.referral_reason}"
                    case.events_plan.append(("refer", Status.MEDIATING, Status.REFERRED, note, concluded))
                elif stage in ("agreed", "closed"):
                    signed_at = held
                    days = rng.choice([15, 30, 30, 30])
                    opens, last = clock.follow_up_dates(
                        timezone.localdate(signed_at), days, city=ctx.data["city"].pk
                    )
                    if stage == "closed" and opens > today:
                        stage = "agreed"
                    elif stage == "agreed" and last < today and rng.random() < 0.9:
                        stage = "closed"  # its follow-up was made; one in ten is overdue
                    agreement = Agreement(
                        terms=rng.choice(TERMS),
                        signatures="双方当事人及调解员",
                        signed_on=timezone.localdate(signed_at),
                        follow_up_days=days,
                        follow_up_from=opens,
                        follow_up_due=last,
                        recorded_by_id=worker,
                        created_at=signed_at,
                    )
                    mine.append(agreement)
                    case.status = Status.AGREED
                    case.events_plan.append(
                        ("agreement", Status.MEDIATING, Status.AGREED, agreement.terms, signed_at)
                    )
                    case.due_at, case.warn_at = clock.follow_up_clock(opens, last)
                    if stage == "closed":
                        late = rng.random() < 0.08
                        day = (
                            last + datetime.timedelta(days=rng.randint(1, 5))
                            if late
                            else opens + datetime.timedelta(days=rng.randint(0, max(0, (last - opens).days)))
                        )
                        held_at = min(
                            now, clock.day_start(day) + datetime.timedelta(hours=rng.randint(9, 16))
                        )
                        mine.append(
                            FollowUp(
                                agreement=agreement,
                                held_at=held_at,
                                holds=True,
                                notes="协议已履行，双方无新矛盾",
                                on_time=timezone.localdate(held_at) <= last,
                                recorded_by_id=worker,
                            )
                        )
                        case.status, case.concluded_at, case.due_at, case.warn_at = (
                            Status.CLOSED,
                            held_at,
                            None,
                            None,
                        )
                        case.events_plan.append(
                            ("follow_up", Status.AGREED, Status.CLOSED, "协议已履行", held_at)
                        )
        case.light = (
            light_at(due_at=case.due_at, warn_at=case.warn_at, now=now) if case.due_at else Light.GREEN
        )
        case.light_changed_at = now
        built = Case(**case.fields())
        built.events_plan = case.events_plan
        cases.append(built)
        for row in mine:
            row.case = built
            {Session: sessions, Agreement: agreements, FollowUp: follow_ups}[type(row)].append(row)

    bulk_insert(cases, batch_size=BATCH)
    for case, (worker, parties, outside) in zip(cases, plans, strict=True):
        roles = [PartyRole.APPLICANT, PartyRole.RESPONDENT]
        for role, resident in zip(roles, parties, strict=False):
            party_rows.append(Party(case=case, role=role, resident_id=resident))
        if outside:
            party_rows.append(
                Party(
                    case=case,
                    role=PartyRole.RESPONDENT if parties else PartyRole.APPLICANT,
                    name=ctx.person_name(),
                )
            )
        for action, before, after, note, at in case.events_plan:
            events.append(
                CaseEvent(
                    case=case,
                    actor_id=worker,
                    action=action,
                    from_status=before,
                    to_status=after,
                    note=note,
                    at=at,
                )
            )
    bulk_insert(party_rows, batch_size=BATCH)
    bulk_insert(sessions, batch_size=BATCH)
    Agreement.objects.bulk_create(agreements, batch_size=BATCH)
    for follow_up in follow_ups:
        follow_up.agreement_id = follow_up.agreement.pk
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    bulk_insert(events, batch_size=BATCH)

    reports = _reports(ctx, grids, cases, now, today)
    notices = _notices(cases, grids, now)
    open_high = sum(
        1 for c in cases if c.risk == Risk.HIGH and c.status not in (Status.CLOSED, Status.REFERRED)
    )
    ctx.log(
        f"    {len(cases)} disputes ({sum(c.status == Status.CLOSED for c in cases)} settled, "
        f"{sum(c.status == Status.REFERRED for c in cases)} referred, {open_high} open high-risk), "
        f"{len(reports)} monthly reports, {notices} notices"
    )


def _reports(ctx, grids, cases, now, today) -> list[MonthlyReport]:
    rng = ctx.rng
    found = defaultdict(int)
    for case in cases:
        found[(case.grid_id, clock.month_of(timezone.localdate(case.registered_at)))] += 1
    rows = []
    for grid in grids:
        for back in range(12, -1, -1):
            month = _month_start(today, back)
            due = clock.report_due(month)
            n = found[(grid.pk, month)]
            if due > now:  # the month under way: some grids have reported already
                if rng.random() < 0.55 and now >= clock.day_start(month.replace(day=min(today.day, 28))):
                    reported = now - datetime.timedelta(hours=rng.randint(1, 48))
                    reported = max(reported, clock.day_start(month))
                    rows.append(_report(grid, month, n, reported, due))
                continue
            fate = _weighted(rng, [("on_time", 92), ("late", 5), ("missed", 3)])
            if fate == "missed":
                rows.append(
                    MonthlyReport(grid_id=grid.pk, month=month, status=ReportStatus.MISSED, due_at=due)
                )
                continue
            if fate == "late":
                reported = due + datetime.timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8))
            else:
                reported = clock.day_start(month.replace(day=rng.randint(18, 25))) + datetime.timedelta(
                    hours=rng.randint(9, 17)
                )
            rows.append(_report(grid, month, n, min(reported, now), due))
    bulk_insert(rows, batch_size=BATCH)
    return rows


def _report(grid, month, n, reported, due) -> MonthlyReport:
    return MonthlyReport(
        grid_id=grid.pk,
        month=month,
        status=ReportStatus.REPORTED if n else ReportStatus.ZERO,
        cases_found=n,
        reported_at=reported,
        on_time=reported < due,
        due_at=due,
    )


def _notices(cases, grids, now) -> int:
    """High-risk notices of the open high-risk cases to the community's and street's heads and officials."""
    parent = {g.pk: g.parent_id for g in grids}
    leading = defaultdict(list)
    for node_id, user_id in Post.objects.filter(
        is_active=True,
        kind__in=[PostKind.HEAD, PostKind.OFFICIAL],
        node__kind__in=[NodeKind.COMMUNITY, NodeKind.STREET],
    ).values_list("node_id", "user_id"):
        leading[node_id].append(user_id)
    community_street = dict(GridNode.objects.filter(kind=NodeKind.COMMUNITY).values_list("pk", "parent_id"))
    rows = []
    for case in cases:
        if case.risk != Risk.HIGH or case.status in (Status.CLOSED, Status.REFERRED):
            continue
        community = parent[case.grid_id]
        recipients = set(leading[community]) | set(leading[community_street.get(community)])
        for user_id in sorted(recipients):
            rows.append(
                Notice(
                    recipient_id=user_id,
                    kind=NoticeKind.HIGH_RISK,
                    case=case,
                    grid_id=case.grid_id,
                    text=f"高风险纠纷 #{case.pk}：{case.risk_reasons}",
                    dedupe_key=f"high:{case.pk}:demo:{user_id}",
                    created_at=case.graded_at or now,
                )
            )
    Notice.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)
