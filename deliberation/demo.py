"""The demo's deliberation (议事协商): a year of topics and meetings in every grid of Helong.

Each grid raises topics from residents, heads and workers (加装电梯 for a unit, 停车位划线 for a
building, 公共维修资金使用 for the grid, ...); heads accept most, answer some with a reason and
merge duplicates; two or three meetings a year take the accepted ones, with representatives,
heads, Party members and the property firm invited and attendance recorded; votes per
household (a unit's elevator) or per representative are counted by the rules (most pass,
some fail or lack a quorum); passed votes carry resolutions with owners and deadlines, most
done, some in progress and a few overdue. Bulk-inserted, deterministic (ctx.rng only): each
row is built with its state (a protected state field is never assigned).
"""

import datetime
from collections import defaultdict

from django.utils import timezone

from deliberation.models import (
    AgendaItem,
    Ballot,
    Channel,
    Choice,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Resolution,
    ResolutionStatus,
    Share,
    Topic,
    TopicSource,
    TopicStatus,
    Vote,
    VoteResult,
    VoteRule,
    VoteStatus,
)
from deliberation.services.topics import CODE_ALPHABET
from deliberation.services.votes import Tally
from grids.models import Post, PostKind
from hlgrid import workdays
from hlgrid.lights import light_at
from residents.models import Household

BATCH = 2_000

# (title, description, place: unit / building / grid, rule, quorum, threshold)
SUBJECTS = [
    (
        "加装电梯",
        "老楼没有电梯，高层老人上下楼困难，提议本单元加装电梯，费用按楼层分摊。",
        "unit",
        "2/3",
        "3/4",
    ),
    ("楼道照明改造", "楼道声控灯损坏多处，夜间出行不便，提议更换为感应LED灯。", "unit", "1/2", "1/2"),
    ("停车位划线", "楼前乱停车堵塞消防通道，提议统一划线并设置消防通道标识。", "building", "2/3", "2/3"),
    ("单元门禁更换", "单元门禁老化常坏，外来人员随意进出，提议更换门禁系统。", "building", "2/3", "1/2"),
    ("公共维修资金使用", "屋面防水层老化漏雨，提议动用公共维修资金进行屋面维修。", "building", "2/3", "3/4"),
    (
        "小区垃圾分类点位调整",
        "现有垃圾投放点离住户太近有异味，提议调整到小区东侧空地。",
        "grid",
        "1/2",
        "1/2",
    ),
    ("健身器材增设", "小区老人和孩子多，提议在中心绿地增设健身器材和儿童滑梯。", "grid", "1/2", "1/2"),
    ("物业服务费调整", "物业公司提出上调物业费，需业主共同协商服务内容与收费标准。", "grid", "2/3", "2/3"),
    (
        "电动车充电桩安装",
        "楼道内私拉电线给电动车充电存在火灾隐患，提议集中安装充电桩。",
        "grid",
        "2/3",
        "1/2",
    ),
    ("绿地改停车场", "停车位紧张，有居民提议将部分闲置绿地改为停车位。", "grid", "2/3", "2/3"),
]
ANSWERS = [
    "该事项已列入社区年度老旧小区改造计划，由住建部门统一实施，无需另行议事。",
    "经核实属物业合同约定的服务内容，已督促物业公司限期整改。",
    "涉及市政道路，已转交城管部门处理，不属于小区议事范围。",
]
MERGE_REASON = "与同一网格已受理的议题内容相同，合并议事。"
RESOLUTION_TEXTS = {
    "加装电梯": "同意本单元加装电梯，由单元长牵头委托有资质单位设计施工，费用按楼层系数分摊。",
    "楼道照明改造": "更换本单元楼道全部声控灯为感应LED灯，由物业公司实施。",
    "停车位划线": "楼前统一施划停车位并设消防通道标识，由网格员联系物业公司实施。",
    "单元门禁更换": "更换单元门禁系统，费用从公共收益中列支。",
    "公共维修资金使用": "同意动用公共维修资金维修屋面防水，物业公司公开招标选定施工单位。",
    "小区垃圾分类点位调整": "垃圾投放点迁至小区东侧空地，并加装遮挡与除臭设施。",
    "健身器材增设": "在中心绿地增设健身器材和儿童游乐设施，申请社区惠民资金。",
    "物业服务费调整": "物业费按协商标准调整，物业公司每季度公示服务内容和收支。",
    "电动车充电桩安装": "在小区集中安装电动车充电桩，禁止楼道充电，由网格员宣传督促。",
    "绿地改停车场": "将西侧闲置绿地改造为生态停车位，保留主要绿化。",
}
PROPERTY_FIRMS = ["和龙市安居物业有限公司", "和龙市宏达物业服务公司", "延边恒信物业和龙分公司"]


def _code(rng) -> str:
    return "YT" + "".join(rng.choice(CODE_ALPHABET) for _ in range(8))


def _at(day: datetime.datetime, hour: int) -> datetime.datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def load(ctx) -> None:
    rng = ctx.rng
    now = timezone.localtime().replace(microsecond=0)
    grids = ctx.data["grids"]
    workers_by_grid = ctx.data.get("workers_by_grid", {})
    heads = dict(
        Post.objects.filter(node__in=grids, kind=PostKind.HEAD, is_active=True).values_list(
            "node_id", "user_id"
        )
    )
    households: dict[int, list[tuple[int, int, int, str]]] = defaultdict(list)
    for pk, grid_id, unit_id, building_id, label in Household.objects.order_by("pk").values_list(
        "pk", "grid_id", "unit_id", "unit__building_id", "label"
    ):
        households[grid_id].append((pk, unit_id, building_id, label))
    codes: set[str] = set()

    def code() -> str:
        while True:
            value = _code(rng)
            if value not in codes:
                codes.add(value)
                return value

    topics: list[Topic] = []
    merged: list[Topic] = []
    plans: list[tuple] = []  # (grid, topic, subject, place's households, created, head, staff)
    fate: dict[int, str] = {}
    for grid in grids:
        homes = households.get(grid.pk, [])
        if not homes:
            continue
        staff = workers_by_grid.get(grid.pk, [])
        head = heads.get(grid.pk)
        first_accepted = None
        drafts = []
        for _n in range(rng.randint(3, 5)):
            created = now - datetime.timedelta(days=rng.randint(5, 360), hours=rng.randint(0, 10))
            drafts.append((created, rng.choice(SUBJECTS), rng.choice(homes)))
        for created, subject, home in sorted(drafts, key=lambda d: d[0]):
            title, description, place, *_rules = subject
            source = rng.choice(
                [TopicSource.RESIDENT, TopicSource.RESIDENT, TopicSource.WORKER, TopicSource.HEAD]
            )
            proposer = None
            if source == TopicSource.WORKER and staff:
                proposer = rng.choice(staff)
            elif source == TopicSource.HEAD and head:
                proposer = head
            else:
                source = TopicSource.RESIDENT
            # Screening: recent ones wait; the rest are accepted (most), answered or merged.
            roll = rng.random()
            if (now - created).days < 12:
                decision = "wait"
            elif roll < 0.12:
                decision = "answer"
            elif roll < 0.2 and first_accepted is not None:
                decision = "merge"
            else:
                decision = "accept"
            status = {
                "wait": TopicStatus.SUBMITTED,
                "answer": TopicStatus.ANSWERED,
                "merge": TopicStatus.MERGED,
                "accept": TopicStatus.ACCEPTED,
            }[decision]
            unit_id = home[1] if place == "unit" else None
            building_id = home[2] if place in ("unit", "building") else None
            topic = Topic(
                node=grid,
                building_id=building_id,
                unit_id=unit_id,
                title=f"{home[3].split('单元')[0]}单元{title}" if place == "unit" else title,
                description=description,
                source=source,
                household_id=home[0] if source == TopicSource.RESIDENT else None,
                proposer_id=proposer,
                tracking_code=code(),
                created_at=created,
                status=status,
                merged_into=first_accepted if decision == "merge" else None,
                answer=rng.choice(ANSWERS)
                if decision == "answer"
                else (MERGE_REASON if decision == "merge" else ""),
                screened_by_id=head if decision != "wait" else None,
                screened_at=created + datetime.timedelta(days=rng.randint(1, 5))
                if decision != "wait"
                else None,
            )
            (merged if decision == "merge" else topics).append(topic)
            if decision == "accept" and first_accepted is None:
                first_accepted = topic
            in_place = [
                h
                for h in homes
                if (unit_id and h[1] == unit_id) or (not unit_id and (not building_id or h[2] == building_id))
            ]
            fate[len(plans)] = decision
            plans.append((grid, topic, subject, in_place, created, head, staff))
    # A merged topic names an accepted one of its grid: inserted after it.
    Topic.objects.bulk_create(topics, batch_size=BATCH)
    Topic.objects.bulk_create(merged, batch_size=BATCH)
    topics += merged

    # Meetings: the accepted topics of a grid, in two or three meetings a year; the newest
    # accepted topics wait for the next (planned) meeting.
    meetings: list[Meeting] = []
    agenda: list[tuple[Meeting, Topic, int]] = []
    by_grid: dict[int, list] = defaultdict(list)
    for index, plan in enumerate(plans):
        if fate[index] == "accept":
            by_grid[plan[0].pk].append(plan)
    meeting_plans = []
    for grid in grids:
        accepted = sorted(by_grid.get(grid.pk, []), key=lambda p: p[4])
        if not accepted:
            continue
        chunks = [accepted[i : i + 2] for i in range(0, len(accepted), 2)]
        for chunk in chunks:
            latest = max(p[4] for p in chunk)
            held_on = latest + datetime.timedelta(days=rng.randint(7, 30))
            held = held_on < now - datetime.timedelta(days=2)
            starts = _at(
                held_on if held else now + datetime.timedelta(days=rng.randint(3, 20)),
                rng.choice([9, 14, 19]),
            )
            meeting = Meeting(
                node=grid,
                title=f"{grid.name}{starts.month}月居民议事会",
                starts_at=starts,
                place=rng.choice(["社区党群服务中心会议室", "网格议事厅", "小区活动室"]),
                invited_roles=[
                    ParticipantRole.RESIDENT_REP,
                    ParticipantRole.BUILDING_HEAD,
                    ParticipantRole.PARTY_MEMBER,
                    ParticipantRole.PROPERTY,
                ],
                status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                held_at=starts + datetime.timedelta(hours=2) if held else None,
                minutes=(
                    "会议由网格长主持，居民代表、楼栋长、党员代表和物业公司参加。"
                    + "逐项介绍议题，充分讨论后按规则表决，表决结果当场公布。"
                )
                if held
                else "",
                created_by_id=heads.get(grid.pk),
            )
            meetings.append(meeting)
            meeting_plans.append((meeting, chunk, held))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    for meeting, chunk, _held in meeting_plans:
        for position, plan in enumerate(chunk, start=1):
            agenda.append((meeting, plan[1], position))
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=m, topic=t, position=p) for m, t, p in agenda], batch_size=BATCH
    )

    participants: list[Participant] = []
    reps_of: dict[int, list[Participant]] = {}
    for meeting, _chunk, held in meeting_plans:
        homes = households[meeting.node_id]
        chosen = rng.sample(homes, min(len(homes), 5))
        reps = [
            Participant(
                meeting=meeting,
                role=ParticipantRole.RESIDENT_REP,
                name=ctx.person_name(),
                household_id=h[0],
                attended=(rng.random() < 0.9) if held else None,
            )
            for h in chosen
        ]
        others = [
            Participant(
                meeting=meeting,
                role=ParticipantRole.BUILDING_HEAD,
                name=ctx.person_name(),
                attended=True if held else None,
            ),
            Participant(
                meeting=meeting,
                role=ParticipantRole.PARTY_MEMBER,
                name=ctx.person_name(),
                attended=True if held else None,
            ),
            Participant(
                meeting=meeting,
                role=ParticipantRole.PROPERTY,
                name=rng.choice(PROPERTY_FIRMS),
                attended=(rng.random() < 0.8) if held else None,
            ),
        ]
        reps_of[id(meeting)] = reps
        participants += reps + others
    Participant.objects.bulk_create(participants, batch_size=BATCH)

    # Votes of the held meetings, counted by the rules; ballots per household or per representative.
    votes: list[Vote] = []
    vote_ballots: list[list[Ballot]] = []
    decided: list[tuple[Topic, Vote]] = []
    for meeting, chunk, held in meeting_plans:
        if not held:
            continue
        for _grid, topic, subject, homes, _created, head, _staff in chunk:
            _title, _description, place, quorum, threshold = subject
            per_household = place == "unit" and 2 <= len(homes) <= 40
            closes = meeting.starts_at + datetime.timedelta(days=7 if per_household else 0, hours=3)
            vote = Vote(
                node_id=topic.node_id,
                meeting=meeting,
                topic=topic,
                question=f"是否同意：{topic.title}",
                rule=VoteRule.HOUSEHOLD if per_household else VoteRule.REPRESENTATIVE,
                quorum=quorum,
                threshold=threshold,
                opens_at=meeting.starts_at,
                closes_at=closes,
                status=VoteStatus.CLOSED,
                closed_at=closes,
                created_by_id=head,
                electorate=0,
                counted_at=meeting.starts_at,
            )
            support = rng.choice([0.95, 0.9, 0.85, 0.8, 0.7, 0.55, 0.4])
            turnout = rng.choice([1.0, 0.95, 0.9, 0.85, 0.8, 0.6])
            ballots = []
            if per_household:
                vote.electorate = len(homes)
                voters = [("household", h[0]) for h in homes if rng.random() < turnout]
            else:
                reps = reps_of[id(meeting)]
                vote.electorate = len(reps)
                voters = [("participant", r) for r in reps if r.attended]
            for kind, voter in voters:
                roll = rng.random()
                choice = (
                    Choice.YES if roll < support else (Choice.ABSTAIN if roll < support + 0.05 else Choice.NO)
                )
                ballot = Ballot(
                    choice=choice,
                    channel=Channel.ONLINE if kind == "household" and rng.random() < 0.4 else Channel.MEETING,
                    cast_at=meeting.starts_at + datetime.timedelta(minutes=rng.randint(30, 150)),
                )
                if kind == "household":
                    ballot.household_id = voter
                else:
                    ballot.participant = voter
                ballots.append(ballot)
            counts = Tally(
                electorate=vote.electorate,
                yes=sum(b.choice == Choice.YES for b in ballots),
                no=sum(b.choice == Choice.NO for b in ballots),
                abstain=sum(b.choice == Choice.ABSTAIN for b in ballots),
                quorum=quorum,
                threshold=threshold,
            )
            vote.yes, vote.no, vote.abstain, vote.result = (
                counts.yes,
                counts.no,
                counts.abstain,
                counts.result,
            )
            votes.append(vote)
            vote_ballots.append(ballots)
            decided.append((topic, vote))
    Vote.objects.bulk_create(votes, batch_size=BATCH)
    rows = []
    for vote, ballots in zip(votes, vote_ballots, strict=True):
        for ballot in ballots:
            ballot.vote = vote
            rows.append(ballot)
    Ballot.objects.bulk_create(rows, batch_size=BATCH)

    # Decided topics, and the resolutions of the passed votes.
    resolutions: list[Resolution] = []
    passed_ids, rejected_ids = [], []
    for topic, vote in decided:
        if vote.result == VoteResult.PASSED:
            passed_ids.append(topic.pk)
        elif vote.result == VoteResult.REJECTED:
            rejected_ids.append(topic.pk)
        if vote.result != VoteResult.PASSED:
            continue
        staff = workers_by_grid.get(topic.node_id) or [heads.get(topic.node_id)]
        owner = rng.choice([s for s in staff if s]) if any(staff) else None
        if owner is None:
            continue
        created = vote.closes_at
        due = workdays.add_working_days(created, rng.choice([10, 15, 20, 30, 45]), city=ctx.data["city"].pk)
        warn = workdays.warn_before(created, due)
        done = due < now and rng.random() < 0.85 or due >= now and rng.random() < 0.3
        done_at = min(now, created + (due - created) * rng.uniform(0.4, 1.1)) if done else None
        resolutions.append(
            Resolution(
                node_id=topic.node_id,
                topic=topic,
                vote=vote,
                text=RESOLUTION_TEXTS[next(s[0] for s in SUBJECTS if topic.title.endswith(s[0]))],
                owner_id=owner,
                due_at=due,
                warn_at=warn,
                light=light_at(due_at=due, warn_at=warn, now=now) if not done else "GREEN",
                light_changed_at=now,
                status=ResolutionStatus.DONE if done else ResolutionStatus.OPEN,
                done_at=done_at,
                done_note="已按决议完成并经居民代表验收。" if done else "",
                published_at=created + datetime.timedelta(days=1) if rng.random() < 0.9 else None,
                created_by_id=heads.get(topic.node_id),
            )
        )
    Resolution.objects.bulk_create(resolutions, batch_size=BATCH)
    Topic.objects.filter(pk__in=passed_ids).update(status=TopicStatus.PASSED)
    Topic.objects.filter(pk__in=rejected_ids).update(status=TopicStatus.REJECTED)
    for topic, vote in decided:
        topic.decided_at = vote.closes_at if vote.result != VoteResult.NO_QUORUM else None
    Topic.objects.bulk_update([t for t, _v in decided], ["decided_at"], batch_size=BATCH)
    showcase = _showcase(ctx, grids[0], households.get(grids[0].pk, []), now)
    ctx.data["deliberation_topics"] = len(topics) + showcase
    ctx.log(
        f"    {len(topics)} deliberation topics, {len(meetings)} meetings, {len(votes)} votes "
        f"({len(passed_ids)} passed), {len(rows)} ballots, {len(resolutions)} resolutions"
    )


def _showcase(ctx, grid, homes, now) -> int:
    """The demo accounts' grid, through the services (as the system, at past moments): a
    resident's topic to screen; a meeting held two weeks ago whose vote passed, with one
    resolution of `worker` overdue and one due soon; a unit's elevator vote open online now,
    before next week's meeting. A few dozen queries."""
    from deliberation import services
    from grids.access import SYSTEM
    from hlgrid.models import User

    worker = User.objects.filter(username="worker").first()
    if not homes or worker is None:
        return 0
    rng = ctx.rng
    home = homes[0]
    Topic.objects.create(
        node=grid,
        unit_id=home[1],
        building_id=home[2],
        title=f"{home[3].split('单元')[0]}单元楼道堆物清理",
        description="楼道里堆放杂物和旧家具，影响通行也有火灾隐患，提议统一清理并约定不再堆放。",
        source=TopicSource.RESIDENT,
        household_id=home[0],
        tracking_code=_code(rng),
        created_at=now - datetime.timedelta(days=2),
    )
    start = now - datetime.timedelta(days=20)
    parking = services.topic_raise(
        actor=SYSTEM, node=grid, title="小区东侧停车位划线", description=SUBJECTS[2][1], now=start
    )
    parking = services.topic_screen(actor=SYSTEM, topic=parking, decision="accept", now=start)
    held_at = _at(start + datetime.timedelta(days=5), 19)
    meeting = services.meeting_create(
        actor=SYSTEM,
        node=grid,
        title=f"{grid.name}停车议事会",
        starts_at=held_at,
        place="网格议事厅",
        invited_roles=[ParticipantRole.RESIDENT_REP, ParticipantRole.PARTY_MEMBER, ParticipantRole.PROPERTY],
        topics=[parking],
    )
    reps = [
        services.participant_add(
            actor=SYSTEM,
            meeting=meeting,
            role=ParticipantRole.RESIDENT_REP,
            name=ctx.person_name(),
            household=household,
        )
        for household in Household.objects.filter(pk__in=[h[0] for h in homes[1:6]]).order_by("pk")
    ]
    services.participant_add(
        actor=SYSTEM, meeting=meeting, role=ParticipantRole.PROPERTY, name=PROPERTY_FIRMS[0]
    )
    services.attendance_record(actor=SYSTEM, meeting=meeting, present=[p.pk for p in reps])
    vote = services.vote_open(
        actor=SYSTEM,
        meeting=meeting,
        topic=parking,
        question="是否同意在小区东侧施划停车位",
        rule=VoteRule.REPRESENTATIVE,
        quorum=Share.TWO_THIRDS,
        threshold=Share.HALF,
        opens_at=held_at,
        closes_at=held_at + datetime.timedelta(hours=3),
        now=held_at,
    )
    for index, rep in enumerate(reps):
        services.ballot_cast(
            actor=SYSTEM,
            vote=vote,
            choice=Choice.NO if index == 4 else Choice.YES,
            participant=rep,
            now=held_at + datetime.timedelta(minutes=30 + index),
        )
    closed_at = held_at + datetime.timedelta(hours=1)
    vote = services.vote_close(actor=SYSTEM, vote=vote, now=closed_at)
    services.meeting_record_minutes(
        actor=SYSTEM,
        meeting=meeting,
        minutes="五位居民代表全部出席，物业公司列席。表决通过小区东侧停车位划线，由网格员负责联系物业实施。",
        now=closed_at,
    )
    overdue = services.resolution_create(
        actor=SYSTEM,
        vote=vote,
        text="小区东侧施划停车位并设消防通道标识。",
        owner=worker,
        working_days=5,
        now=closed_at,
    )
    # the second one is due soon: the shortest time whose warning has begun now
    for days in range(1, 60):
        due = workdays.add_working_days(closed_at, days, city=ctx.data["city"].pk)
        if light_at(due_at=due, warn_at=workdays.warn_before(closed_at, due), now=now) == "YELLOW":
            break
    services.resolution_create(
        actor=SYSTEM,
        vote=vote,
        text="在停车区入口设置限速和禁止鸣笛标识。",
        owner=worker,
        working_days=days,
        now=closed_at,
    )
    for resolution in Resolution.objects.filter(pk__gte=overdue.pk, vote=vote):
        services.resolution_publish(
            actor=SYSTEM, resolution=resolution, now=closed_at + datetime.timedelta(days=1)
        )
        light = light_at(due_at=resolution.due_at, warn_at=resolution.warn_at, now=now)
        Resolution.objects.filter(pk=resolution.pk).update(light=light, light_changed_at=now)

    # a unit's elevator, open for online votes before next week's meeting
    by_unit: dict[int, list] = defaultdict(list)
    for h in homes:
        by_unit[h[1]].append(h)
    unit_homes = max(by_unit.values(), key=lambda hs: (len(hs), -hs[0][0]))
    if len(unit_homes) >= 2:
        home = unit_homes[0]
        elevator = services.topic_raise(
            actor=SYSTEM,
            node=grid,
            title=f"{home[3].split('单元')[0]}单元加装电梯",
            description=SUBJECTS[0][1],
            unit=Household.objects.select_related("unit__building").get(pk=home[0]).unit,
            now=now - datetime.timedelta(days=6),
        )
        elevator = services.topic_screen(actor=SYSTEM, topic=elevator, decision="accept", now=now)
        next_week = services.meeting_create(
            actor=SYSTEM,
            node=grid,
            title=f"{grid.name}加装电梯议事会",
            starts_at=_at(now + datetime.timedelta(days=7), 19),
            place="社区党群服务中心会议室",
            invited_roles=[
                ParticipantRole.RESIDENT_REP,
                ParticipantRole.UNIT_HEAD,
                ParticipantRole.DEPARTMENT,
            ],
            topics=[elevator],
        )
        online = services.vote_open(
            actor=SYSTEM,
            meeting=next_week,
            topic=elevator,
            question="是否同意本单元加装电梯（费用按楼层分摊）",
            rule=VoteRule.HOUSEHOLD,
            quorum=Share.TWO_THIRDS,
            threshold=Share.THREE_QUARTERS,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=_at(now + datetime.timedelta(days=7), 21),
            now=now,
        )
        for h in unit_homes[1:3]:
            services.ballot_cast(
                actor=SYSTEM,
                vote=online,
                choice=Choice.YES,
                household=Household.objects.get(pk=h[0]),
                channel=Channel.ONLINE,
                now=now - datetime.timedelta(hours=rng.randint(1, 20)),
            )
    return 3
