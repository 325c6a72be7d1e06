"""Everything that changes residents' data, key people and visits; one function per use case.

Callers (views, the API, the importer) pass objects already fetched through the scoped
selectors; every service checks its `actor` again through grids.access, so a page, the API,
a script and a direct call get the same answer (404 outside the actor's grids). Scripts
and the demo act as `grids.access.SYSTEM`; `actor=None` is refused.
"""

import datetime
import math
from collections.abc import Iterable

import shapely
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_ipv46_address
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import Point

from grids import access, cities, geo
from grids.models import GridNode, NodeKind
from hlgrid import inputs, lights
from hlgrid.changes import node_changed
from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput
from hlgrid.photos import MAX_COUNT as MAX_PHOTOS
from hlgrid.photos import clean_all as clean_photos
from residents import idcard, keypeople
from residents.models import (
    PARTY_STATUSES,
    AccessLog,
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
    VisitPhoto,
)
from residents.selectors import RESIDENT_POST_KINDS

USER_AGENT_MAX = AccessLog._meta.get_field("user_agent").max_length
LABEL_MAX = AccessLog._meta.get_field("subject_label").max_length


# --- access log --------------------------------------------------------------------------------


def _client_ip(request) -> str | None:
    """The caller's address as Django sees it (REMOTE_ADDR; a TLS proxy sets it via the WSGI server)."""
    if request is None:
        return None
    address = (getattr(request, "META", {}).get("REMOTE_ADDR") or "").strip()
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def access_log_record(*, actor, subject: models.Model, field: str, request=None) -> AccessLog:
    """Write the access-log row for one unmasked view of `field` of `subject` by `actor`.

    Call it inside the transaction that reveals the value, once per reveal (one row for
    "id_number,phone" when an action shows both).
    """
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    meta = getattr(request, "META", {}) if request is not None else {}
    return AccessLog.objects.create(
        actor=actor,
        subject_type=subject._meta.label,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:LABEL_MAX],
        field=field,
        at=timezone.now(),
        ip=_client_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX],
    )


# --- places ------------------------------------------------------------------------------------


def household_label(building_number: str, unit_number: str, door: str) -> str:
    """The address as people say it: 3栋2单元301."""
    return f"{building_number}栋{unit_number}单元{door}"


def _building_point(grid: GridNode, latitude, longitude) -> tuple[float | None, float | None]:
    """Both or neither; a given point must lie inside the building's own grid."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise InvalidInput.field("latitude", _("Give both the latitude and the longitude, or neither."))
    from grids.locator import locate

    located = locate(float(latitude), float(longitude))
    if located is None or located.id != grid.pk:
        raise InvalidInput.field("latitude", _("This point is not inside the building's grid."))
    return float(latitude), float(longitude)


def building_create(
    *,
    actor,
    grid: GridNode,
    number: str,
    name: str = "",
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> Building:
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("Buildings belong to a grid (level-3 node)."))
    access.must_cover(actor, grid, kinds=RESIDENT_POST_KINDS)
    number = inputs.required("number", number)
    latitude, longitude = _building_point(grid, latitude, longitude)
    try:
        with transaction.atomic():
            building = Building.objects.create(
                grid=grid,
                number=number,
                name=(name or "").strip(),
                address=(address or "").strip()[:128],
                latitude=latitude,
                longitude=longitude,
            )
            node_changed(grid.pk)
            return building
    except IntegrityError:
        raise InvalidInput.field(
            "number", _("This grid already has building %(n)s.") % {"n": number}
        ) from None


def unit_create(*, actor, building: Building, number: str, wechat_group_url: str = "") -> Unit:
    access.must_cover(actor, building.grid, kinds=RESIDENT_POST_KINDS)
    number = inputs.required("number", number)
    wechat_group_url = _check_url(wechat_group_url)
    try:
        with transaction.atomic():
            unit = Unit.objects.create(building=building, number=number, wechat_group_url=wechat_group_url)
            node_changed(building.grid_id)
            return unit
    except IntegrityError:
        raise InvalidInput.field(
            "number", _("This building already has unit %(n)s.") % {"n": number}
        ) from None


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https", "weixin"])(url)
        except ValidationError:
            raise InvalidInput.field("wechat_group_url", _("Enter a valid link.")) from None
    return url


def unit_set_group_chat(*, actor, unit: Unit, url: str) -> Unit:
    access.must_cover(actor, unit.building.grid, kinds=RESIDENT_POST_KINDS)
    unit.wechat_group_url = _check_url(url)
    with transaction.atomic():
        unit.save(update_fields=["wechat_group_url"])
        node_changed(unit.building.grid_id)  # the household pages link the unit's group chat
    return unit


def household_create(*, actor, unit: Unit, door: str) -> Household:
    building = unit.building
    access.must_cover(actor, building.grid, kinds=RESIDENT_POST_KINDS)
    door = inputs.required("door", door)
    try:
        with transaction.atomic():
            household = Household.objects.create(
                unit=unit,
                door=door,
                grid_id=building.grid_id,
                label=household_label(building.number, unit.number, door),
            )
            node_changed(building.grid_id)  # dashboards count households and visits per node
            return household
    except IntegrityError:
        raise InvalidInput.field("door", _("This unit already has door %(n)s.") % {"n": door}) from None


def building_set_head(*, actor, building: Building, head: Resident | None) -> Building:
    """Make a resident of the building its 楼栋长 (or clear it)."""
    access.must_cover(actor, building.grid, kinds=RESIDENT_POST_KINDS)
    if head is not None and head.household.unit.building_id != building.pk:
        raise InvalidInput.field("head", _("The building head must live in the building."))
    building.head = head
    with transaction.atomic():
        building.save(update_fields=["head"])
        node_changed(building.grid_id)
    return building


def unit_set_head(*, actor, unit: Unit, head: Resident | None) -> Unit:
    """Make a resident of the unit its 单元长 (or clear it)."""
    access.must_cover(actor, unit.building.grid, kinds=RESIDENT_POST_KINDS)
    if head is not None and head.household.unit_id != unit.pk:
        raise InvalidInput.field("head", _("The unit head must live in the unit."))
    unit.head = head
    with transaction.atomic():
        unit.save(update_fields=["head"])
        node_changed(unit.building.grid_id)
    return unit


# --- residents ---------------------------------------------------------------------------------

ID_REASONS = {  # idcard's reasons, for people
    "an ID number has 18 characters": gettext_lazy("An ID number has 18 characters."),
    "an ID number is 17 digits followed by a digit or X": gettext_lazy(
        "An ID number is 17 digits followed by a digit or X."
    ),
    "the first six digits are not an address code": gettext_lazy(
        "The first six digits are not an address code."
    ),
    "the birth date is not a real date": gettext_lazy("The birth date in the ID number is not a real date."),
    "the birth date is in the future": gettext_lazy("The birth date in the ID number is in the future."),
    "the birth date is before 1900": gettext_lazy("The birth date in the ID number is before 1900."),
    "the check character does not match": gettext_lazy("The check character (last character) is wrong."),
}


def id_number_check(raw: str) -> idcard.IdNumber:
    """Parse an ID number or raise InvalidInput on the field `id_number` with the reason."""
    try:
        return idcard.parse(raw, today=lights.today())
    except idcard.InvalidIdNumber as exc:
        raise InvalidInput.field("id_number", str(ID_REASONS.get(str(exc), exc))) from None


BASICS = {
    "ethnicity": (Ethnicity, gettext_lazy("Unknown ethnicity.")),
    "relationship": (Relationship, gettext_lazy("Unknown relationship to the head of household.")),
    "political_status": (PoliticalStatus, gettext_lazy("Unknown political status.")),
    "residence_status": (ResidenceStatus, gettext_lazy("Unknown residence status.")),
}


def register_basics_check(
    *,
    ethnicity: str = "",
    relationship: str = "",
    political_status: str = "",
    residence_status: str = "",
    is_party_member: bool | None = None,
) -> dict:
    """The 一标三实 basics of a resident, checked: each a known code or "" (not recorded).

    `is_party_member` follows the political status (中共党员 or 预备党员); given alone (older
    callers), True records 中共党员; given with a status that says otherwise, it is refused.
    """
    values = {}
    for key, raw in (
        ("ethnicity", ethnicity),
        ("relationship", relationship),
        ("political_status", political_status),
        ("residence_status", residence_status),
    ):
        choices, message = BASICS[key]
        value = (raw or "").strip()
        if value and value not in choices.values:
            raise InvalidInput.field(key, str(message))
        values[key] = value
    status = values["political_status"]
    if status:
        member = status in PARTY_STATUSES
        if is_party_member is not None and bool(is_party_member) != member:
            raise InvalidInput.field(
                "political_status", _("The political status and “Party member” disagree.")
            )
    else:
        member = bool(is_party_member)
        if member:
            values["political_status"] = PoliticalStatus.PARTY_MEMBER.value
    values["is_party_member"] = member
    return values


def _head_taken(household: Household) -> Resident | None:
    return Resident.objects.filter(household=household, relationship=Relationship.HEAD).first()


def resident_create(
    *,
    actor,
    household: Household,
    name: str,
    id_number: str,
    phone: str = "",
    is_party_member: bool | None = None,
    notes: str = "",
    health: str = "",
    ethnicity: str = "",
    relationship: str = "",
    political_status: str = "",
    residence_status: str = "",
) -> Resident:
    """Register a resident. The ID number is validated (GB 11643), stored encrypted with its
    keyed hash, and gives the birth date and sex; the register basics are checked (one head
    of household per household). Nothing is written on a bad value."""
    access.must_cover(actor, household.grid, kinds=RESIDENT_POST_KINDS)
    name = inputs.required("name", name)
    parsed = id_number_check(id_number)
    phone = inputs.phone(phone)
    basics = register_basics_check(
        ethnicity=ethnicity,
        relationship=relationship,
        political_status=political_status,
        residence_status=residence_status,
        is_party_member=is_party_member,
    )
    if basics["relationship"] == Relationship.HEAD and (head := _head_taken(household)) is not None:
        raise InvalidInput.field(
            "relationship",
            _("%(name)s is already the head of this household.") % {"name": head.name},
        )
    number_hash = lookup_hash(parsed.number)
    if Resident.objects.filter(id_number_hash=number_hash).exists():
        raise InvalidInput.field("id_number", _("A resident with this ID number is already registered."))
    try:
        with transaction.atomic():
            node_changed(household.grid_id)
            return Resident.objects.create(
                household=household,
                name=name,
                sex=parsed.sex,
                birth_date=parsed.birth_date,
                id_number=parsed.number,
                id_number_hash=number_hash,
                phone=phone,
                notes=(notes or "").strip(),
                health=(health or "").strip(),
                **basics,
            )
    except IntegrityError:  # a concurrent registration of the same number (or of a second head)
        if basics["relationship"] == Relationship.HEAD and _head_taken(household) is not None:
            raise InvalidInput.field(
                "relationship", _("This household already has a head of household.")
            ) from None
        raise InvalidInput.field(
            "id_number", _("A resident with this ID number is already registered.")
        ) from None


def household_set_occupancy(
    *, actor, household: Household, occupancy: str, landlord: Household | None = None
) -> Household:
    """Say how the dwelling is used: its owner lives there, lets it, or leaves it empty.

    A let dwelling may name the landlord's household (in the actor's grids, not itself); the
    landlord's household then lists it among its tenant households. A dwelling that is not
    let names no landlord.
    """
    access.must_cover(actor, household.grid, kinds=RESIDENT_POST_KINDS)
    if occupancy not in Occupancy.values:
        raise InvalidInput.field("occupancy", _("Unknown occupancy."))
    if landlord is not None:
        if occupancy != Occupancy.RENTED:
            raise InvalidInput.field("landlord", _("Only a rented dwelling has a landlord."))
        if landlord.pk == household.pk:
            raise InvalidInput.field("landlord", _("A dwelling cannot be let by its own household."))
        access.must_cover(actor, landlord.grid, kinds=RESIDENT_POST_KINDS)
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        household.occupancy = occupancy
        household.landlord = landlord
        household.save(update_fields=["occupancy", "landlord"])
        node_changed(household.grid_id)
    return household


REVEALABLE = ("id_number", "phone", "health")


def resident_reveal(*, actor, resident: Resident, fields: Iterable[str] = REVEALABLE, request=None) -> dict:
    """The unmasked values of `fields`, and exactly one access-log row naming them.

    `resident` comes from a scoped selector; the scope is checked again here so no caller can
    reveal a resident of another grid.
    """
    fields = [f for f in REVEALABLE if f in set(fields)]
    if not fields:
        raise InvalidInput.field("fields", _("Choose what to show."))
    access.must_cover(actor, resident.household.grid, kinds=RESIDENT_POST_KINDS)
    with transaction.atomic():
        access_log_record(actor=actor, subject=resident, field=",".join(fields), request=request)
    return {field: getattr(resident, field) for field in fields}


# --- key people --------------------------------------------------------------------------------


def _last_visit_at(household_id: int) -> datetime.datetime | None:
    return (
        Visit.objects.filter(household_id=household_id)
        .order_by("-visited_at")
        .values_list("visited_at", flat=True)
    ).first()


def key_membership_create(
    *,
    actor,
    resident: Resident,
    group: KeyGroup,
    since: datetime.date | None = None,
    condition: str = "",
    measures: str = "",
    guardian: str = "",
    guardian_phone: str = "",
) -> KeyMembership:
    """Record that a resident belongs to a key group. The first visit is due one interval after
    the household's last visit (or after `since` if it was never visited)."""
    household = resident.household
    access.must_cover(actor, household.grid, kinds=RESIDENT_POST_KINDS)
    cities.require_same_city(household.grid, group, field="group", message=_("Choose a key group."))
    since = since or lights.today()
    if since > lights.today():
        raise InvalidInput.field("since", _("This date is in the future."))
    last = _last_visit_at(household.pk)
    base = max(since, timezone.localdate(last)) if last else since
    due, warn = keypeople.due_dates(visited_on=base, interval_days=group.visit_interval_days)
    try:
        with transaction.atomic():
            node_changed(household.grid_id)
            return KeyMembership.objects.create(
                resident=resident,
                group=group,
                grid_id=household.grid_id,
                since=since,
                condition=(condition or "").strip(),
                measures=(measures or "").strip(),
                guardian=(guardian or "").strip(),
                guardian_phone=inputs.phone(guardian_phone, field="guardian_phone"),
                next_visit_due=due,
                warn_from=warn,
                last_visited_at=last,
            )
    except IntegrityError:
        raise InvalidInput.field("group", _("The resident already belongs to this group.")) from None


def key_membership_end(*, actor, membership: KeyMembership) -> KeyMembership:
    access.must_cover(actor, membership.grid, kinds=RESIDENT_POST_KINDS)
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        node_changed(membership.grid_id)
    return membership


def _reset_due_dates(*, household_id: int, visited_at: datetime.datetime) -> int:
    """A visit to the household resets its key people's due dates (one UPDATE per group interval;
    a back-dated visit older than the last one changes nothing)."""
    visited_on = timezone.localdate(visited_at)
    memberships = KeyMembership.objects.filter(resident__household_id=household_id, is_active=True).filter(
        models.Q(last_visited_at__isnull=True) | models.Q(last_visited_at__lt=visited_at)
    )
    changed = 0
    intervals = set(memberships.values_list("group__visit_interval_days", flat=True))
    for interval in sorted(intervals):
        due, warn = keypeople.due_dates(visited_on=visited_on, interval_days=interval)
        changed += KeyMembership.objects.filter(
            pk__in=memberships.filter(group__visit_interval_days=interval).values("pk")
        ).update(last_visited_at=visited_at, next_visit_due=due, warn_from=warn)
    return changed


# --- visits ------------------------------------------------------------------------------------

LOCATION_TOLERANCE_M = 300
# A visit sent by a phone (the API, the offline outbox) is logged at the phone's time of capture,
# at most this old when it arrives (checked by residents.api.VisitViewSet.create).
MAX_VISIT_AGE_DAYS = 14


def check_captured_at(visited_at: datetime.datetime) -> None:
    """A phone's time of capture: not in the future, not more than MAX_VISIT_AGE_DAYS old."""
    now = timezone.now()
    if visited_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput.field("visited_at", _("A visit cannot be in the future."))
    if visited_at < now - datetime.timedelta(days=MAX_VISIT_AGE_DAYS):
        raise InvalidInput.field(
            "visited_at",
            _("This visit is more than %(days)d days old and can no longer be logged.")
            % {"days": MAX_VISIT_AGE_DAYS},
        )


def distance_outside_m(geometry, *, latitude: float, longitude: float) -> float:
    """Metres from the point to the polygon (0 inside), on a local equirectangular projection,
    accurate to a few metres at a grid's scale."""
    lat0 = math.radians(latitude)
    kx, ky = 111_320.0 * math.cos(lat0), 110_574.0

    def to_metres(coords):  # an (n, 2) array of (lng, lat)
        return (coords - (longitude, latitude)) * (kx, ky)

    return shapely.transform(geometry, to_metres).distance(Point(0, 0))


def check_location(*, grid: GridNode, latitude: float | None, longitude: float | None) -> None:
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise InvalidInput.field("location", _("A location needs both a latitude and a longitude."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput.field("location", _("This is not a valid location."))
    if not grid.boundary:
        return
    distance = distance_outside_m(geo.parse_boundary(grid.boundary), latitude=latitude, longitude=longitude)
    if distance > LOCATION_TOLERANCE_M:
        raise InvalidInput.field(
            "location",
            _(
                "Your location is about %(km).1f km outside %(grid)s. Log the visit where it happens, "
                "or leave the location out."
            )
            % {"km": distance / 1000, "grid": grid.name},
        )


def visit_log(
    *,
    actor,
    household: Household,
    kind: str = VisitKind.ROUTINE,
    people_seen: Iterable[Resident] = (),
    notes: str = "",
    photos: Iterable = (),
    latitude: float | None = None,
    longitude: float | None = None,
    problem_found: bool = False,
    problem_description: str = "",
    visited_at: datetime.datetime | None = None,
    corrects: Visit | None = None,
) -> Visit:
    """Log `actor`'s visit. It resets the due dates of the household's key people. A visit is
    never edited: `corrects` names the earlier visit of the same household that this one corrects."""
    access.must_cover(actor, household.grid, kinds=RESIDENT_POST_KINDS)
    if access.recorded(actor) is None:  # SYSTEM covers the grid but visits nobody
        raise InvalidInput(_("A visit is logged by the person who made it."))
    if kind not in VisitKind.values:
        raise InvalidInput.field("kind", _("Unknown kind of visit."))
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput.field("visited_at", _("A visit cannot be in the future."))
    people = list(people_seen)
    if any(person.household_id != household.pk for person in people):
        raise InvalidInput.field("people_seen", _("The people seen must live in the household visited."))
    problem_description = (problem_description or "").strip()
    if problem_found and not problem_description:
        raise InvalidInput.field("problem_description", _("Describe the problem found."))
    if corrects is not None and corrects.household_id != household.pk:
        raise InvalidInput.field("corrects", _("A correction must be for a visit to the same household."))
    check_location(grid=household.grid, latitude=latitude, longitude=longitude)
    cleaned = clean_photos(photos)  # all checked before any is stored

    with transaction.atomic():
        visit = Visit.objects.create(
            worker=actor,
            household=household,
            grid_id=household.grid_id,
            visited_at=visited_at,
            kind=kind,
            notes=(notes or "").strip(),
            latitude=latitude,
            longitude=longitude,
            problem_found=bool(problem_found),
            problem_description=problem_description if problem_found else "",
            corrects=corrects,
        )
        if people:
            visit.people_seen.set(people)
        for clean in cleaned:
            photo = VisitPhoto(visit=visit)
            photo.image.save(clean.content.name, clean.content, save=False)
            photo.save()
        _reset_due_dates(household_id=household.pk, visited_at=visited_at)
        node_changed(household.grid_id)
    return visit


def visit_photo_add(*, actor, visit: Visit, photo) -> VisitPhoto:
    """One more photo of `actor`'s own visit: the outbox sends a visit made offline first, then
    its photos one by one (each with its Idempotency-Key), so a weak signal loses one photo's
    upload at worst. At most hlgrid.photos.MAX_COUNT photos per visit, as when logged at once."""
    if access.recorded(actor) is None or visit.worker_id != actor.pk:
        raise InvalidInput(_("Only the worker who made the visit adds its photos."))
    cleaned = clean_photos([photo])
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.photos.count() >= MAX_PHOTOS:
            raise InvalidInput.field("photo", _("A visit has at most %(n)d photos.") % {"n": MAX_PHOTOS})
        added = VisitPhoto(visit=visit)
        added.image.save(cleaned[0].content.name, cleaned[0].content, save=False)
        added.save()
        node_changed(visit.grid_id)  # the household page shows the visit's photos
    return added
