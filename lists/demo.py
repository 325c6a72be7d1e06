"""The demo's four lists and 四社联动: the resources of the 108 member units and 12 alliances,
needs taken from visits, petitions and deliberation topics, a need behind each of the 118 joint
projects (so "118 joint projects matched to needs" holds), open and matched needs with their
resources and claims, small wishes in every state, 25 social organisations and volunteer teams
with their activities, the duties of the responsibility list, and the `member` account (an
in-service Party member who reported to the `worker`'s grid). Bulk-inserted, from ctx.rng only.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from grids.models import GridNode, NodeKind, Post, PostKind
from lists.models import (
    Need,
    NeedMatch,
    NeedOrigin,
    NeedStatus,
    OrgActivity,
    OrgKind,
    Resource,
    ResourceKind,
    Responsibility,
    SocialOrganization,
    Wish,
    WishStatus,
)
from party.models import Alliance, InServiceMember, JointProject, MemberUnit, ProjectStatus

BATCH = 1000
VENUES = ["党员活动室", "会议室", "职工食堂", "篮球场", "多功能厅", "培训教室", "图书阅览室"]
SKILLS = [
    "义诊",
    "法律咨询",
    "家电维修",
    "理发",
    "心理疏导",
    "政策宣讲",
    "电脑培训",
    "书法教学",
    "安全用电检查",
]
HOURS_FOR = ["志愿服务时长", "党员志愿服务", "职工志愿者"]
FUNDS_FOR = ["共建资金", "帮扶资金", "慰问金"]
WISHES = [
    "一台轮椅",
    "孩子的书包和文具",
    "冬季取暖煤",
    "一部老人手机",
    "助听器",
    "一次上门理发",
    "棉被一床",
    "电饭锅",
    "学习用台灯",
    "换一个燃气灶",
    "修好漏水的水龙头",
    "一副老花镜",
]
NEED_TITLES = [
    "楼道照明维修",
    "老年人助餐",
    "儿童课后托管",
    "小区健身器材更新",
    "独居老人定期探访",
    "困难家庭子女助学",
    "垃圾分类宣传",
    "雨污管网疏通",
]
ORGS = [
    ("和龙市{}社区志愿服务队", OrgKind.VOLUNTEER_TEAM, "助老、环境整治、文明劝导"),
    ("{}邻里互助会", OrgKind.SOCIAL_ORG, "邻里互助、调解、文体活动"),
]
STREET_ORGS = [
    ("{}红袖标巡逻队", OrgKind.VOLUNTEER_TEAM, "治安巡逻、防火宣传"),
]
CITY_ORGS = [
    ("和龙市阳光社会工作服务中心", OrgKind.SOCIAL_WORK, "个案服务、困境儿童帮扶"),
    ("和龙市巾帼志愿者协会", OrgKind.SOCIAL_ORG, "妇女儿童关爱、家庭教育"),
]
ACTIVITY_TITLES = ["敬老院慰问", "小区环境清扫", "义务理发", "防诈骗宣传", "四点半课堂", "健康讲座"]


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _codes(rng, n: int) -> list[str]:
    seen: set[str] = set()
    result = []
    while len(result) < n:
        code = f"{rng.getrandbits(32):08X}"
        if code not in seen and not Wish.objects.filter(confirmation_code=code).exists():
            seen.add(code)
            result.append(code)
    return result


def _resources(rng, units, alliances) -> list[Resource]:
    rows = []
    for alliance in alliances:
        rows.append(
            Resource(
                node_id=alliance.node_id,
                alliance=alliance,
                kind=ResourceKind.FUNDS,
                title=f"{alliance.name}{rng.choice(FUNDS_FOR)}",
                amount=Decimal(rng.randint(50, 300) * 1000),
            )
        )
        rows.append(
            Resource(
                node_id=alliance.node_id,
                alliance=alliance,
                kind=ResourceKind.STAFF_HOURS,
                title=f"{alliance.name}{rng.choice(HOURS_FOR)}",
                hours=Decimal(rng.randint(20, 80) * 10),
            )
        )
    for unit in units:
        node_id = unit.alliance.node_id
        rows.append(
            Resource(
                node_id=node_id,
                unit=unit,
                alliance_id=unit.alliance_id,
                kind=ResourceKind.VENUE,
                title=f"{unit.name}{rng.choice(VENUES)}",
                capacity=rng.choice([20, 30, 50, 80, 120]),
            )
        )
        second = rng.choice([ResourceKind.STAFF_HOURS, ResourceKind.SKILL, ResourceKind.FUNDS])
        extra = {
            ResourceKind.STAFF_HOURS: {"hours": Decimal(rng.randint(4, 40) * 5), "title": "职工志愿服务时长"},
            ResourceKind.SKILL: {"title": rng.choice(SKILLS)},
            ResourceKind.FUNDS: {
                "amount": Decimal(rng.randint(100, 5000) * 10) + Decimal(rng.choice(["0", "0.50"])),
                "title": "结对帮扶资金",
            },
        }[second]
        title = extra.pop("title")
        rows.append(
            Resource(
                node_id=node_id,
                unit=unit,
                alliance_id=unit.alliance_id,
                kind=second,
                title=f"{unit.name}{title}",
                **extra,
            )
        )
    Resource.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def _origins(grids) -> dict[int, list[tuple[str, str, str]]]:
    """Per grid, what needs can come from: problem visits, petitions, deliberation topics."""
    from deliberation.models import Topic
    from petitions.models import Petition
    from residents.models import Visit

    found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    grid_ids = [g.pk for g in grids]
    for pk, grid_id, text in (
        Visit.objects.filter(problem_found=True, grid_id__in=grid_ids)
        .exclude(problem_description="")
        .order_by("pk")
        .values_list("pk", "grid_id", "problem_description")[:600]
    ):
        found[grid_id].append((NeedOrigin.VISIT, str(pk), text))
    for pk, grid_id, text in (
        Petition.objects.filter(grid_id__in=grid_ids)
        .order_by("-pk")
        .values_list("pk", "grid_id", "description")[:600]
    ):
        found[grid_id].append((NeedOrigin.PETITION, str(pk), text))
    for pk, grid_id, text in (
        Topic.objects.filter(node_id__in=grid_ids).order_by("pk").values_list("pk", "node_id", "title")
    ):
        found[grid_id].append((NeedOrigin.TOPIC, str(pk), text))
    return found


def _title(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:40] or "居民需求"


def load(ctx) -> None:
    rng = ctx.rng
    now = timezone.now()
    today = timezone.localdate(now)
    grids = [g for g in ctx.data["grids"] if g.kind == NodeKind.GRID]
    grid_by_id = {g.pk: g for g in grids}
    street_of = {c.pk: c.parent_id for c in ctx.data["communities"]}
    alliances = list(Alliance.objects.order_by("pk"))
    units = list(MemberUnit.objects.select_related("alliance").order_by("pk"))
    unit_grids: dict[int, list[int]] = defaultdict(list)
    for unit_id, grid_id in MemberUnit.grids.through.objects.order_by("pk").values_list(
        "memberunit_id", "gridnode_id"
    ):
        unit_grids[grid_id].append(unit_id)
    members_by_grid: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id in (
        InServiceMember.objects.filter(grid__isnull=False).order_by("pk").values_list("pk", "grid_id")
    ):
        members_by_grid[grid_id].append(pk)
    workers = ctx.data.get("workers_by_grid", {})

    resources = _resources(rng, units, alliances)
    funds_of_street = defaultdict(list)
    for r in resources:
        funds_of_street[r.node_id].append(r)

    # --- social organisations ---------------------------------------------------------------
    organizations = []
    for community in ctx.data["communities"]:
        for pattern, kind, offers in ORGS:
            organizations.append(
                SocialOrganization(
                    node=community,
                    name=pattern.format(community.name),
                    kind=kind,
                    services=offers,
                    contact_name=ctx.person_name(),
                    contact_phone=f"139{rng.randrange(10**8):08d}",
                    members=rng.randint(12, 80),
                )
            )
    for street in ctx.data["streets"]:
        for pattern, kind, offers in STREET_ORGS:
            organizations.append(
                SocialOrganization(
                    node=street,
                    name=pattern.format(street.name),
                    kind=kind,
                    services=offers,
                    contact_name=ctx.person_name(),
                    contact_phone=f"139{rng.randrange(10**8):08d}",
                    members=rng.randint(20, 120),
                )
            )
    for name, kind, offers in CITY_ORGS:
        organizations.append(
            SocialOrganization(
                node=ctx.data["city"],
                name=name,
                kind=kind,
                services=offers,
                contact_name=ctx.person_name(),
                contact_phone=f"139{rng.randrange(10**8):08d}",
                members=rng.randint(20, 60),
            )
        )
    SocialOrganization.objects.bulk_create(organizations)
    node_of = {n.pk: n for n in [ctx.data["city"], *ctx.data["streets"], *ctx.data["communities"]]}

    def orgs_over(grid: GridNode) -> list[SocialOrganization]:
        return [
            o
            for o in organizations
            if node_of[o.node_id].tree_id == grid.tree_id
            and node_of[o.node_id].lft <= grid.lft
            and node_of[o.node_id].rght >= grid.rght
        ]

    origins = _origins(grids)

    def origin_for(grid_id: int) -> tuple[str, str, str]:
        pool = origins.get(grid_id)
        if pool:
            return pool.pop(rng.randrange(len(pool)))
        return (NeedOrigin.OTHER, "", rng.choice(NEED_TITLES))

    # --- a need behind each joint project ---------------------------------------------------
    needs: list[Need] = []
    project_grids: dict[int, list[int]] = defaultdict(list)
    for project_id, grid_id in JointProject.grids.through.objects.order_by("pk").values_list(
        "jointproject_id", "gridnode_id"
    ):
        project_grids[project_id].append(grid_id)
    projects = list(JointProject.objects.order_by("pk"))
    for project in projects:
        grid_id = project_grids[project.pk][0]
        kind, origin_id, text = origin_for(grid_id)
        done = project.status == ProjectStatus.COMPLETED
        needs.append(
            Need(
                grid_id=grid_id,
                title=_title(text) if kind != NeedOrigin.OTHER else project.name[:120],
                description=f"转为共建项目：{project.name}",
                origin_kind=kind,
                origin_id=origin_id,
                status=NeedStatus.CLOSED if done else NeedStatus.PROJECT,
                project=project,
                closed_at=_aware(project.ends_on or today, 17) if done else None,
            )
        )
    project_needs = len(needs)

    # --- open and matched needs (two in each grid; two of three matched, most claimed) -------
    n = 0
    for grid in grids:
        for _ in range(2):
            kind, origin_id, text = origin_for(grid.pk)
            claim: dict = {}
            matched = n % 3 != 0
            n += 1
            if matched:
                choice = rng.random()
                paired = unit_grids.get(grid.pk, [])
                serving = orgs_over(grid)
                if choice < 0.4 and paired:
                    claim["claimed_by_unit_id"] = rng.choice(paired)
                elif choice < 0.7 and serving:
                    claim["claimed_by_org_id"] = rng.choice(serving).pk
                elif members_by_grid.get(grid.pk):
                    claim["claimed_by_member_id"] = rng.choice(members_by_grid[grid.pk])
                if claim:
                    claim["claimed_at"] = now - datetime.timedelta(days=rng.randint(1, 60))
            needs.append(
                Need(
                    grid_id=grid.pk,
                    title=_title(text),
                    description=text[:4000],
                    origin_kind=kind,
                    origin_id=origin_id,
                    status=NeedStatus.MATCHED if matched else NeedStatus.OPEN,
                    **claim,
                )
            )
    extra = needs[project_needs:]

    # --- small wishes -----------------------------------------------------------------------
    wish_needs: list[Need] = []
    wish_rows: list[dict] = []
    states = [
        WishStatus.OPEN,
        WishStatus.CLAIMED,
        WishStatus.FULFILLED,
        WishStatus.CONFIRMED,
        WishStatus.CANCELLED,
    ]
    worker_grid = _worker_grid()
    for grid in grids:
        count = 7 if grid.pk == worker_grid else rng.randint(1, 3)
        for n in range(count):
            state = (
                states[n % len(states)]
                if grid.pk == worker_grid
                else rng.choices(states, weights=[25, 20, 15, 35, 5])[0]
            )
            title = rng.choice(WISHES)
            need_status = {
                WishStatus.OPEN: NeedStatus.OPEN,
                WishStatus.CLAIMED: NeedStatus.MATCHED,
                WishStatus.FULFILLED: NeedStatus.MATCHED,
            }.get(state, NeedStatus.CLOSED)
            wish_needs.append(
                Need(
                    grid_id=grid.pk,
                    title=f"微心愿：{title}",
                    description=f"居民希望得到{title}",
                    origin_kind=NeedOrigin.WISH,
                    status=need_status,
                )
            )
            wish_rows.append({"state": state, "grid": grid.pk})
    Need.objects.bulk_create(needs + wish_needs, batch_size=BATCH)

    codes = _codes(rng, len(wish_rows))
    wishes = []
    for need, row, code in zip(wish_needs, wish_rows, codes):
        state = row["state"]
        wish = Wish(need=need, resident_name=ctx.person_name(), status=state, confirmation_code=code)
        if state in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED):
            paired = unit_grids.get(row["grid"], [])
            members = members_by_grid.get(row["grid"], [])
            if paired and (rng.random() < 0.5 or not members):
                wish.claimed_by_unit_id = rng.choice(paired)
            elif members:
                wish.claimed_by_member_id = rng.choice(members)
            wish.claimed_at = now - datetime.timedelta(days=rng.randint(10, 90))
        if state in (WishStatus.FULFILLED, WishStatus.CONFIRMED) and wish.claimed_at:
            wish.fulfilled_at = wish.claimed_at + datetime.timedelta(days=rng.randint(1, 7))
        if state == WishStatus.CONFIRMED and wish.fulfilled_at:
            wish.confirmed_at = wish.fulfilled_at + datetime.timedelta(days=rng.randint(0, 3))
        wishes.append(wish)
    Wish.objects.bulk_create(wishes, batch_size=BATCH)
    for need, wish in zip(wish_needs, wishes):
        if wish.confirmed_at:
            need.closed_at = wish.confirmed_at
    Need.objects.bulk_update([n for n in wish_needs if n.closed_at], ["closed_at"], batch_size=BATCH)

    # --- matches: funds and hours committed within what is offered ----------------------------
    left = {r.pk: (r.amount or Decimal("0"), r.hours or Decimal("0")) for r in resources}
    matches = []
    matched_needs = needs[:project_needs] + [n for n in extra if n.status == NeedStatus.MATCHED]
    for need in matched_needs:
        street_id = street_of[grid_by_id[need.grid_id].parent_id]
        pool = funds_of_street.get(street_id) or []
        for resource in rng.sample(pool, min(len(pool), rng.randint(1, 2))):
            amount, hours = Decimal("0"), Decimal("0")
            money, time = left[resource.pk]
            if resource.kind == ResourceKind.FUNDS:
                amount = min(money, Decimal(rng.randint(5, 100) * 100))
                if amount <= 0:
                    continue
            elif resource.kind == ResourceKind.STAFF_HOURS:
                hours = min(time, Decimal(rng.randint(2, 20)))
                if hours <= 0:
                    continue
            left[resource.pk] = (money - amount, time - hours)
            matches.append(
                NeedMatch(need=need, resource=resource, amount=amount, hours=hours, note="网格员对接")
            )
    NeedMatch.objects.bulk_create(matches, batch_size=BATCH)

    # --- responsibilities ---------------------------------------------------------------------
    duties = []
    project_units = defaultdict(list)
    for project_id, unit_id in JointProject.units.through.objects.order_by("pk").values_list(
        "jointproject_id", "memberunit_id"
    ):
        project_units[project_id].append(unit_id)
    for project in projects:
        chosen = project_units.get(project.pk)
        if chosen:
            duties.append(
                Responsibility(
                    node_id=project.node_id,
                    project=project,
                    holder_unit_id=chosen[0],
                    duty="牵头实施，按月报告进度",
                    due_on=project.ends_on,
                )
            )
    for need in extra:
        staff = workers.get(need.grid_id)
        if staff:
            duties.append(
                Responsibility(
                    node_id=need.grid_id,
                    need=need,
                    holder_user_id=staff[0],
                    duty="跟踪需求对接，回访居民",
                    due_on=today + datetime.timedelta(days=rng.randint(7, 60)),
                )
            )
    first_unit = {}
    for unit in units:
        first_unit.setdefault(unit.alliance_id, unit.pk)
    for resource in resources[: len(alliances) * 2 : 2]:  # each alliance's fund
        duties.append(
            Responsibility(
                node_id=resource.node_id,
                resource=resource,
                holder_unit_id=first_unit[resource.alliance_id],
                duty="管理资金使用，公示去向",
            )
        )
    Responsibility.objects.bulk_create(duties, batch_size=BATCH)

    # --- activities of the organisations ----------------------------------------------------
    activities = []
    for grid in grids:
        serving = orgs_over(grid)
        if not serving:
            continue
        for _ in range(rng.randint(0, 2)):
            activities.append(
                OrgActivity(
                    organization=rng.choice(serving),
                    grid_id=grid.pk,
                    title=rng.choice(ACTIVITY_TITLES),
                    held_on=today - datetime.timedelta(days=rng.randint(1, 200)),
                    participants=rng.randint(5, 60),
                    hours=Decimal(rng.randint(2, 12)),
                )
            )
    OrgActivity.objects.bulk_create(activities, batch_size=BATCH)

    member = _member_account(ctx, worker_grid)
    ctx.log(
        f"    {len(resources)} resources of {len(units)} units and {len(alliances)} alliances, "
        f"{len(needs) + len(wish_needs)} needs ({project_needs} behind the "
        f"{len({n.project_id for n in needs[:project_needs]})} joint projects), "
        f"{len(wishes)} small wishes, {len(matches)} matches, {len(duties)} duties, "
        f"{len(organizations)} organisations with {len(activities)} activities"
        + (", the member account (member)" if member else "")
    )


def _worker_grid() -> int | None:
    return (
        Post.objects.filter(user__username="worker", kind=PostKind.WORKER, is_active=True)
        .values_list("node_id", flat=True)
        .first()
    )


def _member_account(ctx, grid_id: int | None):
    """The demo's in-service Party member login (`member`): party's demo gives it to a member who
    reported to the worker's grid; without it, the first such member gets one here."""
    if grid_id is None:
        return None
    existing = get_user_model().objects.filter(username="member").first()
    if existing is not None:
        return existing
    member = InServiceMember.objects.filter(grid_id=grid_id, user__isnull=True).order_by("pk").first()
    if member is None:
        return None
    User = get_user_model()
    user = User.objects.create(username="member", name=member.name, password=ctx.password_hash)
    InServiceMember.objects.filter(pk=member.pk).update(user=user)
    return user
