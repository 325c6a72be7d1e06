"""The demo's time bank: volunteers (most resident Party members, some residents and in-service
members), a year of activities in every community with their sign-ups and points, rewards and
redemptions; the `volunteer` account has an activity under way that the `worker` organises.
Bulk-inserted: each sign-up is built with its status (a protected state field is never
assigned), and the balances are the sums of the ledger."""

import datetime
from collections import defaultdict
from decimal import Decimal

from hlgrid.bulk import bulk_insert
from hlgrid.models import User
from party.demo.data import (
    BATCH,
    LECTURE_TOPICS,
    MONTH_THEMES,
    RATE,
    REWARDS,
    SERVICE_TITLES,
    aware,
)
from party.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    EntryKind,
    OrgKind,
    PartyMember,
    PointsEntry,
    Redemption,
    Reward,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from residents.models import Resident


def load_time_bank(ctx, orgs, communities, grids_of, in_service, now, today) -> None:
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
    bulk_insert(volunteers, batch_size=BATCH)
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
                starts = aware(day, hour)
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
    bulk_insert(activities, batch_size=BATCH)

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
            # The status goes into the constructor: a protected state field is never assigned.
            row = {
                "status": SignUpStatus.SIGNED_UP,
                "signed_up_at": activity.starts_at - datetime.timedelta(days=rng.randint(1, 10)),
            }
            if activity.status == ActivityStatus.FINISHED:
                row["confirmed_at"] = activity.ends_at + datetime.timedelta(hours=1)
                row["confirmed_by_id"] = activity.organiser_id
                if rng.random() < 0.9:
                    duration = Decimal((activity.ends_at - activity.starts_at).seconds // 1800) / 2
                    row["status"] = SignUpStatus.CONFIRMED
                    row["hours"] = max(Decimal("0.5"), duration - rng.choice([0, 0, 0, Decimal("0.5")]))
                else:
                    row["status"] = SignUpStatus.ABSENT
            signup = SignUp(activity=activity, volunteer=volunteer, **row)
            signups.append(signup)
    bulk_insert(signups, batch_size=BATCH)
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
    bulk_insert(entries, batch_size=BATCH)
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
