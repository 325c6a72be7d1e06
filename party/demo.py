"""The Party chain over the demo city (3 working committees, 10 general branches, 52 grid
branches over the 69 grids, a building group and a central household for every one or two
buildings), 12 alliances with 108 member units and 2,141 in-service members who reported to
their grids, 118 joint projects, 49 general social workers qualified for 52 items at 3 windows
on a rotation, and a year of volunteer activities with their points.

Everything is bulk-inserted; the organisation tree is rebuilt once, under the tree lock. The
`volunteer` account (a resident of the `worker`'s grid) has an activity under way that the
`worker` organises, so the whole journey can be walked through.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from grids.models import GridNode
from hlgrid.models import User
from hlgrid.trees import tree_write
from party import services
from party.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Alliance,
    EntryKind,
    InServiceMember,
    InServiceRecord,
    JointProject,
    MemberRole,
    MemberUnit,
    OrgKind,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    ProjectReport,
    ProjectStatus,
    Redemption,
    Reward,
    ServiceItem,
    ServiceWindow,
    SignUp,
    SignUpStatus,
    SocialWorker,
    UnitKind,
    Volunteer,
    WindowService,
)
from residents.models import Building, Household, Resident

GRID_BRANCHES = 52
ALLIANCES = 12
UNITS = 108
IN_SERVICE_MEMBERS = 2_141
PROJECTS = 118
SOCIAL_WORKERS = 49
BATCH = 2_000
RATE = Decimal("10")

ALLIANCE_THEMES = ["机关", "教育卫生", "国企金融", "社会组织"]

ORGANS = [
    "市委办公室",
    "市政府办公室",
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市纪委监委",
    "市财政局",
    "市民政局",
    "市人社局",
    "市住建局",
    "市卫健局",
    "市教育局",
    "市公安局",
    "市市场监管局",
    "市应急管理局",
    "市城管局",
    "市水务局",
    "市交通运输局",
    "市农业农村局",
    "市文旅局",
    "市司法局",
    "市自然资源局",
    "市生态环境分局",
    "市医保局",
    "市退役军人事务局",
    "市残联",
    "市妇联",
    "团市委",
    "市总工会",
    "市科协",
    "市统计局",
    "市审计局",
    "市林业局",
    "市商务局",
    "市发改局",
    "市信访局",
    "市档案馆",
    "市税务局",
]
INSTITUTIONS = [
    "市人民医院",
    "市中医医院",
    "市第一中学",
    "市第二中学",
    "市实验小学",
    "市第一小学",
    "市第二小学",
    "市职业高中",
    "市疾控中心",
    "市妇幼保健院",
    "市图书馆",
    "市文化馆",
    "市融媒体中心",
    "市社会福利院",
    "市政务服务中心",
    "市公证处",
    "市不动产登记中心",
    "市就业服务中心",
    "市朝鲜族中学",
    "市第三小学",
    "市特殊教育学校",
    "市幼儿园",
    "市中心血站",
    "市气象局",
]
ENTERPRISES = [
    "国网和龙市供电公司",
    "中国移动和龙分公司",
    "中国联通和龙分公司",
    "中国电信和龙分公司",
    "中国邮政和龙分公司",
    "和龙市自来水公司",
    "和龙市热力公司",
    "和龙农商银行",
    "农业银行和龙支行",
    "工商银行和龙支行",
    "建设银行和龙支行",
    "中国银行和龙支行",
    "吉林银行和龙支行",
    "和龙市燃气公司",
    "和龙市公交公司",
    "中国人寿和龙支公司",
    "和龙市粮食储备库",
    "和龙林业有限公司",
    "和龙市城投公司",
    "和龙市红色物业公司",
    "和龙市人参产业园",
    "和龙市边贸公司",
    "和龙市建筑公司",
    "和龙市矿业公司",
    "和龙市旅游公司",
    "和龙市果业公司",
]
SOCIAL = [
    "和龙市志愿者协会",
    "和龙市慈善总会",
    "和龙市红十字会",
    "和龙市老年协会",
    "和龙市社会工作协会",
    "和龙市律师协会",
    "和龙市个体劳动者协会",
    "和龙市青年商会",
    "和龙市书法家协会",
    "和龙市心理咨询协会",
    "和龙市家政服务协会",
    "和龙市餐饮协会",
    "和龙市义工联合会",
    "和龙市民族团结促进会",
    "和龙市退休教师协会",
    "和龙市摄影家协会",
    "和龙市朝鲜族老人协会",
    "和龙市医师协会",
    "和龙市物业管理协会",
    "和龙市关工委",
]

PROJECT_TYPES = [
    "全民健身场馆建设",
    "社区居家养老智慧服务",
    "老旧小区改造",
    "背街小巷硬化",
    "楼道照明亮化",
    "社区卫生服务站共建",
    "四点半课堂",
    "爱心食堂",
    "法律服务进社区",
    "平安社区视频监控",
    "垃圾分类示范",
    "社区图书角",
    "困难群众帮扶",
    "就业技能培训",
    "冬季清雪除冰",
    "健康义诊进社区",
    "民族团结进步示范",
    "红色物业建设",
    "停车位改造",
    "供暖管网改造",
    "便民服务站",
    "儿童友好社区",
    "社区文化广场",
    "心理健康服务站",
    "无障碍设施改造",
    "社区助餐点",
    "党群服务中心提升",
    "绿化美化",
]
REPORT_TEXTS = [
    "完成前期调研和方案设计",
    "资金已到位，开始施工",
    "主体工程完工过半",
    "组织共建单位党员志愿者参与",
    "召开居民议事会听取意见",
    "完成验收，居民满意",
    "因天气原因暂缓施工",
    "采购设备已安装调试",
]

ITEMS = [
    (
        "民政",
        "MZ",
        [
            "最低生活保障申请",
            "特困人员供养申请",
            "临时救助申请",
            "高龄津贴申领",
            "婚姻登记预约",
            "殡葬补贴申领",
            "养老服务补贴",
            "困境儿童保障",
        ],
    ),
    (
        "残联",
        "CL",
        ["残疾人证办理", "残疾人两项补贴", "残疾人辅助器具申领", "残疾人就业登记", "残疾人康复救助"],
    ),
    (
        "人社",
        "RS",
        [
            "就业登记",
            "失业登记",
            "灵活就业社保登记",
            "城乡居民养老保险参保",
            "养老金资格认证",
            "职业技能培训报名",
            "创业担保贷款申请",
        ],
    ),
    ("医保", None, ["城乡居民医保参保", "医保关系转移", "门诊慢特病申请", "异地就医备案", "医疗救助申请"]),
    (
        "卫健",
        "WJ",
        ["计划生育奖励扶助", "出生医学证明", "独生子女父母奖励", "家庭医生签约", "老年人健康体检预约"],
    ),
    ("住建", "ZJ", ["公租房申请", "住房补贴申领", "物业纠纷调解", "房屋安全鉴定申请"]),
    ("公安", "GA", ["居住证办理", "户口迁移咨询", "身份证办理预约", "流动人口登记"]),
    ("司法", None, ["法律援助申请", "人民调解申请", "公证咨询"]),
    ("退役军人", None, ["退役军人信息采集", "优待证办理", "优抚对象补助"]),
    ("工青妇", None, ["困难职工帮扶", "妇女维权咨询", "青少年心理辅导"]),
    ("综合", None, ["老年人优待证办理", "党员组织关系转接", "流动党员登记", "居民证明开具", "志愿者注册"]),
]

MONTH_THEMES = [
    "冬季清雪除冰",
    "新春送温暖",
    "学雷锋志愿服务",
    "文明祭扫宣传",
    "劳动美化家园",
    "关爱留守儿童",
    "红色教育进社区",
    "防汛安全巡查",
    "尊师重教慰问",
    "敬老爱老月",
    "消防安全宣传",
    "法治宣传进万家",
]
LECTURE_TOPICS = [
    "学习党的二十大精神",
    "党史学习教育",
    "基层治理与网格化",
    "民族团结进步",
    "党员先锋模范作用",
]
SERVICE_TITLES = [
    "楼道清扫",
    "为独居老人送餐",
    "义务理发",
    "家电义务维修",
    "政策宣传入户",
    "环境卫生整治",
    "陪伴留守儿童",
    "社区巡逻",
    "健康知识讲座",
    "清理小广告",
]
REWARDS = [
    ("毛巾两条", 30, None),
    ("理发服务券", 40, None),
    ("洗衣液一桶", 60, 200),
    ("保温杯", 80, 120),
    ("家政保洁一次", 120, 60),
    ("食用油一桶", 150, 150),
    ("大米一袋（10公斤）", 200, 150),
    ("体检套餐", 500, 20),
]


def _split(total: int, parts: int, rng) -> list[int]:
    base, extra = divmod(total, parts)
    larger = set(rng.sample(range(parts), extra))
    return [base + (1 if i in larger else 0) for i in range(parts)]


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def load(ctx) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    streets, communities, grids = ctx.data["streets"], ctx.data["communities"], ctx.data["grids"]
    grids_of: dict[int, list[GridNode]] = defaultdict(list)
    for grid in grids:
        grids_of[grid.parent_id].append(grid)
    communities_of: dict[int, list[GridNode]] = defaultdict(list)
    for community in communities:
        communities_of[community.parent_id].append(community)

    orgs = _load_chain(ctx, streets, communities, grids_of)
    _load_members(ctx, orgs)
    units, alliances = _load_alliances(ctx, orgs, streets, grids_of, communities_of)
    in_service = _load_in_service(ctx, units, grids, today)
    _load_projects(ctx, alliances, units, communities_of, grids_of, today)
    _load_windows(ctx, streets, grids, today)
    _load_time_bank(ctx, orgs, communities, grids_of, in_service, now, today)


# --- the chain --------------------------------------------------------------------------------


def _org(kind, code, name, node, parent=None, household=None) -> PartyOrganization:
    # lft/rght/tree_id/level are placeholders: the tree is rebuilt once at the end.
    return PartyOrganization(
        kind=kind,
        code=code,
        name=name,
        node=node,
        parent=parent,
        household=household,
        lft=0,
        rght=0,
        tree_id=0,
        level=0,
    )


def _load_chain(ctx, streets, communities, grids_of) -> dict:
    rng = ctx.rng
    committees = [_org(OrgKind.WORKING_COMMITTEE, f"P-{s.code}", f"{s.name}党工委", s) for s in streets]
    by_street = {c.node_id: c for c in committees}
    generals = [
        _org(OrgKind.GENERAL_BRANCH, f"P-{c.code}", f"{c.name}党总支", c, parent=by_street[c.parent_id])
        for c in communities
    ]
    # 52 grid branches over 69 grids: five per community, six in two of them; neighbouring
    # grids share a branch where there are fewer branches than grids.
    counts = [5] * len(communities)
    for index in rng.sample([i for i, c in enumerate(communities) if len(grids_of[c.pk]) >= 6], 2):
        counts[index] += 1
    assert sum(counts) == GRID_BRANCHES
    branches, branch_grids = [], []
    for general, community, count in zip(generals, communities, counts):
        cells = grids_of[community.pk]
        sizes = _split(len(cells), count, rng)
        start = 0
        for number, size in enumerate(sizes, start=1):
            members = cells[start : start + size]
            start += size
            name = f"{members[0].name}党支部" if size == 1 else f"{community.name}第{number}网格党支部"
            anchor = members[0] if size == 1 else community
            branches.append(
                _org(OrgKind.GRID_BRANCH, f"P-{community.code}-B{number}", name, anchor, parent=general)
            )
            branch_grids.append(members)

    buildings_by_grid: dict[int, list[Building]] = defaultdict(list)
    for building in ctx.data.get("buildings") or Building.objects.order_by("grid_id", "number"):
        buildings_by_grid[building.grid_id].append(building)
    households_by_building: dict[int, list[Household]] = defaultdict(list)
    households = ctx.data.get("households") or list(Household.objects.select_related("unit").order_by("pk"))
    for household in households:
        households_by_building[household.unit.building_id].append(household)

    groups, group_buildings, group_branch = [], [], []
    for b_index, cells in enumerate(branch_grids):
        for grid in cells:
            buildings = buildings_by_grid[grid.pk]
            index = 0
            while index < len(buildings):
                size = 2 if rng.random() < 0.5 else 1
                chunk = buildings[index : index + size]
                index += size
                name = "、".join(f"{b.number}号楼" for b in chunk)
                groups.append(
                    _org(
                        OrgKind.BUILDING_GROUP,
                        f"P-{grid.code}-G{chunk[0].number}",
                        f"{grid.name}{name}党小组",
                        grid,
                        parent=None,
                    )
                )
                group_buildings.append(chunk)
                group_branch.append(b_index)

    with tree_write(services.TREE):
        PartyOrganization.objects.bulk_create(committees)
        for general in generals:
            general.parent_id = general.parent.pk
        PartyOrganization.objects.bulk_create(generals)
        for branch in branches:
            branch.parent_id = branch.parent.pk
        PartyOrganization.objects.bulk_create(branches)
        for group, b_index in zip(groups, group_branch):
            group.parent_id = branches[b_index].pk
        PartyOrganization.objects.bulk_create(groups, batch_size=BATCH)

        centrals, central_contacts = [], []
        for group, chunk in zip(groups, group_buildings):
            homes = [h for b in chunk for h in households_by_building[b.pk]]
            if not homes:
                continue
            home = rng.choice(homes)
            neighbours = [h for h in homes if h.pk != home.pk]
            central = _org(
                OrgKind.CENTRAL_HOUSEHOLD,
                f"P-H{home.pk}",
                f"{home.label}党员中心户",
                group.node,
                household=home,
            )
            central.parent_id = group.pk
            centrals.append(central)
            central_contacts.append(rng.sample(neighbours, min(len(neighbours), rng.randint(5, 10))))
        PartyOrganization.objects.bulk_create(centrals, batch_size=BATCH)

        PartyOrganization.grids.through.objects.bulk_create(
            [
                PartyOrganization.grids.through(partyorganization_id=branch.pk, gridnode_id=grid.pk)
                for branch, cells in zip(branches, branch_grids)
                for grid in cells
            ]
        )
        PartyOrganization.buildings.through.objects.bulk_create(
            [
                PartyOrganization.buildings.through(partyorganization_id=group.pk, building_id=b.pk)
                for group, chunk in zip(groups, group_buildings)
                for b in chunk
            ],
            batch_size=BATCH,
        )
        PartyOrganization.contact_households.through.objects.bulk_create(
            [
                PartyOrganization.contact_households.through(
                    partyorganization_id=central.pk, household_id=h.pk
                )
                for central, contacts in zip(centrals, central_contacts)
                for h in contacts
            ],
            batch_size=BATCH,
        )
        PartyOrganization.objects.rebuild()

    ctx.log(
        f"    Party chain: {len(committees)} working committees, {len(generals)} general branches, "
        f"{len(branches)} grid branches over {sum(len(c) for c in branch_grids)} grids, "
        f"{len(groups)} building groups, {len(centrals)} central households"
    )
    return {
        "committees": committees,
        "generals": generals,
        "branches": branches,
        "branch_grids": branch_grids,
        "groups": groups,
        "group_buildings": group_buildings,
        "centrals": centrals,
    }


def _load_members(ctx, orgs) -> None:
    """Resident Party members belong to the central household they live in, else the building
    group of their building, else their grid branch; cadres lead the upper levels."""
    rng = ctx.rng
    ids = ctx.data.get("party_member_residents")
    residents = Resident.objects.filter(is_party_member=True)
    if ids is not None:
        residents = residents.filter(pk__in=ids)
    rows = list(
        residents.order_by("pk").values_list(
            "pk", "name", "household_id", "household__unit__building_id", "household__grid_id"
        )
    )
    central_of = {c.household_id: c for c in orgs["centrals"]}
    group_of = {b.pk: g for g, chunk in zip(orgs["groups"], orgs["group_buildings"]) for b in chunk}
    branch_of = {grid.pk: b for b, cells in zip(orgs["branches"], orgs["branch_grids"]) for grid in cells}
    members: list[PartyMember] = []
    led: set[int] = set()
    for pk, name, household_id, building_id, grid_id in rows:
        org = central_of.get(household_id) or group_of.get(building_id) or branch_of.get(grid_id)
        if org is None:
            continue
        role = MemberRole.MEMBER
        if org.kind != OrgKind.GRID_BRANCH and org.pk not in led:
            # the first Party member of a group or central household leads it
            role = MemberRole.SECRETARY
            led.add(org.pk)
        members.append(
            PartyMember(
                organization_id=org.pk,
                resident_id=pk,
                name=name,
                role=role,
                joined_on=datetime.date(rng.randint(1975, 2022), rng.randint(1, 12), rng.randint(1, 28)),
            )
        )
    for org in [*orgs["committees"], *orgs["generals"], *orgs["branches"]]:
        roles = [MemberRole.SECRETARY, MemberRole.DEPUTY, MemberRole.COMMITTEE]
        if org.kind == OrgKind.GRID_BRANCH:
            roles = [MemberRole.SECRETARY, MemberRole.COMMITTEE]
        for role in roles:
            members.append(PartyMember(organization_id=org.pk, name=ctx.person_name(), role=role))
    PartyMember.objects.bulk_create(members, batch_size=BATCH)
    ctx.log(f"    {len(members)} Party members ({len(rows)} residents)")


# --- alliances, units, in-service members, projects ------------------------------------------


def _unit_names(rng) -> list[tuple[str, str]]:
    names = (
        [(f"和龙{n}", UnitKind.ORGAN) for n in ORGANS]
        + [(f"和龙{n}", UnitKind.INSTITUTION) for n in INSTITUTIONS]
        + [(n, UnitKind.ENTERPRISE) for n in ENTERPRISES]
        + [(n, UnitKind.SOCIAL) for n in SOCIAL]
    )
    assert len(names) >= UNITS
    return names[:UNITS]


def _load_alliances(ctx, orgs, streets, grids_of, communities_of):
    rng = ctx.rng
    alliances = []
    for committee, street in zip(orgs["committees"], streets):
        for theme in ALLIANCE_THEMES:
            alliances.append(
                Alliance(
                    name=f"{street.name}{theme}党建联盟",
                    lead_id=committee.pk,
                    node_id=street.pk,
                    founded_on=datetime.date(rng.randint(2018, 2021), rng.randint(1, 12), 1),
                    description=f"{street.name}与驻区{theme}单位共驻共建、资源共享",
                )
            )
    Alliance.objects.bulk_create(alliances)
    assert len(alliances) == ALLIANCES

    street_grids = {
        street.pk: [g for c in communities_of[street.pk] for g in grids_of[c.pk]] for street in streets
    }
    names = _unit_names(rng)
    rng.shuffle(names)
    units = []
    for (name, kind), alliance in zip(names, [a for a in alliances for _ in range(UNITS // ALLIANCES)]):
        units.append(MemberUnit(alliance=alliance, name=name, kind=kind, contact_name=ctx.person_name()))
    MemberUnit.objects.bulk_create(units)
    MemberUnit.grids.through.objects.bulk_create(
        [
            MemberUnit.grids.through(memberunit_id=unit.pk, gridnode_id=grid.pk)
            for unit in units
            for grid in rng.sample(street_grids[unit.alliance.node_id], rng.randint(1, 3))
        ]
    )
    return units, alliances


def _load_in_service(ctx, units, grids, today) -> list[InServiceMember]:
    rng = ctx.rng
    members = []
    for unit, count in zip(units, _split(IN_SERVICE_MEMBERS, len(units), rng)):
        for _ in range(count):
            reported = today - datetime.timedelta(days=rng.randint(30, 1_000))
            members.append(
                InServiceMember(
                    unit=unit,
                    name=ctx.person_name(),
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                    grid=rng.choice(grids),
                    reported_at=_aware(reported, rng.randint(8, 17)),
                )
            )
    InServiceMember.objects.bulk_create(members, batch_size=BATCH)
    records = []
    for member in members:
        for _ in range(rng.randint(0, 4)):
            records.append(
                InServiceRecord(
                    member=member,
                    grid_id=member.grid_id,
                    served_on=today - datetime.timedelta(days=rng.randint(0, 364)),
                    hours=Decimal(rng.choice(["1.0", "1.5", "2.0", "2.5", "3.0", "4.0"])),
                    description=rng.choice(SERVICE_TITLES),
                )
            )
    InServiceRecord.objects.bulk_create(records, batch_size=BATCH)
    ctx.log(
        f"    {ALLIANCES} alliances, {len(units)} member units, {len(members)} in-service members "
        f"reporting to grids ({len(records)} service records)"
    )
    return members


def _load_projects(ctx, alliances, units, communities_of, grids_of, today) -> None:
    rng = ctx.rng
    units_of = defaultdict(list)
    for unit in units:
        units_of[unit.alliance_id].append(unit)
    projects, links_units, links_grids, reports = [], [], [], []
    used: set[str] = set()
    for alliance, count in zip(alliances, _split(PROJECTS, len(alliances), rng)):
        communities = communities_of[alliance.node_id]
        for _ in range(count):
            while True:
                community = rng.choice(communities)
                name = f"{community.name}{rng.choice(PROJECT_TYPES)}"
                if name not in used:
                    used.add(name)
                    break
            starts = today - datetime.timedelta(days=rng.randint(-60, 700))
            status = rng.choices(
                [
                    ProjectStatus.COMPLETED,
                    ProjectStatus.IN_PROGRESS,
                    ProjectStatus.PLANNED,
                    ProjectStatus.SUSPENDED,
                ],
                weights=[45, 40, 10, 5],
            )[0]
            if starts > today:
                status = ProjectStatus.PLANNED
            progress = {
                ProjectStatus.COMPLETED: 100,
                ProjectStatus.PLANNED: 0,
            }.get(status, rng.randint(10, 90))
            project = JointProject(
                alliance=alliance,
                node_id=alliance.node_id,
                name=name,
                description=f"由{alliance.name}成员单位共同出资、出人，在{community.name}实施",
                budget=Decimal(rng.randint(200, 20_000) * 100),
                status=status,
                progress=progress,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=rng.randint(60, 365)),
            )
            projects.append(project)
            links_units.append(rng.sample(units_of[alliance.pk], rng.randint(1, 4)))
            links_grids.append(rng.sample(grids_of[community.pk], rng.randint(1, 3)))
            if status != ProjectStatus.PLANNED:
                steps = sorted(rng.sample(range(5, progress + 1), min(3, max(1, progress // 30)))) or [
                    progress
                ]
                if status == ProjectStatus.COMPLETED:
                    steps[-1] = 100
                for i, step in enumerate(steps):
                    day = min(today, starts + datetime.timedelta(days=30 * (i + 1)))
                    reports.append(
                        (
                            project,
                            step,
                            _aware(day, 10),
                            rng.choice(REPORT_TEXTS),
                            (project.budget * step / 100).quantize(Decimal("0.01")),
                        )
                    )
    JointProject.objects.bulk_create(projects)
    JointProject.units.through.objects.bulk_create(
        [
            JointProject.units.through(jointproject_id=p.pk, memberunit_id=u.pk)
            for p, chosen in zip(projects, links_units)
            for u in chosen
        ]
    )
    JointProject.grids.through.objects.bulk_create(
        [
            JointProject.grids.through(jointproject_id=p.pk, gridnode_id=g.pk)
            for p, chosen in zip(projects, links_grids)
            for g in chosen
        ]
    )
    ProjectReport.objects.bulk_create(
        [
            ProjectReport(project=p, progress=step, reported_at=at, text=text, spent=spent)
            for p, step, at, text, spent in reports
        ]
    )
    ctx.log(f"    {len(projects)} joint projects ({len(reports)} progress reports)")


# --- windows and social workers -------------------------------------------------------------


def _load_windows(ctx, streets, grids, today) -> None:
    rng = ctx.rng
    departments = {d.code: d for d in ctx.data.get("departments", [])}
    items = []
    for category, department, names in ITEMS:
        for name in names:
            items.append(
                ServiceItem(
                    code=f"S{len(items) + 1:02d}",
                    name=name,
                    category=category,
                    department=departments.get(department) if department else None,
                )
            )
    ServiceItem.objects.bulk_create(items)
    windows = ServiceWindow.objects.bulk_create(
        [
            ServiceWindow(
                code=f"W{i + 1}",
                name=f"{street.name}综合服务窗口",
                node=street,
                place=f"{street.name}党群服务中心一楼",
            )
            for i, street in enumerate(streets)
        ]
    )
    users = [
        User(username=f"sw{i + 1:02d}", name=ctx.person_name(), password=ctx.password_hash)
        for i in range(SOCIAL_WORKERS)
    ]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__in=[u.username for u in users]).order_by("username"))
    workers = SocialWorker.objects.bulk_create(
        [SocialWorker(user=user, grid=rng.choice(grids)) for user in users]
    )
    # Every fifth worker is still training on part of the items; the rotation seats three at a
    # window, so no window is ever left without someone who can serve each item.
    through = SocialWorker.items.through
    rows = []
    for index, worker in enumerate(workers):
        chosen = rng.sample(items, rng.randint(30, 45)) if index % 5 == 0 else items
        rows.extend(through(socialworker_id=worker.pk, serviceitem_id=item.pk) for item in chosen)
    through.objects.bulk_create(rows, batch_size=BATCH)
    start = today - datetime.timedelta(days=60)
    shifts = services.duty_rota_generate(start=start, days=75, per_window=3, windows=windows)

    residents = list(Resident.objects.order_by("pk").values_list("pk", flat=True)[:5_000])
    qualified = defaultdict(set)
    for row in rows:
        qualified[row.socialworker_id].add(row.serviceitem_id)
    user_of = {w.pk: w.user_id for w in workers}
    now = timezone.now()
    served = []
    for shift in shifts:
        if shift.window is None or shift.starts_at > now:
            continue
        for _ in range(rng.randint(3, 7)):
            at = shift.starts_at + datetime.timedelta(minutes=rng.randint(0, 500))
            if at >= min(shift.ends_at, now):
                continue
            served.append(
                WindowService(
                    window=shift.window,
                    node_id=shift.window.node_id,
                    item_id=rng.choice(sorted(qualified[shift.worker_id])),
                    worker_id=user_of[shift.worker_id],
                    resident_id=rng.choice(residents) if residents else None,
                    served_at=at,
                    minutes=rng.randint(5, 40),
                )
            )
    WindowService.objects.bulk_create(served, batch_size=BATCH)
    ctx.data["social_worker_users"] = [u.pk for u in users]
    ctx.log(
        f"    {len(workers)} social workers, {len(items)} service items, {len(windows)} windows, "
        f"{len(shifts)} duty shifts, {len(served)} window services"
    )


# --- the time bank --------------------------------------------------------------------------


def _load_time_bank(ctx, orgs, communities, grids_of, in_service, now, today) -> None:
    rng = ctx.rng
    grids = ctx.data["grids"]
    first_grid = grids[0]
    worker = User.objects.filter(username="worker").first()
    workers_by_grid = ctx.data.get("workers_by_grid", {})

    # Volunteers: most resident Party members, some other residents, some in-service members.
    party_ids = set(ctx.data.get("party_member_residents") or [])
    rows = list(Resident.objects.order_by("pk").values_list("pk", "name", "household__grid_id"))
    volunteers = []
    for pk, name, grid_id in rows:
        if (pk in party_ids and rng.random() < 0.8) or rng.random() < 0.05:
            volunteers.append(Volunteer(name=name, resident_id=pk, grid_id=grid_id))
    for member in rng.sample(in_service, min(len(in_service), 400)):
        volunteers.append(Volunteer(name=member.name, in_service_member=member, grid_id=member.grid_id))

    # The demo `volunteer`: a resident of the `worker`'s grid.
    home = next(((pk, name) for pk, name, grid_id in rows if grid_id == first_grid.pk), None)
    account = User(username="volunteer", name=home[1] if home else "志愿者", password=ctx.password_hash)
    account.save()
    mine = next((v for v in volunteers if home and v.resident_id == home[0]), None)
    if mine is None:
        mine = Volunteer(name=account.name, resident_id=home[0] if home else None, grid_id=first_grid.pk)
        volunteers.append(mine)
    mine.user = account
    Volunteer.objects.bulk_create(volunteers, batch_size=BATCH)
    by_community: dict[int, list[Volunteer]] = defaultdict(list)
    grid_parent = {g.pk: g.parent_id for g in grids}
    for volunteer in volunteers:
        by_community[grid_parent[volunteer.grid_id]].append(volunteer)

    lecturers = defaultdict(list)
    branch_community = {
        b.pk: (b.node.parent_id if b.node.kind == "GRID" else b.node_id) for b in orgs["branches"]
    }
    for pk, org_id in PartyMember.objects.filter(
        organization__kind=OrgKind.GRID_BRANCH, resident__isnull=False
    ).values_list("pk", "organization_id"):
        lecturers[branch_community[org_id]].append(pk)
    general_of = {g.node_id: g for g in orgs["generals"]}

    def organiser_of(grid) -> int:
        if grid.pk == first_grid.pk and worker is not None:
            return worker.pk
        return (workers_by_grid.get(grid.pk) or [worker.pk])[0]

    activities: list[Activity] = []
    for community in communities:
        cells = grids_of[community.pk]
        turn = 0
        for months_back in range(12, -2, -1):  # a year back and the coming month
            month_index = today.year * 12 + today.month - 1 - months_back
            first = datetime.date(month_index // 12, month_index % 12 + 1, 1)
            plans = [(ActivityKind.MONTHLY_THEME, MONTH_THEMES[first.month - 1])]
            plans.append(
                (ActivityKind.PARTY_LECTURE, LECTURE_TOPICS[(first.month + turn) % len(LECTURE_TOPICS)])
            )
            plans += [(ActivityKind.SERVICE, rng.choice(SERVICE_TITLES)) for _ in range(2)]
            for kind, title in plans:
                day = first + datetime.timedelta(days=rng.randint(0, 27))
                grid = rng.choice(cells)
                hour = rng.choice([9, 14])
                starts = _aware(day, hour)
                ends = starts + datetime.timedelta(hours=rng.choice([2, 3]))
                lecturer = None
                if kind == ActivityKind.PARTY_LECTURE and lecturers[community.pk]:
                    lecturer = lecturers[community.pk][turn % len(lecturers[community.pk])]
                    turn += 1
                activities.append(
                    Activity(
                        title=f"{title}（{first.month}月）" if kind != ActivityKind.SERVICE else title,
                        kind=kind,
                        theme=title if kind == ActivityKind.MONTHLY_THEME else "",
                        organization=general_of.get(community.pk),
                        lecturer_id=lecturer,
                        grid=grid,
                        organiser_id=organiser_of(grid),
                        place=f"{grid.name}党群服务站",
                        starts_at=starts,
                        ends_at=ends,
                        capacity=rng.randint(10, 25),
                        points_per_hour=RATE,
                        status=ActivityStatus.FINISHED if ends <= now else ActivityStatus.OPEN,
                    )
                )
    # Under way in the worker's grid right now, for the demo journey.
    journey = Activity(
        title="楼道清扫和小广告清理",
        kind=ActivityKind.SERVICE,
        grid=first_grid,
        organiser_id=worker.pk if worker else organiser_of(first_grid),
        place=f"{first_grid.name}党群服务站",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        capacity=30,
        points_per_hour=RATE,
        status=ActivityStatus.OPEN,
    )
    activities.append(journey)
    Activity.objects.bulk_create(activities, batch_size=BATCH)

    signups, entries = [], []
    for activity in activities:
        if activity is journey:
            continue
        pool = by_community[grid_parent[activity.grid_id]]
        if not pool:
            continue
        chosen = rng.sample(pool, min(len(pool), rng.randint(3, activity.capacity)))
        if (
            activity.status == ActivityStatus.FINISHED
            and mine in pool
            and mine not in chosen
            and rng.random() < 0.3
        ):
            chosen.append(mine)
        for volunteer in chosen:
            signup = SignUp(
                activity=activity,
                volunteer=volunteer,
                signed_up_at=activity.starts_at - datetime.timedelta(days=rng.randint(1, 10)),
            )
            if activity.status == ActivityStatus.FINISHED:
                if rng.random() < 0.9:
                    duration = Decimal((activity.ends_at - activity.starts_at).seconds // 1800) / 2
                    signup.status = SignUpStatus.CONFIRMED
                    signup.hours = max(Decimal("0.5"), duration - rng.choice([0, 0, 0, Decimal("0.5")]))
                    signup.confirmed_at = activity.ends_at + datetime.timedelta(hours=1)
                    signup.confirmed_by_id = activity.organiser_id
                else:
                    signup.status = SignUpStatus.ABSENT
                    signup.confirmed_at = activity.ends_at + datetime.timedelta(hours=1)
                    signup.confirmed_by_id = activity.organiser_id
            signups.append(signup)
    SignUp.objects.bulk_create(signups, batch_size=BATCH)
    balance: dict[int, Decimal] = defaultdict(Decimal)
    for signup in signups:
        if signup.status == SignUpStatus.CONFIRMED:
            points = signup.hours * signup.activity.points_per_hour
            balance[signup.volunteer.pk] += points
            entries.append(
                PointsEntry(
                    volunteer=signup.volunteer,
                    grid_id=signup.volunteer.grid_id,
                    kind=EntryKind.EARNED,
                    points=points,
                    hours=signup.hours,
                    signup=signup,
                    note=signup.activity.title,
                    booked_at=signup.confirmed_at,
                    booked_by_id=signup.confirmed_by_id,
                )
            )

    rewards = Reward.objects.bulk_create(
        [Reward(name=name, price=Decimal(price), stock=stock) for name, price, stock in REWARDS]
    )
    redemptions = []
    for volunteer in volunteers:
        if volunteer is mine or balance[volunteer.pk] < 100 or rng.random() < 0.5:
            continue
        reward = rng.choice([r for r in rewards if r.price <= balance[volunteer.pk]])
        at = now - datetime.timedelta(days=rng.randint(1, 60))
        redemptions.append(
            Redemption(volunteer=volunteer, reward=reward, points=reward.price, redeemed_at=at)
        )
        balance[volunteer.pk] -= reward.price
    Redemption.objects.bulk_create(redemptions, batch_size=BATCH)
    stock_used = defaultdict(int)
    for redemption in redemptions:
        stock_used[redemption.reward.pk] += 1
        entries.append(
            PointsEntry(
                volunteer=redemption.volunteer,
                grid_id=redemption.volunteer.grid_id,
                kind=EntryKind.REDEEMED,
                points=-redemption.points,
                redemption=redemption,
                note=redemption.reward.name,
                booked_at=redemption.redeemed_at,
            )
        )
    PointsEntry.objects.bulk_create(entries, batch_size=BATCH)
    for reward in rewards:
        if reward.stock is not None:
            reward.stock = max(0, reward.stock - stock_used[reward.pk])
    Reward.objects.bulk_update(rewards, ["stock"])
    for volunteer in volunteers:
        volunteer.balance = balance[volunteer.pk]
    Volunteer.objects.bulk_update(volunteers, ["balance"], batch_size=BATCH)

    ctx.data["volunteer_account"] = account.pk
    ctx.log(
        f"    time bank: {len(volunteers)} volunteers, {len(activities)} activities, "
        f"{len(signups)} sign-ups, {len(entries)} ledger entries, {len(redemptions)} redemptions; "
        "demo account `volunteer` (password hlgrid-demo)"
    )
