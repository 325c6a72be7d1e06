"""The demo city's people: 686 buildings (686 楼栋长), 2,828 units (2,142 单元长), about
3,200 households and 8,000 residents (× scale) with valid ID numbers of 和龙市 (222406),
key people in the five groups, and a year of visits by the grid workers in which some key
people are now overdue (the `worker`'s grid always shows red, yellow and green).

Everything is bulk-inserted; personal data is encrypted on the way in like any other write.
"""

import datetime
import math
import random
from collections import defaultdict

from django.utils import timezone

from hlgrid.bulk import bulk_insert
from hlgrid.crypto import lookup_hash
from hlgrid.lights import Light
from residents import idcard, keypeople
from residents.key_groups import key_groups_seed
from residents.models import (
    Building,
    Ethnicity,
    Household,
    KeyGroup,
    KeyMembership,
    Occupancy,
    PoliticalStatus,
    Relationship,
    ResidenceStatus,
    Resident,
    Unit,
    Visit,
    VisitKind,
)
from residents.services import household_label

REGION = "222406"  # 和龙市
BUILDINGS = 686
UNITS = 2_828
UNIT_HEADS = 2_142
RESIDENTS = 8_000  # at scale 1
HOUSEHOLD_SIZES = [(1, 20), (2, 35), (3, 25), (4, 15), (5, 5)]  # mean 2.5
BATCH = 2_000

CONDITIONS = {
    "重病患者": ["尿毒症，每周透析两次", "脑梗后遗症，行动不便", "肺癌术后康复", "重度心衰", "白血病化疗中"],
    "留守儿童": ["父母在外务工，由祖父母照看", "父亲在韩国务工，母亲外出", "父母在外地打工，寄住亲戚家"],
    "残障人士": ["肢体残疾二级", "视力残疾一级", "听力残疾三级", "智力残疾二级"],
    "独居/空巢老人": ["独居，子女在外地", "老两口同住，子女在韩国", "独居，患高血压"],
    "困难家庭": ["低保户", "特困供养", "因病致贫", "残疾人家庭，收入低"],
}
MEASURES = [
    "每周上门探望，协助就医",
    "联系社区医生定期随访",
    "落实低保和临时救助",
    "安排志愿者结对帮扶",
    "协调学校关注学习生活",
]
HEALTH = {"重病患者": "需定期复查，按时服药", "残障人士": "持残疾人证，需辅助器具"}
PROBLEMS = [
    "楼道照明损坏，夜间出行不便",
    "屋顶漏水，需要维修",
    "下水道堵塞",
    "楼前积雪未清理",
    "邻里噪音纠纷",
]


# Helong's shares (和龙市: about 60% 朝鲜族, 38% 汉族, the rest mostly 满族, 回族, 蒙古族).
ETHNICITIES = [
    (Ethnicity.KOREAN, 600),
    (Ethnicity.HAN, 380),
    (Ethnicity.MANCHU, 10),
    (Ethnicity.HUI, 4),
    (Ethnicity.MONGOL, 3),
    (Ethnicity.XIBE, 1),
    (Ethnicity.DAUR, 1),
    (Ethnicity.HEZHEN, 1),
]
RENTED_SHARE = 0.12  # of dwellings
VACANT_SHARE = 0.0  # every demo dwelling has residents
MIGRANT_IF_RENTED, MIGRANT_OTHERWISE = 0.45, 0.052  # about 10% of residents overall
SEPARATED_SHARE = 0.06
PROBATIONARY_SHARE = 0.06  # of the Party members


def _basics_rng(ctx) -> random.Random:
    """A generator for the register basics, seeded from ctx.rng's state without drawing from it:
    the rest of the demo (and the later parts) stays exactly as it was."""
    return random.Random(repr(ctx.rng.getstate()))


def _assign_basics(rng, households, members, today) -> None:
    """民族, 与户主关系, 政治面貌, 人户状态 of each resident and 自住/出租 of each dwelling."""
    by_grid: dict[int, list[Household]] = defaultdict(list)
    for household in households:
        by_grid[household.grid_id].append(household)
    for h_index, household in enumerate(households):
        people = members[h_index]
        rented = rng.random() < RENTED_SHARE
        if rented:
            household.occupancy = Occupancy.RENTED
            neighbours = by_grid[household.grid_id]
            if rng.random() < 0.7 and len(neighbours) > 1:  # the owner lives in the same grid
                landlord = rng.choice(neighbours)
                if landlord is not household:
                    household.landlord = landlord
        elif rng.random() < VACANT_SHARE:
            household.occupancy = Occupancy.VACANT
        draw = rng.random()
        if draw < (MIGRANT_IF_RENTED if rented else MIGRANT_OTHERWISE):
            status = ResidenceStatus.MIGRANT
        elif draw < (MIGRANT_IF_RENTED if rented else MIGRANT_OTHERWISE) + SEPARATED_SHARE:
            status = ResidenceStatus.SEPARATED
        else:
            status = ResidenceStatus.REGISTERED
        family = _weighted(rng, ETHNICITIES)
        head_age = (today - people[0].birth_date).days // 365
        for p, person in enumerate(people):
            person.ethnicity = family if rng.random() < 0.9 else _weighted(rng, ETHNICITIES)
            if p == 0:
                person.relationship = Relationship.HEAD
            elif p == 1:
                person.relationship = Relationship.SPOUSE
            else:
                person.relationship = _weighted(
                    rng,
                    [(Relationship.CHILD, 85), (Relationship.GRANDCHILD, 10 if head_age >= 55 else 0),
                     (Relationship.OTHER_RELATIVE, 5)],
                )  # fmt: skip
            person.residence_status = status
            years = (today - person.birth_date).days // 365
            if person.is_party_member:
                person.political_status = (
                    PoliticalStatus.PROBATIONARY
                    if rng.random() < PROBATIONARY_SHARE
                    else PoliticalStatus.PARTY_MEMBER
                )
            elif 14 <= years <= 28 and rng.random() < 0.45:
                person.political_status = PoliticalStatus.LEAGUE_MEMBER
            elif years >= 18 and rng.random() < 0.004:
                person.political_status = PoliticalStatus.DEMOCRATIC_PARTY
            elif years >= 18 and rng.random() < 0.003:
                person.political_status = PoliticalStatus.NON_PARTISAN
            elif years >= 14:
                person.political_status = PoliticalStatus.MASSES


def _split(total: int, parts: int, rng) -> list[int]:
    """`total` spread over `parts` as evenly as possible, the larger shares at random places."""
    base, extra = divmod(total, parts)
    larger = set(rng.sample(range(parts), extra))
    return [base + (1 if i in larger else 0) for i in range(parts)]


def _weighted(rng, choices):
    values, weights = zip(*choices)
    return rng.choices(values, weights=weights)[0]


# Roads of Helong's urban area: each grid's buildings stand along one of them.
ROADS = ["文化路", "光明路", "民惠路", "和平街", "新华路", "友谊路", "长白路", "龙城路", "兴安街", "青松路"]


def _place_buildings(buildings: list[Building], ctx) -> None:
    """An address on a road and a point inside the grid's polygon for every building.

    Drawn from a copy of ctx.rng (deterministic, and the draws of the rest of the demo are
    unchanged by it)."""
    from shapely.geometry import Point, shape

    rng = random.Random()
    rng.setstate(ctx.rng.getstate())
    polygons: dict[int, object] = {}
    for building in buildings:
        grid = building.grid
        road = ROADS[grid.pk % len(ROADS)]
        building.address = f"{road}{(grid.pk % 40) * 10 + int(building.number)}号"
        if not grid.boundary:
            continue
        polygon = polygons.get(grid.pk) or polygons.setdefault(grid.pk, shape(grid.boundary))
        min_lng, min_lat, max_lng, max_lat = polygon.bounds
        for _attempt in range(50):
            lng, lat = rng.uniform(min_lng, max_lng), rng.uniform(min_lat, max_lat)
            if polygon.contains(Point(lng, lat)):
                building.latitude, building.longitude = round(lat, 6), round(lng, 6)
                break


def load(ctx) -> None:
    rng, scale = ctx.rng, ctx.scale
    now = timezone.now()
    today = timezone.localdate(now)
    grids = ctx.data["grids"]

    # --- buildings, units, households ---------------------------------------------------------
    buildings = []
    for grid, count in zip(grids, _split(BUILDINGS, len(grids), rng)):
        for number in range(1, count + 1):
            buildings.append(Building(grid=grid, number=str(number)))
    _place_buildings(buildings, ctx)
    Building.objects.bulk_create(buildings, batch_size=BATCH)

    units = []
    for building, count in zip(buildings, _split(UNITS, len(buildings), rng)):
        for number in range(1, count + 1):
            units.append(
                Unit(
                    building=building,
                    number=str(number),
                    wechat_group_url=f"https://weixin.qq.com/g/hl{building.grid.code[-5:]}{building.number}{number}",
                )
            )
    bulk_insert(units, batch_size=BATCH)

    household_count = math.ceil(RESIDENTS * scale / 2.5)
    per_unit = [1] * len(units)  # every unit has at least one household (and so a possible head)
    for index in rng.choices(range(len(units)), k=max(0, household_count - len(units))):
        per_unit[index] += 1
    households = []
    for unit, count in zip(units, per_unit):
        for i in range(count):
            door = f"{i // 2 + 1}0{i % 2 + 1}"  # 101, 102, 201, 202, ...
            households.append(
                Household(
                    unit=unit,
                    door=door,
                    grid_id=unit.building.grid_id,
                    label=household_label(unit.building.number, unit.number, door),
                )
            )
    bulk_insert(households, batch_size=BATCH)

    # --- residents ----------------------------------------------------------------------------
    used: set[str] = set()

    def new_id(birth: datetime.date, male: bool) -> str:
        while True:
            sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
            number = idcard.make(REGION, birth, sequence)
            if number not in used:
                used.add(number)
                return number

    def birth_between(min_age: int, max_age: int) -> datetime.date:
        return today - datetime.timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365 + 300))

    residents: list[Resident] = []
    members: dict[int, list[Resident]] = {}  # household index -> residents
    for h_index, household in enumerate(households):
        size = _weighted(rng, HOUSEHOLD_SIZES)
        first_age = rng.randint(25, 88)
        people = []
        for p in range(size):
            if p == 0:
                birth, male = birth_between(first_age, first_age), rng.random() < 0.5
            elif p == 1:
                spouse = max(20, first_age + rng.randint(-5, 5))
                birth, male = birth_between(spouse, spouse), people[0].sex != "M"
            else:
                birth, male = (
                    birth_between(0, 17) if first_age < 60 else birth_between(20, 45),
                    rng.random() < 0.5,
                )
            adult = (today - birth).days >= 18 * 365
            number = new_id(birth, male)
            person = Resident(
                household=household,
                name=ctx.person_name(),
                sex="M" if male else "F",
                birth_date=birth,
                id_number=number,
                id_number_hash=lookup_hash(number),
                phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" if adult else "",
                is_party_member=adult and rng.random() < 0.12,
            )
            people.append(person)
        members[h_index] = people
        residents.extend(people)
    _assign_basics(_basics_rng(ctx), households, members, today)
    bulk_insert(residents, batch_size=BATCH)
    Household.objects.bulk_update(
        [h for h in households if h.occupancy != Occupancy.OWNER], ["occupancy", "landlord"], batch_size=BATCH
    )

    # --- the five heads below the grid: 楼栋长 and 单元长 -----------------------------------------
    first_resident_of_unit: dict[int, Resident] = {}
    residents_of_building: dict[int, list[Resident]] = defaultdict(list)
    for h_index, household in enumerate(households):
        people = members[h_index]
        first_resident_of_unit.setdefault(household.unit_id, people[0])
        residents_of_building[household.unit.building_id].append(people[0])
    for building in buildings:
        building.head = rng.choice(residents_of_building[building.pk])
    Building.objects.bulk_update(buildings, ["head"], batch_size=BATCH)
    headed_units = rng.sample(units, UNIT_HEADS)
    for unit in headed_units:
        unit.head = first_resident_of_unit[unit.pk]
    Unit.objects.bulk_update(headed_units, ["head"], batch_size=BATCH)

    # --- key people ---------------------------------------------------------------------------
    # the tree was loaded in bulk (no city_created signal): the city's five groups are seeded here
    key_groups_seed(city=ctx.data["city"])
    groups = {g.name: g for g in KeyGroup.objects.filter(city=ctx.data["city"])}
    first_grid = grids[0].pk
    memberships: list[KeyMembership] = []
    chosen: set[tuple[int, int]] = set()

    def age(person: Resident) -> int:
        return (today - person.birth_date).days // 365

    def add(person: Resident, group_name: str) -> None:
        group = groups.get(group_name)
        if group is None or (person.pk, group.pk) in chosen:
            return
        chosen.add((person.pk, group.pk))
        if group_name in HEALTH:
            person.health = HEALTH[group_name]
        memberships.append(
            KeyMembership(
                resident=person,
                group=group,
                grid_id=person.household.grid_id,
                condition=rng.choice(CONDITIONS.get(group_name, ["需要关注"])),
                measures=rng.choice(MEASURES),
                guardian=ctx.person_name() + rng.choice(["（子女）", "（祖父母）", "（邻居）", "（配偶）"]),
                since=today - datetime.timedelta(days=rng.randint(60, 1_500)),
                next_visit_due=today,
                warn_from=today,
            )
        )

    for h_index, household in enumerate(households):
        people = members[h_index]
        share = 3.0 if household.grid_id == first_grid else 1.0  # the demo worker sees a full day
        for person in people:
            years = age(person)
            if years < 16 and rng.random() < 0.12 * share:
                add(person, "留守儿童")
            elif years >= 65 and len(people) <= 2 and rng.random() < 0.2 * share:
                add(person, "独居/空巢老人")
            elif years >= 18 and rng.random() < 0.012 * share:
                add(person, "重病患者")
            elif rng.random() < 0.01 * share:
                add(person, "残障人士")
        if rng.random() < 0.02 * share:
            add(people[0], "困难家庭")
    Resident.objects.bulk_update(
        [m.resident for m in memberships if m.resident.health], ["health"], batch_size=BATCH
    )

    # --- a year of visits ---------------------------------------------------------------------
    workers = ctx.data["workers_by_grid"]
    grid_centre = {g.pk: (g.centroid_lat, g.centroid_lng) for g in grids}
    year_ago = today - datetime.timedelta(days=365)
    visits: list[Visit] = []
    seen: list[list[Resident]] = []

    def visit(household: Household, day: datetime.date, kind: str, people: list[Resident]) -> Visit:
        when = datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randrange(60)))
        when = timezone.make_aware(when)
        if when > now:
            when = now - datetime.timedelta(minutes=rng.randint(5, 120))
        lat, lng = grid_centre[household.grid_id]
        problem = rng.random() < 0.03
        visits.append(
            Visit(
                worker_id=rng.choice(workers[household.grid_id]),
                household=household,
                grid_id=household.grid_id,
                visited_at=when,
                kind=kind,
                notes=rng.choice(["家中一切正常", "了解生活情况", "宣传政策", "询问身体状况", "送去慰问品"]),
                latitude=lat + rng.uniform(-3e-4, 3e-4) if lat is not None else None,
                longitude=lng + rng.uniform(-3e-4, 3e-4) if lng is not None else None,
                problem_found=problem,
                problem_description=rng.choice(PROBLEMS) if problem else "",
            )
        )
        seen.append(people)
        return visits[-1]

    key_by_household: dict[int, list[KeyMembership]] = defaultdict(list)
    for membership in memberships:
        key_by_household[membership.resident.household_id].append(membership)
    index_of = {household.pk: i for i, household in enumerate(households)}

    # Households with key people are visited on their shortest interval; the last visit sets
    # the light they show today (the first grid cycles red, yellow, green, green).
    statuses = [Light.RED, Light.YELLOW, Light.GREEN, Light.GREEN]
    first_grid_turn = 0
    last_visit: dict[int, datetime.datetime] = {}
    for household_id, items in key_by_household.items():
        household = households[index_of[household_id]]
        interval = min(m.group.visit_interval_days for m in items)
        warn = interval - interval // 4
        if household.grid_id == first_grid:
            status = statuses[first_grid_turn % len(statuses)]
            first_grid_turn += 1
        else:
            status = _weighted(rng, [(Light.GREEN, 70), (Light.YELLOW, 15), (Light.RED, 15)])
        if status == Light.GREEN:
            back = rng.randint(0, max(0, warn - 1))
        elif status == Light.YELLOW:
            back = rng.randint(warn, interval)
        else:
            back = rng.randint(interval + 1, interval + 21)
        day = today - datetime.timedelta(days=back)
        people = list({m.resident.pk: m.resident for m in items}.values())
        last_visit[household_id] = visit(household, day, VisitKind.KEY_PERSON, people).visited_at
        start = max(year_ago, min(m.since for m in items))
        day -= datetime.timedelta(days=max(1, interval + rng.randint(-2, 1)))
        while day >= start:
            visit(household, day, VisitKind.KEY_PERSON, people)
            day -= datetime.timedelta(days=max(1, interval + rng.randint(-2, 1)))

    # Every other household: about one routine visit a quarter, fewer in the quarter under way.
    quarters = []
    for q in range(4):
        months = today.year * 12 + 3 * ((today.month - 1) // 3) - 3 * q
        q_start = datetime.date(months // 12, months % 12 + 1, 1)
        q_end = today + datetime.timedelta(days=1) if q == 0 else quarters[-1][0]
        quarters.append((q_start, q_end, 0.45 if q == 0 else 0.9))
    for h_index, household in enumerate(households):
        if household.pk in key_by_household:
            continue
        for q_start, q_end, chance in quarters:
            if rng.random() < chance:
                day = q_start + datetime.timedelta(days=rng.randrange((q_end - q_start).days))
                visit(household, day, VisitKind.ROUTINE, members[h_index][:1])
    bulk_insert(visits, batch_size=BATCH)
    through = Visit.people_seen.through
    bulk_insert(
        [through(visit_id=v.pk, resident_id=p.pk) for v, people in zip(visits, seen) for p in people],
        batch_size=BATCH * 2,
    )

    for membership in memberships:
        last = last_visit[membership.resident.household_id]
        membership.next_visit_due, membership.warn_from = keypeople.due_dates(
            visited_on=timezone.localdate(last), interval_days=membership.group.visit_interval_days
        )
        membership.last_visited_at = last
    bulk_insert(memberships, batch_size=BATCH)
    ctx.refresh_statistics(Household, Resident, Visit, through, KeyMembership)

    households_by_grid: dict[int, list[int]] = defaultdict(list)
    for household in households:
        households_by_grid[household.grid_id].append(household.pk)
    ctx.data["buildings"] = buildings
    ctx.data["households"] = households
    ctx.data["households_by_grid"] = dict(households_by_grid)
    ctx.data["party_member_residents"] = [r.pk for r in residents if r.is_party_member]
    ctx.data["problem_visits"] = [v.pk for v in visits if v.problem_found]
    by_group = defaultdict(int)
    for membership in memberships:
        by_group[membership.group.name] += 1
    accounts = _head_accounts(ctx, [u for u in headed_units if u.building.grid_id == first_grid])
    ctx.log(
        f"    {len(buildings)} buildings, {len(units)} units ({len(headed_units)} with a head), "
        f"{len(households)} households, {len(residents)} residents, {len(memberships)} key people "
        f"({', '.join(f'{k} {v}' for k, v in by_group.items())}), {len(visits)} visits, "
        f"{accounts} head logins (bldhead, unithead)"
    )


# The demo's 楼栋长 and 单元长 logins: a headed unit of the demo worker's grid, its building's head,
# and a chat group each so that a relay reaches someone.
DEMO_GROUP_HOOK = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-demo-4000-8000-{:012d}"


def _head_accounts(ctx, candidates: list[Unit]) -> int:
    from django.contrib.auth import get_user_model

    from hlgrid.notifier.channels import channel
    from hlgrid.notifier.models import Channel
    from residents.models import ChatGroup, HeadAccount

    if not candidates:
        return 0
    unit = min(candidates, key=lambda u: u.pk)
    building = unit.building
    User = get_user_model()
    password = ctx.password_hash
    accounts = [
        User(username="bldhead", name=building.head.name, password=password, phone="13900001001"),
        User(username="unithead", name=unit.head.name, password=password, phone="13900001002"),
    ]
    for account in accounts:
        account.stamp_phone_hash()
    bld_user, unit_user = User.objects.bulk_create(accounts)
    HeadAccount.objects.bulk_create(
        [
            HeadAccount(user=bld_user, resident=building.head, building=building, grid_id=building.grid_id),
            HeadAccount(
                user=unit_user, resident=unit.head, building=building, unit=unit, grid_id=building.grid_id
            ),
        ]
    )
    groups = []
    for n, (name, target) in enumerate(((f"{building}群", None), (f"{building}{unit}群", unit)), start=1):
        hook = DEMO_GROUP_HOOK.format(n)
        groups.append(
            ChatGroup(
                name=name[:64],
                grid_id=building.grid_id,
                building=building,
                unit=target,
                webhook_url=hook,
                webhook_hint=channel(Channel.WECOM).hint(hook)[:64],
            )
        )
    ChatGroup.objects.bulk_create(groups)
    return 2
