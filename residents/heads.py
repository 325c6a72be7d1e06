"""楼栋长 and 单元长 as users: their accounts (created by the grid's worker or head), what they
see (their building, or their unit: households, names and masked phones, never ID numbers) and
their confirmations that a key person was seen.

A head holds no grids.Post, so every staff scope gives it nothing; everything it sees goes
through `head_account_of` and the selectors here, which answer 404 outside its building/unit.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import PostKind
from grids.subtree import in_subtree
from hlgrid import inputs, passwords
from hlgrid.crypto import mask_phone
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.ordering import numbered
from residents.models import Building, HeadAccount, Household, KeyMembership, Resident, Sighting, Unit

# Who may give a head its login: the grid's own staff (its workers and its head).
GRANTING_KINDS = (PostKind.WORKER, PostKind.HEAD)
NOTE_MAX = 200


@dataclass(frozen=True)
class NewHeadAccount:
    account: HeadAccount
    username: str
    password: str  # shown once, to be changed at the first login


def _require_actor(actor) -> None:
    if actor is None:
        raise NotFound()


def head_account_of(user) -> HeadAccount | None:
    """The user's active head account (None for anyone else)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        HeadAccount.objects.filter(user=user, ended_at__isnull=True)
        .select_related("resident", "building", "unit", "grid")
        .first()
    )


def require_head(user) -> HeadAccount:
    account = head_account_of(user)
    if account is None:
        raise NotFound()
    return account


def head_or_404(user) -> HeadAccount:
    """For the head's pages: its account, or Http404 (staff and residents alike)."""
    account = head_account_of(user)
    if account is None:
        raise Http404()
    return account


def head_account_create(
    *, actor, resident: Resident, unit: Unit | None = None, username: str, phone: str = ""
) -> NewHeadAccount:
    """Give the resident who heads a building (or `unit`) a login with a one-time password.

    Only the grid's worker or head may (anyone else: the policy's refusal, 404 outside).
    The resident must be the building's (or the unit's) head as recorded."""
    _require_actor(actor)
    resident = Resident.objects.select_related("household__unit__building__grid").get(pk=resident.pk)
    if unit is not None:
        unit = Unit.objects.select_related("building__grid").get(pk=unit.pk)
        building = unit.building
        if unit.head_id != resident.pk:
            raise InvalidInput.field("resident", _("This resident is not the head of the unit."))
    else:
        building = Building.objects.select_related("grid").get(pk=resident.household.unit.building_id)
        if building.head_id != resident.pk:
            raise InvalidInput.field("resident", _("This resident is not the head of the building."))
    access.require_post(actor, building.grid, kinds=GRANTING_KINDS)
    username = inputs.required("username", username).strip()
    if len(username) > 150:
        raise InvalidInput.field("username", _("At most 150 characters."))
    phone = inputs.phone(phone, field="phone")
    User = get_user_model()
    password = passwords.generate()
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise InvalidInput.field("username", _("This user name is taken."))
        user = User(username=username, name=resident.name[:64], phone=phone)
        passwords.set_by_someone_else(user, password)
        user.save()
        try:
            with transaction.atomic():
                account = HeadAccount.objects.create(
                    user=user,
                    resident=resident,
                    building=building,
                    unit=unit,
                    grid=building.grid,
                    granted_by=access.recorded(actor),
                )
        except IntegrityError:
            raise InvalidInput.field("username", _("This user already has a head account.")) from None
    return NewHeadAccount(account=account, username=username, password=password)


def head_account_end(*, actor, account: HeadAccount, now: datetime | None = None) -> HeadAccount:
    """End a head's login (the head stepped down); the user is deactivated."""
    _require_actor(actor)
    account = HeadAccount.objects.select_related("grid", "user").get(pk=account.pk)
    access.require_post(actor, account.grid, kinds=GRANTING_KINDS)
    if account.ended_at is not None:
        return account
    with transaction.atomic():
        account.ended_at = now or timezone.now()
        account.ended_by = access.recorded(actor)
        account.save(update_fields=["ended_at", "ended_by"])
        account.user.is_active = False
        account.user.save(update_fields=["is_active"])
    return account


def head_accounts_for_staff(*, user, grid) -> QuerySet:
    """The head accounts of a grid, for its staff (404 for anyone not over it)."""
    access.must_cover(user, grid)
    return (
        HeadAccount.objects.filter(grid=grid)
        .select_related("resident", "building", "unit", "user")
        .order_by(*numbered("building__number"), *numbered("unit__number"), "pk")
    )


@dataclass(frozen=True)
class HeadSeat:
    """One head's place in a grid (a building's, or a unit's) for the grid's staff page."""

    building: Building
    unit: Unit | None
    head: Resident | None
    account: HeadAccount | None


def head_seats_for_staff(*, user, grid) -> list[HeadSeat]:
    """Every building and unit of a grid with its recorded head and the head's active login, in
    three queries whatever the grid's size (404 for anyone not over the grid)."""
    access.must_cover(user, grid)
    buildings = list(
        Building.objects.filter(grid=grid).select_related("head").order_by(*numbered("number"), "pk")
    )
    units: dict[int, list[Unit]] = {}
    for unit in (
        Unit.objects.filter(building__grid=grid).select_related("head").order_by(*numbered("number"), "pk")
    ):
        units.setdefault(unit.building_id, []).append(unit)
    accounts = {
        (a.building_id, a.unit_id): a
        for a in HeadAccount.objects.filter(grid=grid, ended_at__isnull=True).select_related("user")
    }
    seats = []
    for building in buildings:
        seats.append(HeadSeat(building, None, building.head, accounts.get((building.pk, None))))
        for unit in units.get(building.pk, []):
            seats.append(HeadSeat(building, unit, unit.head, accounts.get((building.pk, unit.pk))))
    return seats


# --- what a head sees ----------------------------------------------------------------------------


def _scope(account: HeadAccount, path: str = "") -> Q:
    p = f"{path}__" if path else ""
    if account.unit_id is not None:
        return Q(**{f"{p}unit_id": account.unit_id})
    return Q(**{f"{p}unit__building_id": account.building_id})


def head_units(*, account: HeadAccount) -> QuerySet:
    units = Unit.objects.filter(building_id=account.building_id)
    if account.unit_id is not None:
        units = units.filter(pk=account.unit_id)
    return units.annotate(household_count=Count("households")).order_by(*numbered("number"))


def head_households(*, account: HeadAccount) -> QuerySet:
    """The households of the head's unit (or building), with their residents' count."""
    return (
        Household.objects.filter(_scope(account))
        .select_related("unit")
        .annotate(resident_count=Count("residents"))
        .order_by(*numbered("unit__number"), *numbered("door"))
    )


def head_household(*, account: HeadAccount, pk: int) -> tuple[Household, list[dict]]:
    """One household of the head's scope with its residents as a head sees them: names and
    masked phones, never ID numbers (404 outside). Seeing the list is logged."""
    from residents.services import access_log_record

    household = Household.objects.filter(_scope(account), pk=pk).select_related("unit").first()
    if household is None:
        raise NotFound()
    people = [
        {"id": r.pk, "name": r.name, "phone": mask_phone(r.phone)}
        for r in Resident.objects.filter(household=household).only("pk", "name", "phone").order_by("pk")
    ]
    access_log_record(actor=account.user, subject=household, field="residents:head")
    return household, people


def head_key_people(*, account: HeadAccount) -> QuerySet:
    """The active key people living in the head's scope (name and group only)."""
    return (
        KeyMembership.objects.filter(_scope(account, "resident__household"), is_active=True)
        .select_related("resident", "group", "resident__household")
        .order_by("resident__household__door", "pk")
    )


def sighting_record(
    *, actor, resident: Resident, note: str = "", seen_at: datetime | None = None
) -> Sighting:
    """The head confirms that a key person of its building/unit was seen (404 outside)."""
    account = require_head(actor)
    if not head_key_people(account=account).filter(resident_id=resident.pk).exists():
        raise NotFound()
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput.field("note", _("At most 200 characters."))
    now = timezone.now()
    seen_at = seen_at or now
    if seen_at > now:
        raise InvalidInput.field("seen_at", _("This moment is in the future."))
    return Sighting.objects.create(
        account=account, resident_id=resident.pk, grid=account.grid, seen_at=seen_at, note=note
    )


def sightings_for_staff(*, user, grid, limit: int = 50) -> list[Sighting]:
    """The latest sightings of a grid, for its staff (404 for anyone not over it)."""
    access.must_cover(user, grid)
    return list(
        Sighting.objects.filter(grid=grid)
        .select_related("resident", "account__resident")
        .order_by("-seen_at", "-pk")[:limit]
    )


def head_counts(*, node) -> dict:
    """How many building heads and unit heads the node's subtree has, and with a login (SQL)."""
    buildings = Building.objects.filter(in_subtree(node, "grid"))
    units = Unit.objects.filter(in_subtree(node, "building__grid"))
    accounts = HeadAccount.objects.filter(in_subtree(node, "grid"), ended_at__isnull=True).aggregate(
        building=Count("pk", filter=Q(unit__isnull=True)), unit=Count("pk", filter=Q(unit__isnull=False))
    )
    return {
        "building_heads": buildings.filter(head__isnull=False).count(),
        "unit_heads": units.filter(head__isnull=False).count(),
        "building_accounts": accounts["building"],
        "unit_accounts": accounts["unit"],
    }


def head_chat_groups(*, account: HeadAccount) -> QuerySet:
    """The active chat groups of the head's micro-grid: its unit's, or its building's and the
    building's units'."""
    from residents.models import ChatGroup

    if account.unit_id is not None:
        groups = ChatGroup.objects.filter(unit_id=account.unit_id)
    else:
        groups = ChatGroup.objects.filter(
            Q(building_id=account.building_id) | Q(unit__building_id=account.building_id)
        )
    return groups.filter(is_active=True).order_by("pk")


def head_key_people_seen(*, account: HeadAccount) -> QuerySet:
    """The head's key people with when they were last confirmed seen (by anyone's head
    account: one subquery, one query whatever their number)."""
    from django.db.models import Max, OuterRef, Subquery

    last = (
        Sighting.objects.filter(resident_id=OuterRef("resident_id"))
        .values("resident_id")
        .annotate(at=Max("seen_at"))
        .values("at")
    )
    return head_key_people(account=account).annotate(last_seen_at=Subquery(last[:1]))
