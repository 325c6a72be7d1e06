"""Helong demo petitions: categories, five years of history over the 69 grids, open work in
every light right now, accountability rows for the late ones, and a few whistles.

Everything is drawn from ctx.rng (deterministic) and written with bulk_create.
"""

from datetime import timedelta

from django.utils import timezone

from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.bulk import bulk_insert
from hlgrid.crypto import lookup_hash, mask_phone
from hlgrid.lights import light_at
from petitions import timers
from petitions.models import (
    ACTIVE_STATUSES,
    Category,
    CheckIn,
    Level,
    Light,
    LimitUnit,
    Notification,
    NotificationKind,
    Overdue,
    Pause,
    Petition,
    PetitionEvent,
    Satisfaction,
    Source,
    Status,
    Step,
    Urgency,
    Whistle,
)
from petitions.services.intake import TRACKING_ALPHABET, TRACKING_LENGTH

# (code, name, [(code, name, keywords, department code, level, verify h, handle, unit, callback d)])
WD, HR = LimitUnit.WORKDAYS, LimitUnit.HOURS
GRID, COMM, DEPT = Level.GRID, Level.COMMUNITY, Level.DEPARTMENT
CATEGORIES = [
    ("SR", "市容环境", [
        ("SR01", "垃圾清运", "垃圾 清运 垃圾桶 堆放 异味", "CG", GRID, 12, 2, WD, 3),
        ("SR02", "乱堆乱放", "乱堆 乱放 杂物 占道 堆积", "CG", GRID, 12, 3, WD, 3),
        ("SR03", "违章搭建", "违建 搭建 私搭 乱建 彩钢", "CG", DEPT, 24, 10, WD, 5),
        ("SR04", "占道经营", "摊贩 占道 经营 夜市", "CG", COMM, 12, 3, WD, 3),
    ]),
    ("SS", "基础设施", [
        ("SS01", "路灯损坏", "路灯 不亮 灯坏 照明", "GD", DEPT, 24, 5, WD, 3),
        ("SS02", "道路破损", "道路 坑 破损 塌陷 井盖", "ZJ", DEPT, 24, 10, WD, 5),
        ("SS03", "供水排水", "停水 漏水 下水道 堵塞 积水", "SW", DEPT, 12, 48, HR, 3),
        ("SS04", "供暖问题", "暖气 供暖 不热 采暖", "ZJ", DEPT, 12, 48, HR, 3),
    ]),
    ("MS", "民生服务", [
        ("MS01", "低保救助", "低保 救助 困难 补助", "MZ", COMM, 24, 10, WD, 5),
        ("MS02", "养老服务", "老人 养老 独居 空巢 照护", "MZ", GRID, 24, 5, WD, 5),
        ("MS03", "残疾人帮扶", "残疾 残疾人 轮椅 助残", "CL", DEPT, 24, 10, WD, 5),
        ("MS04", "就业社保", "就业 失业 社保 医保 培训", "RS", DEPT, 24, 10, WD, 5),
        ("MS05", "就学入托", "上学 入学 学校 幼儿园", "JY", DEPT, 24, 10, WD, 5),
    ]),
    ("AQ", "平安建设", [
        ("AQ01", "邻里纠纷", "纠纷 邻居 吵架 矛盾 噪音", "GA", GRID, 6, 3, WD, 3),
        ("AQ02", "安全隐患", "隐患 消防 电线 燃气 危险", "GA", COMM, 6, 24, HR, 2),
        ("AQ03", "治安问题", "治安 盗窃 可疑 打架", "GA", DEPT, 6, 24, HR, 2),
    ]),
    ("HJ", "生态环境", [
        ("HJ01", "噪音扰民", "噪音 扰民 施工 广场舞", "HB", DEPT, 12, 5, WD, 3),
        ("HJ02", "油烟污染", "油烟 烧烤 排烟 污染", "HB", DEPT, 12, 5, WD, 3),
        ("HJ03", "食品安全", "食品 过期 变质 卫生", "SJ", DEPT, 12, 5, WD, 3),
    ]),
]  # fmt: skip

PROBLEMS = {
    "SR01": ["小区门口垃圾桶满了三天没人清运", "单元楼后面垃圾堆放有异味"],
    "SR02": ["楼道里堆满杂物影响通行", "楼下空地乱堆建筑垃圾"],
    "SR03": ["一楼住户私搭彩钢棚", "院内有人违建小房"],
    "SR04": ["早市摊贩占道经营堵住路口", "夜市摊位占用人行道"],
    "SS01": ["路口的路灯不亮一个星期了", "小区内两盏路灯损坏"],
    "SS02": ["道路中间有大坑容易摔倒", "井盖松动有安全隐患"],
    "SS03": ["楼下下水道堵塞污水外溢", "家里突然停水没有通知"],
    "SS04": ["家里暖气不热温度不够", "整栋楼供暖不正常"],
    "MS01": ["家庭困难想申请低保", "生病后生活困难需要救助"],
    "MS02": ["独居老人需要上门照护", "空巢老人行动不便需要帮助"],
    "MS03": ["残疾人需要轮椅帮助", "咨询助残补贴办理"],
    "MS04": ["失业人员咨询就业培训", "医保转移接续问题"],
    "MS05": ["孩子入学手续咨询", "幼儿园入托名额问题"],
    "AQ01": ["邻居装修噪音纠纷", "楼上漏水邻里产生矛盾"],
    "AQ02": ["楼道电线老化有消防隐患", "燃气管道有异味"],
    "AQ03": ["小区夜间有可疑人员", "自行车被盗"],
    "HJ01": ["夜间施工噪音扰民", "广场舞音响声音太大"],
    "HJ02": ["烧烤店油烟直排", "饭店排烟扰民"],
    "HJ03": ["超市出售过期食品", "小餐馆卫生条件差"],
}

# 研判: (urgent, extra urgent) handling hours per category family or code; others 24 / 4.
URGENCY_HOURS = {"AQ": (12, 2), "SS03": (12, 4), "SS04": (12, 4)}
SAFETY_CATEGORIES = {"AQ02", "AQ03", "HJ03"}
STABILITY_CATEGORIES = {"AQ01", "MS01", "MS04"}
VULNERABLE_CATEGORIES = {"MS02", "MS03"}

PER_YEAR = 2400  # petitions a year at scale 1
# Open petitions of the first grid (every fourth) given to the demo worker: 8 is red and being
# handled, 16 verified and yellow, 32 red and being handled (see the open ones in load).
DEMO_WORKER_OWN = (8, 16, 32)
YEARS = 5


def _code(rng, used: set[str]) -> str:
    while True:
        code = "".join(rng.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        if code not in used:
            used.add(code)
            return code


def _load_categories(ctx) -> list[Category]:
    return load_categories(city=ctx.data["city"], departments=ctx.data["departments"])


def load_categories(*, city, departments) -> list[Category]:
    """The demo's category tree for `city`, handled by its `departments` (by code); the leaves."""
    departments = {d.code: d for d in departments}
    parents = Category.objects.bulk_create(
        [Category(city=city, code=code, name=name, level=Level.GRID) for code, name, _children in CATEGORIES]
    )
    by_code = {p.code: p for p in parents}
    leaves = []
    for code, _name, children in CATEGORIES:
        for c_code, c_name, keywords, dept, level, verify, handle, unit, callback in children:
            leaves.append(
                Category(
                    city=city,
                    parent=by_code[code],
                    code=c_code,
                    name=c_name,
                    keywords=keywords,
                    department=departments.get(dept),
                    level=level,
                    verify_hours=verify,
                    handle_limit=handle,
                    handle_unit=unit,
                    callback_days=callback,
                    # 研判: safety and public utilities are handled fastest when urgent.
                    urgent_hours=_urgency_hours(c_code)[0],
                    critical_hours=_urgency_hours(c_code)[1],
                )
            )
    return Category.objects.bulk_create(leaves)


def _urgency_hours(code: str) -> tuple[int, int]:
    return URGENCY_HOURS.get(code) or URGENCY_HOURS.get(code[:2]) or (24, 4)


def _judgement(index: int, category: Category, *, open_now: bool) -> dict:
    """研判 of the demo's petitions, drawn from the position (never from the rng, so the rest of
    the demo stays as it was): about one in twelve urgent, a few extra urgent, risks by kind."""
    if open_now:
        urgency = (
            Urgency.CRITICAL if index % 20 == 8 else Urgency.URGENT if index % 10 == 3 else Urgency.NORMAL
        )
    else:
        urgency = (
            Urgency.CRITICAL if index % 97 == 5 else Urgency.URGENT if index % 12 == 1 else Urgency.NORMAL
        )
    family = category.code[:2]
    return {
        "urgency": urgency,
        "risk_safety": category.code in SAFETY_CATEGORIES or (family == "SS" and index % 3 == 0),
        "risk_stability": category.code in STABILITY_CATEGORIES and index % 2 == 0,
        "risk_vulnerable": category.code in VULNERABLE_CATEGORIES,
    }


def load(ctx) -> None:
    rng = ctx.rng
    now = timezone.now().replace(microsecond=0)
    leaves = _load_categories(ctx)
    ctx.data["categories"] = leaves
    grids = ctx.data["grids"]
    workers_by_grid = ctx.data["workers_by_grid"]
    used: set[str] = set()

    petitions: list[Petition] = []
    plans: list[dict] = []  # what to write for each petition once it has an id

    def jitter(grid):
        return (
            grid.centroid_lat + rng.uniform(-0.0008, 0.0008),
            grid.centroid_lng + rng.uniform(-0.0008, 0.0008),
        )

    def base(grid, category, received, source):
        lat, lng = jitter(grid)
        workers = workers_by_grid.get(grid.pk) or [None]
        has_contact = source == Source.RESIDENT and rng.random() < 0.4
        phone = f"13{rng.randint(100000000, 999999999)}" if has_contact else ""
        return {
            "tracking_code": _code(rng, used),
            "source": source,
            "description": rng.choice(PROBLEMS[category.code]),
            "category": category,
            "grid": grid,
            "latitude": lat,
            "longitude": lng,
            "reporter_name": ctx.person_name() if has_contact else "",
            "reporter_phone": phone,
            "reporter_phone_hint": mask_phone(phone),
            "reporter_phone_hash": lookup_hash(phone) if phone else "",
            "level": category.level,
            "department": category.department if category.level == Level.DEPARTMENT else None,
            "assignee_id": rng.choice(workers) if category.level != Level.DEPARTMENT else None,
            "received_at": received,
        }

    sources = [Source.RESIDENT] * 4 + [Source.VISIT] * 4 + [Source.HOTLINE, Source.WINDOW]
    total = PER_YEAR * YEARS * ctx.scale
    span = timedelta(days=365 * YEARS)
    # History: closed petitions over five years; on-time share improves year by year.
    for index in range(total):
        received = now - span + timedelta(seconds=rng.randint(0, int(span.total_seconds()) - 20 * 86400))
        grid = rng.choice(grids)
        category = rng.choice(leaves)
        fields = base(grid, category, received, rng.choice(sources))
        verified = received + timedelta(hours=rng.uniform(0.5, category.verify_hours * 0.9))
        classified = verified + timedelta(hours=rng.uniform(0.5, 12))
        handle_due = timers.due_after(
            classified, category.handle_limit, category.handle_unit, city=category.city_id
        )
        years_ago = (now - received).days / 365
        late = rng.random() < 0.04 + 0.03 * years_ago
        if late:
            resolved = handle_due + timedelta(hours=rng.uniform(2, 72))
        else:
            resolved = classified + (handle_due - classified) * rng.uniform(0.2, 0.95)
        roll = rng.random()
        satisfaction = (
            Satisfaction.SATISFIED
            if roll < 0.9
            else Satisfaction.PARTLY
            if roll < 0.97
            else Satisfaction.UNSATISFIED
        )
        rework = 1 if satisfaction == Satisfaction.UNSATISFIED else 0
        closed = resolved + timedelta(hours=rng.uniform(4, 60)) + timedelta(days=2 * rework)
        petitions.append(
            Petition(
                status=Status.CLOSED,
                verified_at=verified,
                classified_at=classified,
                handle_due_at=handle_due,
                resolved_at=resolved,
                resolved_on_time=not late,
                closed_at=closed,
                resolution="已处理完毕，现场复核无误。",
                rework_count=rework,
                satisfaction=Satisfaction.SATISFIED if rework else satisfaction,
                solved=True,
                light=Light.GREEN,
                **_judgement(index, category, open_now=False),
                **fields,
            )
        )
        plans.append({"kind": "closed", "late": late, "rework": rework, "due": handle_due})

    # Open right now, in every light and step; the demo worker's grid gets its share.
    first_grid = grids[0]
    key_people = _first_key_people()
    for i in range(60 * ctx.scale):
        grid = first_grid if i % 4 == 0 else rng.choice(grids)
        category = rng.choice(leaves)
        state = [Status.RECEIVED, Status.VERIFIED, Status.HANDLING, Status.HANDLING, Status.RESOLVED][i % 5]
        light = [Light.GREEN, Light.YELLOW, Light.RED][i % 3]
        step_hours = {Status.RECEIVED: category.verify_hours, Status.VERIFIED: 24, Status.RESOLVED: 72}.get(
            state, 72
        )
        step = timedelta(hours=step_hours)
        elapsed = {Light.GREEN: 0.3, Light.YELLOW: 0.85, Light.RED: 1.4}[light] * step
        started = now - elapsed
        due = started + step
        received = started - (
            timedelta(hours=rng.uniform(2, 30)) if state != Status.RECEIVED else timedelta(0)
        )
        fields = base(grid, category, received, rng.choice(sources))
        if i in DEMO_WORKER_OWN:
            # the demo worker always has open work of its own (red ones too), whatever today's
            # draws gave; replaced after the draws, so the rest of the demo stays as it was
            category = next(c for c in leaves if c.level == Level.GRID)
            fields.update(
                category=category,
                level=category.level,
                department=None,
                description=PROBLEMS[category.code][0],
                assignee_id=workers_by_grid[first_grid.pk][0],
            )
        extra = {}
        if state in (Status.VERIFIED, Status.HANDLING, Status.RESOLVED):
            extra["verified_at"] = received + timedelta(hours=1)
        if state in (Status.HANDLING, Status.RESOLVED):
            extra["classified_at"] = started if state == Status.HANDLING else received + timedelta(hours=2)
            extra["handle_due_at"] = due if state == Status.HANDLING else started + timedelta(hours=1)
        if state == Status.RESOLVED:
            extra["resolved_at"] = started
            extra["resolved_on_time"] = True
            extra["resolution"] = "已安排处理，等待回访。"
        if state in (Status.RECEIVED, Status.VERIFIED):
            fields["assignee_id"] = fields["assignee_id"] if state == Status.VERIFIED else None
        if state != Status.RECEIVED:  # judged at verification
            extra.update(_judgement(i, category, open_now=True))
            if extra["risk_vulnerable"] or i % 20 == 8:
                extra["risk_vulnerable"] = True
                extra["key_person_id"] = key_people.get(grid.pk)
        petitions.append(
            Petition(
                status=state,
                step={
                    Status.RECEIVED: Step.VERIFY,
                    Status.VERIFIED: Step.CLASSIFY,
                    Status.HANDLING: Step.HANDLE,
                    Status.RESOLVED: Step.CALLBACK,
                }[state],
                step_started_at=started,
                due_at=due,
                warn_at=timers.warn_before(started, due),
                light=light_at(
                    due_at=due, warn_at=timers.warn_before(started, due), stored=Light.GREEN, now=now
                ),
                light_changed_at=now,
                **extra,
                **fields,
            )
        )
        plans.append(
            {"kind": "open", "state": state, "red": light == Light.RED, "due": due, "started": started}
        )

    # Two paused petitions (the clock stopped, the pause recorded).
    for _ in range(2):
        grid = rng.choice(grids)
        category = rng.choice(leaves)
        fields = base(grid, category, now - timedelta(days=3), Source.HOTLINE)
        petitions.append(
            Petition(
                status=Status.PAUSED,
                step=Step.HANDLE,
                verified_at=now - timedelta(days=3) + timedelta(hours=2),
                classified_at=now - timedelta(days=2),
                handle_due_at=now + timedelta(days=2),
                light=Light.GREEN,
                **fields,
            )
        )
        plans.append({"kind": "paused"})

    bulk_insert(petitions, batch_size=2000)
    # Ids (bulk_create sets them on PostgreSQL and SQLite ≥ 3.35).
    if petitions and petitions[0].pk is None:
        ids = dict(Petition.objects.values_list("tracking_code", "pk"))
        for p in petitions:
            p.pk = ids[p.tracking_code]

    head_by_node = dict(
        Post.objects.filter(kind=PostKind.HEAD, is_active=True).values_list("node_id", "user_id")
    )
    events: list[PetitionEvent] = []
    overdues: list[Overdue] = []
    pauses: list[Pause] = []

    def event(p, action, before, after, at, actor=None, note=""):
        events.append(
            PetitionEvent(
                petition_id=p.pk,
                actor_id=actor,
                action=action,
                from_status=before,
                to_status=after,
                at=at,
                note=note,
            )
        )

    for p, plan in zip(petitions, plans):
        worker = p.assignee_id
        event(
            p, "intake", "", Status.RECEIVED, p.received_at, None if p.source == Source.RESIDENT else worker
        )
        if plan["kind"] == "closed":
            event(p, "verify", Status.RECEIVED, Status.VERIFIED, p.verified_at, worker)
            event(p, "classify", Status.VERIFIED, Status.HANDLING, p.classified_at, worker)
            event(p, "resolve", Status.HANDLING, Status.RESOLVED, p.resolved_at, worker, p.resolution)
            if plan["rework"]:
                event(p, "reopen", Status.RESOLVED, Status.HANDLING, p.resolved_at + timedelta(days=1))
                event(
                    p, "resolve", Status.HANDLING, Status.RESOLVED, p.closed_at - timedelta(hours=6), worker
                )
            event(p, "close", Status.RESOLVED, Status.CLOSED, p.closed_at)
            if plan["late"]:
                overdues.append(
                    Overdue(
                        petition_id=p.pk,
                        step=Step.HANDLE,
                        user_id=p.assignee_id,
                        department=p.department,
                        grid=p.grid,
                        due_at=plan["due"],
                        recorded_at=plan["due"] + timedelta(minutes=1),
                    )
                )
        elif plan["kind"] == "open":
            if p.verified_at:
                event(p, "verify", Status.RECEIVED, Status.VERIFIED, p.verified_at, worker)
            if p.classified_at:
                event(p, "classify", Status.VERIFIED, Status.HANDLING, p.classified_at, worker)
            if p.resolved_at:
                event(p, "resolve", Status.HANDLING, Status.RESOLVED, p.resolved_at, worker, p.resolution)
            if plan["red"]:
                overdues.append(
                    Overdue(
                        petition_id=p.pk,
                        step=p.step,
                        user_id=p.assignee_id,
                        department=p.department,
                        grid=p.grid,
                        due_at=plan["due"],
                        recorded_at=plan["due"] + timedelta(minutes=1),
                    )
                )
        else:
            event(p, "verify", Status.RECEIVED, Status.VERIFIED, p.verified_at, worker)
            event(p, "classify", Status.VERIFIED, Status.HANDLING, p.classified_at, worker)
            granted_by = head_by_node.get(p.grid_id) or worker
            started = now - timedelta(days=1)
            event(p, "pause", Status.HANDLING, Status.PAUSED, started, granted_by, "等待配件到货")
            pauses.append(
                Pause(
                    petition_id=p.pk,
                    reason="等待配件到货",
                    granted_by_id=granted_by,
                    started_at=started,
                    due_remaining=timedelta(days=2),
                    warn_remaining=timedelta(days=1, hours=12),
                )
            )
    bulk_insert(events, batch_size=5000)
    bulk_insert(overdues, batch_size=2000)
    Pause.objects.bulk_create([p for p in pauses if p.granted_by_id], batch_size=100)
    ctx.refresh_statistics(Petition, PetitionEvent, Overdue)

    _critical_notices(petitions, now)
    _load_whistles(ctx, now, petitions)
    ctx.log(
        f"    {len(leaves)} categories, {len(petitions)} petitions ({len(events)} events), "
        f"{len(overdues)} overdue records"
    )


def _first_key_people() -> dict[int, int]:
    """{grid id: the first active key person's id} (one query; none without residents)."""
    from django.apps import apps

    if not apps.is_installed("residents"):
        return {}
    from residents.models import KeyMembership

    first: dict[int, int] = {}
    for grid_id, pk in (
        KeyMembership.objects.filter(is_active=True).order_by("pk").values_list("grid_id", "pk")
    ):
        first.setdefault(grid_id, pk)
    return first


def _critical_notices(petitions, now) -> None:
    """特急 told at verification to the heads and officials of the community and the street."""
    critical = [p for p in petitions if p.urgency == Urgency.CRITICAL and p.status in ACTIVE_STATUSES]
    if not critical:
        return
    parents = dict(GridNode.objects.filter(kind=NodeKind.COMMUNITY).values_list("pk", "parent_id"))
    holders: dict[int, list[int]] = {}
    for node_id, user_id in Post.objects.filter(
        kind__in=[PostKind.HEAD, PostKind.OFFICIAL], is_active=True, node__kind__in=["COMMUNITY", "STREET"]
    ).values_list("node_id", "user_id"):
        holders.setdefault(node_id, []).append(user_id)
    rows = []
    for p in critical:
        community = p.grid.parent_id
        for user_id in sorted({*holders.get(community, []), *holders.get(parents.get(community), [])}):
            rows.append(
                Notification(
                    recipient_id=user_id,
                    kind=NotificationKind.CRITICAL,
                    petition_id=p.pk,
                    text=p.description[:120],
                    dedupe_key=f"critical:{p.pk}:{user_id}"[:120],
                    created_at=p.verified_at or now,
                )
            )
    bulk_insert(rows, batch_size=1000)


def _load_whistles(ctx, now, petitions) -> None:
    rng = ctx.rng
    officials = dict(
        Post.objects.filter(kind=PostKind.OFFICIAL, node__kind="STREET", is_active=True).values_list(
            "node_id", "user_id"
        )
    )
    departments = ctx.data["departments"]
    streets = ctx.data["streets"]
    whistles, specs = [], []
    for i, street in enumerate(streets * 2):
        official = officials.get(street.pk)
        if official is None:
            continue
        blown = now - timedelta(hours=[6, 30, 200, 50, 2, 400][i % 6])
        deadline = blown + timedelta(hours=24)
        whistles.append(
            Whistle(
                street=street,
                title=[
                    "老旧小区供暖管网联合整治",
                    "背街小巷占道经营整治",
                    "汛期积水点联合排查",
                    "违建拆除联合执法",
                    "独居老人冬季安全排查",
                    "校园周边环境整治",
                ][i % 6],  # fmt: skip
                description="请各部门按时报到，现场会商处置方案。",
                blown_by_id=official,
                blown_at=blown,
                deadline=deadline,
                status="CLOSED" if i % 6 == 2 or i % 6 == 5 else "OPEN",
                closed_at=deadline + timedelta(days=3) if i % 6 in (2, 5) else None,
            )
        )
        specs.append((blown, deadline, rng.sample(departments, 3)))
    Whistle.objects.bulk_create(whistles)
    checkins = []
    for whistle, (blown, deadline, summoned) in zip(whistles, specs):
        for j, department in enumerate(summoned):
            arrived = None
            if deadline < now or j == 0:
                arrived = blown + (deadline - blown) * (0.5 if j != 2 else 1.3)
                if arrived > now:
                    arrived = None
            light = light_at(due_at=deadline, warn_at=timers.warn_before(blown, deadline), stored="", now=now)
            if arrived is not None:
                light = Light.RED if arrived > deadline else Light.GREEN
            checkins.append(
                CheckIn(
                    whistle=whistle,
                    department=department,
                    due_at=deadline,
                    warn_at=timers.warn_before(blown, deadline),
                    light=light,
                    checked_in_at=arrived,
                    report="已到场并完成现场处置。" if arrived else "",
                    reported_at=arrived + timedelta(hours=3) if arrived else None,
                )
            )
    CheckIn.objects.bulk_create(checkins)
