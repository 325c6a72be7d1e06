"""The volunteer time bank (爱心时间银行): volunteers, activities, sign-ups, the points ledger,
rewards and redemptions.

Points are booked in an append-only ledger; the volunteer's `balance` is changed in the same
transaction while the volunteer's row is locked (select_for_update), so two concurrent
redemptions cannot both spend the same points. Sign-up and activity statuses change only
through their django-fsm transitions, on locked rows.

Grid staff register volunteers and organise activities in their grids; the organiser (or
the grid's staff) confirms attendance; a volunteer signs up, cancels and redeems for itself.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import inputs
from hlgrid.errors import Forbidden, InvalidInput, TransitionNotAllowed
from party import policy
from party.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    EntryKind,
    InServiceMember,
    PartyMember,
    PartyOrganization,
    PointsEntry,
    Redemption,
    Reward,
    SignUp,
    SignUpStatus,
    Volunteer,
)
from party.services.common import CENT, HALF_HOUR
from residents.models import Resident


def points_per_hour() -> Decimal:
    """The configured rate at which confirmed hours become points (settings.PARTY_POINTS_PER_HOUR)."""
    return Decimal(str(getattr(settings, "PARTY_POINTS_PER_HOUR", "10")))


def volunteer_register(
    *,
    actor,
    name: str = "",
    grid: GridNode | None = None,
    user=None,
    resident: Resident | None = None,
    in_service_member: InServiceMember | None = None,
) -> Volunteer:
    """The grid's staff register a volunteer; a resident's home grid is where they live, an
    in-service member's the grid they reported to."""
    policy.require_actor(actor)
    if resident is not None:
        resident = Resident.objects.select_related("household__grid").get(pk=resident.pk)
        name = name or resident.name
        grid = grid or resident.household.grid
    if in_service_member is not None:
        name = name or in_service_member.name
        grid = grid or in_service_member.grid
    if grid is not None:
        policy.require_staff(actor, grid)
    name = inputs.required("name", name)
    if grid is None or grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("A volunteer belongs to a grid."))
    try:
        with transaction.atomic():
            return Volunteer.objects.create(
                name=name,
                grid=grid,
                user=user,
                resident=resident,
                in_service_member=in_service_member,
                created_by=access.recorded(actor),
            )
    except IntegrityError:
        raise InvalidInput.field("user", _("This person is already a volunteer.")) from None


def activity_create(
    *,
    actor,
    title: str,
    grid: GridNode,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = ActivityKind.SERVICE,
    capacity: int = 20,
    theme: str = "",
    place: str = "",
    description: str = "",
    organization: PartyOrganization | None = None,
    lecturer: PartyMember | None = None,
    rate: Decimal | None = None,
) -> Activity:
    """An activity in a grid of the organiser's scope, its rate fixed when it is created."""
    policy.require_staff(actor, grid)
    title = inputs.required("title", title)
    if kind not in ActivityKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("%(name)s is not a grid.") % {"name": grid.name})
    if ends_at <= starts_at:
        raise InvalidInput.field("ends_at", _("The end is before the start."))
    if capacity < 1:
        raise InvalidInput.field("capacity", _("An activity has at least one place."))
    if kind == ActivityKind.MONTHLY_THEME and not theme.strip():
        raise InvalidInput.field("theme", _("A monthly theme service has a theme."))
    if kind == ActivityKind.PARTY_LECTURE and lecturer is None:
        raise InvalidInput.field("lecturer", _("A theme Party lecture has a lecturer."))
    if (
        organization is not None
        and not grid.is_descendant_of(organization.node, include_self=True)
        and not organization.node.is_descendant_of(grid, include_self=True)
    ):
        raise InvalidInput.field("organization", _("The organisation does not cover this grid."))
    return Activity.objects.create(
        title=title,
        kind=kind,
        theme=theme.strip(),
        grid=grid,
        organiser=access.recorded(actor),
        place=place,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        organization=organization,
        lecturer=lecturer,
        points_per_hour=rate if rate is not None else points_per_hour(),
    )


def signup_create(
    *, actor, volunteer: Volunteer, activity: Activity, now: datetime.datetime | None = None
) -> SignUp:
    """The volunteer signs up for an activity (again, after cancelling: the same row)."""
    policy.require_volunteer(actor, volunteer)
    now = now or timezone.now()
    with transaction.atomic():
        # The activity row is the lock that keeps the places count honest.
        activity = Activity.objects.select_for_update().get(pk=activity.pk)
        if activity.status != ActivityStatus.OPEN or now >= activity.ends_at:
            raise TransitionNotAllowed(_("This activity is no longer open for sign-up."))
        taken = activity.signups.filter(status__in=[SignUpStatus.SIGNED_UP, SignUpStatus.CONFIRMED]).count()
        existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
        if existing is not None and existing.status != SignUpStatus.CANCELLED:
            raise InvalidInput.field("activity", _("You have already signed up for this activity."))
        if taken >= activity.capacity:
            raise InvalidInput.field("activity", _("This activity is full."))
        if existing is not None:
            existing.renew()
            existing.signed_up_at = now
            existing.save(update_fields=["status", "signed_up_at"])
            return existing
        return SignUp.objects.create(activity=activity, volunteer=volunteer, signed_up_at=now)


def signup_cancel(*, actor, signup: SignUp, now: datetime.datetime | None = None) -> SignUp:
    """The volunteer cancels its own sign-up before the activity starts."""
    policy.require_actor(actor)
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity", "volunteer").get(pk=signup.pk)
        policy.require_volunteer(actor, signup.volunteer)
        if not can_proceed(signup.cancel) or now >= signup.activity.starts_at:
            raise TransitionNotAllowed(_("This sign-up can no longer be cancelled."))
        signup.cancel()
        signup.save(update_fields=["status"])
    return signup


def _require_organiser(actor, activity: Activity) -> None:
    """The organiser, or the staff of the activity's grid, confirm attendance and cancel."""
    policy.require_actor(actor)
    if policy.is_user(actor, activity.organiser_id):
        return
    if not access.covers(actor, activity.grid, kinds=policy.STAFF_KINDS):
        raise Forbidden(_("Only the organiser or the grid's staff may confirm attendance."))


def _require_signed_up(signup: SignUp) -> None:
    if signup.status != SignUpStatus.SIGNED_UP:
        raise TransitionNotAllowed(
            _("This sign-up is %(status)s.") % {"status": SignUpStatus(signup.status).label}
        )


def _book(
    *,
    volunteer_id: int,
    kind: str,
    points: Decimal,
    actor,
    now: datetime.datetime,
    hours: Decimal = Decimal("0"),
    signup: SignUp | None = None,
    redemption: Redemption | None = None,
    corrects: PointsEntry | None = None,
    note: str = "",
) -> PointsEntry:
    """Book one ledger entry and move the balance; the caller holds the volunteer's row lock."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer_id)
    if volunteer.balance + points < 0:
        raise InvalidInput.field(
            "points",
            _("Not enough points: the balance is %(balance)s, %(needed)s are needed.")
            % {"balance": volunteer.balance, "needed": -points},
        )
    entry = PointsEntry.objects.create(
        volunteer_id=volunteer_id,
        grid_id=volunteer.grid_id,
        kind=kind,
        points=points,
        hours=hours,
        signup=signup,
        redemption=redemption,
        corrects=corrects,
        note=note,
        booked_at=now,
        booked_by=access.recorded(actor),
    )
    Volunteer.objects.filter(pk=volunteer_id).update(balance=F("balance") + points)
    return entry


def signup_confirm(
    *, actor, signup: SignUp, hours, now: datetime.datetime | None = None
) -> tuple[SignUp, PointsEntry]:
    """The organiser confirms attendance and hours; the hours become points at the activity's rate."""
    policy.require_actor(actor)
    now = now or timezone.now()
    hours = inputs.decimal("hours", hours, minimum=HALF_HOUR)
    if hours % HALF_HOUR:
        raise InvalidInput.field("hours", _("Hours are counted in half hours."))
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity__grid").get(pk=signup.pk)
        activity = signup.activity
        _require_organiser(actor, activity)
        _require_signed_up(signup)
        if activity.status == ActivityStatus.CANCELLED:
            raise TransitionNotAllowed(_("The activity was cancelled."))
        if now < activity.starts_at:
            raise TransitionNotAllowed(_("Attendance is confirmed once the activity has started."))
        longest = Decimal((activity.ends_at - activity.starts_at).total_seconds()) / 3600
        if hours > longest.quantize(HALF_HOUR, rounding=ROUND_HALF_UP).max(HALF_HOUR):
            raise InvalidInput.field(
                "hours",
                _("The activity lasted %(hours)s hours.") % {"hours": longest.quantize(Decimal("0.1"))},
            )
        signup.confirm()
        signup.hours = hours
        signup.confirmed_at = now
        signup.confirmed_by = access.recorded(actor)
        signup.save(update_fields=["status", "hours", "confirmed_at", "confirmed_by"])
        points = (hours * activity.points_per_hour).quantize(CENT, rounding=ROUND_HALF_UP)
        entry = _book(
            volunteer_id=signup.volunteer_id,
            kind=EntryKind.EARNED,
            points=points,
            hours=hours,
            actor=actor,
            now=now,
            signup=signup,
            note=activity.title[:200],
        )
    return signup, entry


def signup_mark_absent(*, actor, signup: SignUp, now: datetime.datetime | None = None) -> SignUp:
    now = now or timezone.now()
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("activity__grid").get(pk=signup.pk)
        _require_organiser(actor, signup.activity)
        _require_signed_up(signup)
        if now < signup.activity.starts_at:
            raise TransitionNotAllowed(_("Attendance is confirmed once the activity has started."))
        signup.mark_absent()
        signup.confirmed_at = now
        signup.confirmed_by = access.recorded(actor)
        signup.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return signup


def points_correct(
    *, actor, entry: PointsEntry, points, note: str, now: datetime.datetime | None = None
) -> PointsEntry:
    """Correct an entry with a new one (the ledger is never edited). `points` is the change."""
    policy.require_actor(actor)
    note = inputs.required("note", note)
    points = inputs.decimal("points", points).quantize(CENT, rounding=ROUND_HALF_UP)
    if points == 0:
        raise InvalidInput.field("points", _("A correction changes the points."))
    now = now or timezone.now()
    with transaction.atomic():
        entry = PointsEntry.objects.select_related("volunteer__grid").get(pk=entry.pk)
        policy.require_staff(actor, entry.volunteer.grid)
        return _book(
            volunteer_id=entry.volunteer_id,
            kind=EntryKind.CORRECTION,
            points=points,
            actor=actor,
            now=now,
            corrects=entry,
            note=note[:200],
        )


def reward_redeem(
    *, actor, volunteer: Volunteer, reward: Reward, now: datetime.datetime | None = None
) -> Redemption:
    """The volunteer spends points on a reward. The volunteer's row is locked first (then the
    reward's), so concurrent redemptions queue up and the second sees the first one's balance."""
    policy.require_volunteer(actor, volunteer)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        if not reward.is_active:
            raise InvalidInput.field("reward", _("This reward is no longer offered."))
        if reward.stock is not None and reward.stock < 1:
            raise InvalidInput.field("reward", _("This reward is out of stock."))
        if locked.balance < reward.price:
            raise InvalidInput.field(
                "reward",
                _("Not enough points: the balance is %(balance)s, the reward costs %(price)s.")
                % {"balance": locked.balance, "price": reward.price},
            )
        redemption = Redemption.objects.create(
            volunteer=locked, reward=reward, points=reward.price, redeemed_at=now
        )
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
        _book(
            volunteer_id=locked.pk,
            kind=EntryKind.REDEEMED,
            points=-reward.price,
            actor=actor,
            now=now,
            redemption=redemption,
            note=reward.name[:200],
        )
    return redemption


def activity_cancel(*, actor, activity: Activity) -> Activity:
    with transaction.atomic():
        activity = Activity.objects.select_for_update().select_related("grid").get(pk=activity.pk)
        _require_organiser(actor, activity)
        if not can_proceed(activity.cancel):
            raise TransitionNotAllowed(_("Only an open activity can be cancelled."))
        if activity.signups.filter(status=SignUpStatus.CONFIRMED).exists():
            raise TransitionNotAllowed(_("Points were already booked for this activity."))
        activity.cancel()
        activity.save(update_fields=["status"])
    return activity


def activity_close_finished(*, now: datetime.datetime) -> dict:
    """Sweeper: open activities that have ended are finished (one set-based UPDATE, the sweep's
    way past the per-row transitions)."""
    closed = Activity.objects.filter(status=ActivityStatus.OPEN, ends_at__lte=now).update(
        status=ActivityStatus.FINISHED
    )
    return {"finished": closed}
