"""The rotating theme Party lectures (主题党课轮值): generate a year's rota over the grid
branches, change a lecturer, swap two lecturers, move a lecture, record who attended.

Heads, officials and administrators over a branch plan its lectures (party.policy
LEADING_KINDS); a street official plans the lectures of the branches of the street. The
rules: one lecture per branch and month, no lecturer twice in one month (both enforced by the
database too), lectures on working days of their month (hlgrid.workdays).
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access, cities
from hlgrid import workdays
from hlgrid.errors import InvalidInput
from party import policy
from party.models import LectureSlot, OrgKind, PartyMember, PartyOrganization


def _require_planner(actor, branch: PartyOrganization) -> None:
    policy.require_post(
        actor, branch.node, policy.LEADING_KINDS, _("Only heads and officials over it plan its lectures.")
    )


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def lecture_day(month: datetime.date, day_of_month: int, *, city: int | None) -> datetime.date:
    """The first working day of `city`'s calendar on or after `day_of_month` of the month, else
    the month's last one."""
    end = _next_month(month)
    day = month.replace(day=min(max(day_of_month, 1), 28))
    while day < end:
        if workdays.is_working_day(day, city=city):
            return day
        day += datetime.timedelta(days=1)
    day = end - datetime.timedelta(days=1)
    while not workdays.is_working_day(day, city=city):
        day -= datetime.timedelta(days=1)
    return day


def lecture_rota_generate(
    *,
    actor,
    branches: Sequence[PartyOrganization],
    lecturers: Sequence[PartyMember],
    first_month: datetime.date,
    themes: Sequence[str],
    day_of_month: int = 15,
    place: str = "",
) -> list[LectureSlot]:
    """One lecture per branch for each month from `first_month`, one month per theme.

    The lecturers take turns round-robin over the branches and months, so each lectures as
    often as the others (±1) and never twice in one month; there must be at least as many
    lecturers as branches. A branch's month that already has a lecture is left alone (its
    lecturer is not used again that month)."""
    policy.require_actor(actor)
    branches = sorted(branches, key=lambda b: b.code)
    lecturers = sorted({m.pk: m for m in lecturers}.values(), key=lambda m: m.pk)
    if not branches or not themes:
        raise InvalidInput.field("themes", _("Name at least one branch and one theme."))
    for branch in branches:
        if branch.kind != OrgKind.GRID_BRANCH:
            raise InvalidInput.field("branches", _("%(name)s is not a grid branch.") % {"name": branch.name})
        _require_planner(actor, branch)
    if any(not m.is_active for m in lecturers):
        raise InvalidInput.field("lecturers", _("A lecturer is no longer an active member."))
    if len(lecturers) < len(branches):
        raise InvalidInput.field("lecturers", _("There are fewer lecturers than branches."))
    months = []
    month = first_month.replace(day=1)
    for _theme in themes:
        months.append(month)
        month = _next_month(month)
    by = access.recorded(actor)
    created: list[LectureSlot] = []
    with transaction.atomic():
        # the branches' rows are the lock: two planners generating at once wait for each other
        list(PartyOrganization.objects.select_for_update().filter(pk__in=[b.pk for b in branches]))
        existing = {}
        for slot in LectureSlot.objects.filter(month__in=months).values("branch_id", "month", "lecturer_id"):
            existing.setdefault(slot["month"], []).append(slot)
        # Each branch's lecture falls on a working day of its own city's calendar.
        city_of_tree = dict(cities.cities().values_list("tree_id", "id"))
        city_of = {
            pk: city_of_tree.get(tree)
            for pk, tree in PartyOrganization.objects.filter(pk__in=[b.pk for b in branches]).values_list(
                "pk", "node__tree_id"
            )
        }
        turn = 0
        for month, theme in zip(months, themes, strict=True):
            taken = {s["lecturer_id"] for s in existing.get(month, []) if s["lecturer_id"]}
            planned = {s["branch_id"] for s in existing.get(month, [])}
            for branch in branches:
                if branch.pk in planned:
                    continue
                day = lecture_day(month, day_of_month, city=city_of[branch.pk])
                for _step in range(len(lecturers)):
                    lecturer = lecturers[turn % len(lecturers)]
                    turn += 1
                    if lecturer.pk not in taken:
                        break
                else:
                    lecturer = None
                if lecturer is not None:
                    taken.add(lecturer.pk)
                created.append(
                    LectureSlot(
                        branch=branch,
                        node_id=branch.node_id,
                        month=month,
                        theme=theme[:100],
                        lecturer=lecturer,
                        scheduled_on=day,
                        place=place[:100],
                        created_by=by,
                    )
                )
        LectureSlot.objects.bulk_create(created)
    return created


def _locked(slot: LectureSlot) -> LectureSlot:
    return LectureSlot.objects.select_for_update().select_related("branch").get(pk=slot.pk)


def lecture_assign(*, actor, slot: LectureSlot, lecturer: PartyMember | None) -> LectureSlot:
    """Give the lecture to another lecturer (or to nobody yet)."""
    policy.require_actor(actor)
    _require_planner(actor, slot.branch)
    if lecturer is not None and not lecturer.is_active:
        raise InvalidInput.field("lecturer", _("This member is no longer active."))
    try:
        with transaction.atomic():
            slot = _locked(slot)
            if (
                lecturer is not None
                and LectureSlot.objects.filter(month=slot.month, lecturer=lecturer)
                .exclude(pk=slot.pk)
                .exists()
            ):
                raise InvalidInput.field(
                    "lecturer", _("%(name)s already lectures that month.") % {"name": lecturer.name}
                )
            slot.lecturer = lecturer
            slot.save(update_fields=["lecturer"])
    except IntegrityError:
        raise InvalidInput.field("lecturer", _("This lecturer already lectures that month.")) from None
    return slot


def lecture_swap(*, actor, slot: LectureSlot, other: LectureSlot) -> tuple[LectureSlot, LectureSlot]:
    """Swap the lecturers of two lectures (of the same month, or of two months where neither
    lecturer has another lecture)."""
    policy.require_actor(actor)
    if slot.pk == other.pk:
        raise InvalidInput.field("other", _("Choose another lecture."))
    _require_planner(actor, slot.branch)
    _require_planner(actor, other.branch)
    try:
        with transaction.atomic():
            first, second = sorted([slot, other], key=lambda s: s.pk)
            first, second = _locked(first), _locked(second)
            a, b = first.lecturer_id, second.lecturer_id
            for target, lecturer_id in ((first, b), (second, a)):
                clash = (
                    LectureSlot.objects.filter(month=target.month, lecturer_id=lecturer_id)
                    .exclude(pk__in=[first.pk, second.pk])
                    .exists()
                )
                if lecturer_id is not None and clash:
                    raise InvalidInput.field("other", _("The lecturer already lectures that month."))
            LectureSlot.objects.filter(pk=first.pk).update(lecturer=None)
            LectureSlot.objects.filter(pk=second.pk).update(lecturer_id=a)
            LectureSlot.objects.filter(pk=first.pk).update(lecturer_id=b)
            first.lecturer_id, second.lecturer_id = b, a
    except IntegrityError:
        raise InvalidInput.field("other", _("The lecturer already lectures that month.")) from None
    return (first, second) if first.pk == slot.pk else (second, first)


def lecture_move(*, actor, slot: LectureSlot, day: datetime.date, place: str | None = None) -> LectureSlot:
    """Move a lecture to another working day of its month (and, optionally, place)."""
    policy.require_actor(actor)
    _require_planner(actor, slot.branch)
    if day.replace(day=1) != slot.month:
        raise InvalidInput.field("scheduled_on", _("A lecture stays in its month."))
    if not workdays.is_working_day(day, city=cities.city_id_of(slot.branch.node)):
        raise InvalidInput.field(
            "scheduled_on", _("%(day)s is not a working day.") % {"day": day.isoformat()}
        )
    with transaction.atomic():
        slot = _locked(slot)
        slot.scheduled_on = day
        fields = ["scheduled_on"]
        if place is not None:
            slot.place = place[:100]
            fields.append("place")
        slot.save(update_fields=fields)
    return slot


def lecture_attendance(
    *, actor, slot: LectureSlot, attendees: Iterable[PartyMember], count: int | None = None
) -> LectureSlot:
    """Record who of the branch's members attended, and how many people in all (members of
    the branch's groups, guests: at least the members named). Not before the lecture's day."""
    policy.require_actor(actor)
    policy.require_staff(actor, slot.branch.node)
    attendees = list(attendees)
    if slot.scheduled_on > timezone.localdate():
        raise InvalidInput.field("attendees", _("The lecture has not taken place yet."))
    allowed = set(
        PartyMember.objects.filter(
            organization__tree_id=slot.branch.tree_id,
            organization__lft__gte=slot.branch.lft,
            organization__rght__lte=slot.branch.rght,
        ).values_list("pk", flat=True)
    )
    if any(m.pk not in allowed for m in attendees):
        raise InvalidInput.field("attendees", _("Only the branch's members are named as attendees."))
    count = len(attendees) if count is None else count
    if count < len(attendees) or count > 10_000:
        raise InvalidInput.field("attendance", _("The attendance counts at least the members named."))
    with transaction.atomic():
        slot = _locked(slot)
        slot.attendees.set(attendees)
        slot.attendance = count
        slot.save(update_fields=["attendance"])
    return slot
