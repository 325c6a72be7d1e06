"""Helong's compounds, its 红心物业 firms and its old-compound renovation (the seed's figures):
10 property firms in the 红心物业 system serving 27 compounds, other compounds managed by their
residents or by nobody, and 23 renovated old compounds whose budgets total a little over
13,000,000 yuan (13,0xx,xxx.xx, drawn from ctx.rng), with spending, milestones and surveys;
a year of residents' scores and inspections, and the firms' star boards of the last two
quarters (the older one published, the last one a draft for the street to publish).

Compounds take consecutive buildings of one community (so some span two grids). Runs after
residents and petitions (it reads their buildings and categories); bulk inserts throughout.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.crypto import lookup_hash, mask_phone
from property import rating, services
from property.models import (
    BudgetLine,
    Compound,
    CompoundBuilding,
    CompoundKind,
    FirmInspection,
    FirmSatisfactionSample,
    FundingSource,
    Milestone,
    PartyForm,
    ProjectStatus,
    PropertyCategory,
    PropertyFirm,
    RenovationProject,
    ScopeItem,
    Service,
    SpendingEntry,
    SurveyAnswer,
)

FIRMS = [  # (street index, name)
    (0, "和龙市龙城物业服务有限公司"),
    (0, "和龙市青龙物业管理有限公司"),
    (0, "和龙市文化物业服务有限公司"),
    (0, "和龙市和平家园物业有限公司"),
    (1, "和龙市光明物业服务有限公司"),
    (1, "和龙市新兴物业管理有限公司"),
    (1, "和龙市南山物业服务有限公司"),
    (2, "和龙市民惠物业服务有限公司"),
    (2, "和龙市长安物业管理有限公司"),
    (2, "和龙市东城物业服务有限公司"),
]
FIRM_COMPOUNDS = 27  # served by the 红心物业 firms; 9 of them old compounds renovated
RENOVATED = 23  # old compounds renovated: 9 served by firms, 14 self-managed or without a firm
OTHERS = [  # compounds neither served by a firm nor renovated
    (CompoundKind.SCATTERED, Service.NONE),
    (CompoundKind.SCATTERED, Service.NONE),
    (CompoundKind.DORMITORY, Service.SELF),
    (CompoundKind.ABANDONED, Service.NONE),
    (CompoundKind.OLD, Service.SELF),
]
PROPERTY_CATEGORIES = ["SR01", "SR02", "SS03", "SS04"]  # garbage, clutter, water, heating
NAMES = ["花园", "家园", "小区", "新村", "公寓", "苑", "嘉园", "雅居"]
PLACES = [
    "龙城",
    "青龙",
    "文化",
    "和平",
    "光明",
    "新兴",
    "南山",
    "民惠",
    "长安",
    "东城",
    "海兰",
    "仙峰",
    "福洞",
    "八家子",
]
SHARES = [  # funding source and its share of a budget (the repair fund takes the rest)
    (FundingSource.CENTRAL, (0.40, 0.50)),
    (FundingSource.PROVINCIAL, (0.15, 0.20)),
    (FundingSource.CITY, (0.15, 0.20)),
    (FundingSource.RESIDENTS, (0.03, 0.06)),
]
MILESTONES = ["施工进场", "主体工程完工", "竣工验收"]
WORKS = ["屋面防水", "管网更换", "外墙保温", "路面硬化", "路灯安装", "停车位划设", "绿化补植", "监理费用"]


def _fen(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def _split(rng, total: int, parts: int) -> list[int]:
    """`total` fen in `parts` uneven integer parts that add up exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = sum(weights)
    amounts = [int(total * w / scale) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def _firms(ctx, streets) -> list[PropertyFirm]:
    rng = ctx.rng
    firms = []
    for n, (street, name) in enumerate(FIRMS):
        phone = f"139{rng.randint(10000000, 99999999)}"
        instructor = n % 3 == 2
        firms.append(
            PropertyFirm(
                name=name,
                credit_code=f"912224{rng.randint(10**10, 10**11 - 1)}{n % 10}",
                street=streets[street],
                contact_name=ctx.person_name(),
                contact_phone=phone,
                contact_phone_hint=mask_phone(phone),
                contact_phone_hash=lookup_hash(phone),
                party_joined_on=datetime.date(2019 + n % 4, rng.randint(1, 12), 1),
                party_form=PartyForm.INSTRUCTOR if instructor else PartyForm.BRANCH,
                party_instructor=ctx.person_name() if instructor else "",
                in_joint_committee=n % 5 != 4,
            )
        )
    return PropertyFirm.objects.bulk_create(firms)


def _compounds(ctx, firms) -> tuple[list[Compound], list[Compound]]:
    """All compounds, and the renovated ones among them."""
    rng = ctx.rng
    communities = ctx.data["communities"]
    streets = ctx.data["streets"]
    by_community: dict[int, list] = {c.pk: [] for c in communities}
    grid_parent = {g.pk: g.parent_id for g in ctx.data["grids"]}
    for building in sorted(ctx.data["buildings"], key=lambda b: (b.grid_id, int(b.number))):
        by_community[grid_parent[building.grid_id]].append(building)
    communities_of = {s.pk: [c for c in communities if c.parent_id == s.pk] for s in streets}

    # (community, kind, service, firm, renovated)
    plan = []
    for n in range(FIRM_COMPOUNDS):
        firm = firms[n % len(firms)]
        community = rng.choice(communities_of[firm.street_id])
        old = n >= FIRM_COMPOUNDS - (RENOVATED - 14)
        plan.append(
            (community, CompoundKind.OLD if old else CompoundKind.COMMERCIAL, Service.FIRM, firm, old)
        )
    for n in range(14):
        plan.append(
            (
                communities[n % len(communities)],
                CompoundKind.OLD,
                Service.SELF if n % 2 else Service.NONE,
                None,
                True,
            )
        )
    for n, (kind, service) in enumerate(OTHERS):
        plan.append((communities[(3 * n + 1) % len(communities)], kind, service, None, False))

    used_names: set[tuple[int, str]] = set()
    compounds, links, renovated = [], [], []
    cursor = dict.fromkeys(by_community, 0)
    for community, kind, service, firm, is_renovated in plan:
        while True:
            name = rng.choice(PLACES) + rng.choice(NAMES)
            if (community.pk, name) not in used_names:
                used_names.add((community.pk, name))
                break
        old = kind in (CompoundKind.OLD, CompoundKind.DORMITORY, CompoundKind.ABANDONED)
        compound = Compound(
            community=community,
            name=name,
            kind=kind,
            service=service,
            firm=firm,
            year_built=rng.randint(1980, 1999) if old else rng.randint(2003, 2020),
        )
        compounds.append(compound)
        if is_renovated:
            renovated.append(compound)
    Compound.objects.bulk_create(compounds)
    for compound in compounds:
        pool = by_community[compound.community_id]
        size = rng.randint(3, 8)
        start = cursor[compound.community_id]
        for building in pool[start : start + size]:
            links.append(CompoundBuilding(compound=compound, building_id=building.pk))
        cursor[compound.community_id] = start + size
    CompoundBuilding.objects.bulk_create(links)
    return compounds, renovated


def _renovations(ctx, renovated: list[Compound], today: datetime.date) -> list[RenovationProject]:
    rng = ctx.rng
    total = 13_000_000_00 + rng.randint(1_000_000, 9_999_999)  # fen: 13,01x,xxx.xx – 13,09x,xxx.xx
    budgets = _split(rng, total, len(renovated))
    projects, lines, spending, milestones, answers = [], [], [], [], []
    for n, compound in enumerate(renovated):
        year = 2019 + n % 6
        started = datetime.date(year, rng.randint(4, 6), rng.randint(1, 28))
        if year >= today.year:
            status = ProjectStatus.UNDERWAY if n % 2 else ProjectStatus.PLANNED
        else:
            status = ProjectStatus.COMPLETED
        completed = (
            datetime.date(year, rng.randint(9, 11), rng.randint(1, 28))
            if status == ProjectStatus.COMPLETED
            else None
        )
        scope = [item for item in ScopeItem.values if rng.random() < 0.45] or [ScopeItem.ROOF]
        projects.append(
            RenovationProject(
                compound=compound,
                name=f"{compound.name}老旧小区改造",
                year=year,
                scope=scope,
                status=status,
                started_on=started if status != ProjectStatus.PLANNED else None,
                completed_on=completed,
            )
        )
    RenovationProject.objects.bulk_create(projects)
    for project, budget in zip(projects, budgets, strict=True):
        left = budget
        for source, (low, high) in SHARES:
            amount = int(budget * rng.uniform(low, high))
            lines.append(BudgetLine(project=project, source=source, amount=_fen(amount)))
            left -= amount
        lines.append(BudgetLine(project=project, source=FundingSource.REPAIR_FUND, amount=_fen(left)))
        if project.status == ProjectStatus.PLANNED:
            continue
        share = rng.uniform(0.92, 1.0) if project.status == ProjectStatus.COMPLETED else rng.uniform(0.3, 0.7)
        entries = rng.randint(3, 6)
        end = project.completed_on or today
        span = max((end - project.started_on).days, 1)
        for k, amount in enumerate(_split(rng, int(budget * share), entries)):
            spending.append(
                SpendingEntry(
                    project=project,
                    spent_on=project.started_on + datetime.timedelta(days=span * (k + 1) // entries),
                    amount=_fen(amount),
                    what=rng.choice(WORKS),
                )
            )
        reached = MILESTONES if project.status == ProjectStatus.COMPLETED else MILESTONES[:1]
        for k, title in enumerate(reached):
            day = project.started_on + datetime.timedelta(days=span * k // max(len(reached) - 1, 1))
            milestones.append(Milestone(project=project, title=title, reached_on=min(day, end)))
        if project.status == ProjectStatus.COMPLETED:
            for _ in range(rng.randint(20, 40)):
                answers.append(
                    SurveyAnswer(
                        project=project,
                        satisfied=rng.random() < 0.93,
                        answered_on=project.completed_on + datetime.timedelta(days=rng.randint(5, 40)),
                    )
                )
    BudgetLine.objects.bulk_create(lines)
    SpendingEntry.objects.bulk_create(spending)
    Milestone.objects.bulk_create(milestones)
    SurveyAnswer.objects.bulk_create(answers)
    return projects


def _samples_and_inspections(ctx, compounds: list[Compound], today: datetime.date) -> None:
    """A year of residents' scores (taken on visits) and inspections of the firms' compounds."""
    rng = ctx.rng
    samples, inspections = [], []
    served = [c for c in compounds if c.firm_id]
    quality = {c.firm_id: rng.uniform(2.8, 4.7) for c in served}
    for compound in served:
        for days_ago in range(5, 365, 30):
            day = today - datetime.timedelta(days=days_ago)
            for _ in range(rng.randint(2, 4)):
                score = min(5, max(1, round(rng.gauss(quality[compound.firm_id], 0.7))))
                samples.append(
                    FirmSatisfactionSample(
                        firm_id=compound.firm_id, compound=compound, score=score, sampled_on=day
                    )
                )
        for days_ago in range(20, 365, 91):
            inspections.append(
                FirmInspection(
                    firm_id=compound.firm_id,
                    compound=compound,
                    inspected_on=today - datetime.timedelta(days=days_ago),
                    score=min(100, max(50, round(quality[compound.firm_id] * 20 + rng.uniform(-6, 6)))),
                    findings=rng.choice(
                        ["楼道保洁到位", "消防通道有杂物，已限期整改", "绿化养护良好", "监控设备部分损坏"]
                    ),
                )
            )
    FirmSatisfactionSample.objects.bulk_create(samples)
    FirmInspection.objects.bulk_create(inspections)


def _boards(ctx, today: datetime.date) -> int:
    """The last two quarters' star boards of each street: the older published, the last a draft."""
    year, quarter = rating.quarter_of(today)
    last = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    older = (last[0], last[1] - 1) if last[1] > 1 else (last[0] - 1, 4)
    boards = 0
    for street in ctx.data["streets"]:
        board = services.board_compute(actor=SYSTEM, street=street, year=older[0], quarter=older[1])
        services.board_publish(actor=SYSTEM, board=board)
        services.board_compute(actor=SYSTEM, street=street, year=last[0], quarter=last[1])
        boards += 2
    return boards


def load(ctx) -> None:
    today = timezone.localdate()
    categories = [c for c in ctx.data.get("categories", []) if c.code in PROPERTY_CATEGORIES]
    PropertyCategory.objects.bulk_create([PropertyCategory(category=c) for c in categories])
    firms = _firms(ctx, ctx.data["streets"])
    compounds, renovated = _compounds(ctx, firms)
    projects = _renovations(ctx, renovated, today)
    _samples_and_inspections(ctx, compounds, today)
    boards = _boards(ctx, today)
    total = sum(
        (line.amount for line in BudgetLine.objects.filter(project__in=projects).only("amount")),
        start=Decimal(0),
    )
    ctx.data["compounds"] = compounds
    ctx.log(
        f"    {len(firms)} 红心物业 firms serving {FIRM_COMPOUNDS} compounds, {len(compounds)} compounds, "
        f"{len(projects)} renovated old compounds ({total:,} yuan), {boards} star boards"
    )
