"""The demo's windows: 52 service items, a comprehensive window per street, 49 general social
workers (most qualified for every item) on a rotation, and the services they handled."""

import datetime
from collections import defaultdict

from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.bulk import bulk_insert
from hlgrid.models import User
from party.demo.data import BATCH, ITEMS, SOCIAL_WORKERS
from party.models import ServiceItem, ServiceOutcome, ServiceWindow, SocialWorker, WindowService
from party.services.windows import duty_rota_generate
from residents.models import Resident

# Most services are done on the spot; the rest spread over the other outcomes (no draw from the
# demo's random stream, so the parts loaded after this one stay as they were).
OUTCOMES = [ServiceOutcome.DONE] * 6 + [
    ServiceOutcome.ADVISED,
    ServiceOutcome.DONE,
    ServiceOutcome.ACCEPTED,
    ServiceOutcome.DONE,
    ServiceOutcome.REFERRED,
    ServiceOutcome.MISSING,
]


def load_windows(ctx, streets, grids, today) -> None:
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
    bulk_insert(rows, batch_size=BATCH)
    # Two months back (the services handled) to the end of the current month (the month's rota).
    start = today - datetime.timedelta(days=60)
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    shifts = duty_rota_generate(
        actor=SYSTEM, start=start, days=(month_end - start).days, per_window=3, windows=windows
    )

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
                    outcome=OUTCOMES[len(served) % len(OUTCOMES)],
                )
            )
    bulk_insert(served, batch_size=BATCH)
    ctx.data["social_worker_users"] = [u.pk for u in users]
    ctx.log(
        f"    {len(workers)} social workers, {len(items)} service items, {len(windows)} windows, "
        f"{len(shifts)} duty shifts, {len(served)} window services"
    )
