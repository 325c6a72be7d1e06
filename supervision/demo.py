"""Demo: the accountability cases of every Overdue row and late check-in of the demo (the
sweep's own statement), a share of them reviewed (excused with a reason, warned, penalised),
and 督办 orders in every state on open petitions of the demo official's street."""

from datetime import timedelta

from django.utils import timezone

from grids.access import SYSTEM
from hlgrid.lights import Light
from hlgrid.models import User
from petitions.models import OPEN_STATUSES, Petition
from supervision import services
from supervision.models import Case, ExcuseReason, Outcome

REASONS = list(ExcuseReason.values)


def _review(ctx, now) -> dict:
    rng = ctx.rng
    reviewer = User.objects.filter(username="official").first()
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    plan: dict[tuple, list[int]] = {}
    for pk in ids:
        draw = rng.random()
        if draw < 0.15:
            key = (Outcome.EXCUSED, rng.choice(REASONS))
        elif draw < 0.35:
            key = (Outcome.WARNED, "")
        elif draw < 0.42:
            key = (Outcome.PENALISED, "")
        else:
            continue
        plan.setdefault(key, []).append(pk)
    for (outcome, reason), chosen in plan.items():
        Case.objects.filter(pk__in=chosen).update(
            outcome=outcome, reason=reason, reviewed_by=reviewer, reviewed_at=now, note=""
        )
    return {outcome: sum(len(v) for (o, _r), v in plan.items() if o == outcome) for outcome, _ in plan}


def _orders(ctx, now) -> int:
    official = User.objects.filter(username="official").first()
    if official is None:
        return 0
    street = ctx.data["streets"][0]
    candidates = list(
        Petition.objects.filter(
            status__in=OPEN_STATUSES,
            assignee__isnull=False,
            grid__tree_id=street.tree_id,
            grid__lft__gte=street.lft,
            grid__rght__lte=street.rght,
        )
        .select_related("grid", "assignee")
        .order_by("-light", "pk")[:9]
    )
    made = 0
    for i, petition in enumerate(candidates):
        issued = now - timedelta(days=(0, 2, 6, 1, 3, 4, 2, 5, 1)[i])
        order = services.order_issue(
            actor=official,
            petition=petition,
            instruction="请于期限内办结并书面回复办理情况。",
            working_days=(3, 3, 2, 3, 2, 3, 3, 2, 5)[i],
            now=issued,
        )
        made += 1
        if i in (3, 4, 5, 6):
            order = services.order_reply(
                actor=petition.assignee,
                order=order,
                reply="已现场处理，附整改情况。",
                now=issued + timedelta(hours=20),
            )
        if i == 5:
            services.order_close(actor=official, order=order, now=issued + timedelta(days=1))
        if i == 6:
            order = services.order_send_back(
                actor=official,
                order=order,
                note="整改照片缺失，请补充。",
                working_days=2,
                now=issued + timedelta(days=1),
            )
    # the stored lights as the sweep would leave them
    from supervision.sweep import sweep

    sweep(now=now)
    return made


def load(ctx) -> None:
    now = timezone.now().replace(microsecond=0)
    opened = services.cases_open(actor=SYSTEM, now=now)
    reviewed = _review(ctx, now)
    made = _orders(ctx, now)
    ctx.log(
        f"  supervision: {opened['cases_overdue']} overdue and {opened['cases_checkin']} check-in cases "
        f"({', '.join(f'{k} {v}' for k, v in sorted(reviewed.items()))}), {made} supervision orders"
    )
    assert Light  # the orders' lights come from the sweep
