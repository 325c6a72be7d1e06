"""Intake (诉求收集) from every source: tracking codes, routing to a grid, category suggestion,
the resident's public report (at most once per Idempotency-Key) and the draft from a visit."""

import hashlib
import json
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access, cities, locator
from grids.locator import LocatedGrid
from grids.models import GridNode, NodeKind, PostKind
from hlgrid import idempotency, inputs
from hlgrid import photos as photo_cleaner
from hlgrid.crypto import lookup_hash, mask_phone
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from hlgrid.idempotency import IdempotencyConflict  # noqa: F401  (petitions.services exports it)
from hlgrid.ids import in_range
from hlgrid.trees import tree_stamps
from petitions import catalogue
from petitions.models import (
    AttachmentKind,
    Category,
    IdempotencyKey,
    Level,
    NotificationKind,
    Petition,
    Source,
    Status,
)
from petitions.services.common import DEFAULT_VERIFY_HOURS, event, require_actor, set_timer
from petitions.services.notifications import notify_posts_at
from petitions.services.photos import store_cleaned, store_photos

# Unambiguous characters only (no 0/O, 1/I/L), 10 of them: 31^10 ≈ 8·10^14 codes.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


def category_suggest(*, text: str, grid: GridNode) -> Category | None:
    """The active leaf category of the grid's city whose keywords occur most often in the text
    (ties: lowest code)."""
    if not (text or "").strip():
        return None
    leaves = Category.objects.filter(is_active=True, children__isnull=True, city__tree_id=grid.tree_id)
    return catalogue.best_match(leaves.order_by("code"), text)


def _route(latitude, longitude, grid: GridNode | None, *, stamps: dict[str, int]) -> GridNode | LocatedGrid:
    """The grid given, else the one the locator finds for the point (its cached entry: the
    answer and the petition need its id, code, name and city, never its polygon)."""
    from grids.locator import locate

    if grid is not None:
        if grid.kind != NodeKind.GRID:
            raise InvalidInput.field("grid", _("A petition belongs to a grid."))
        return grid
    if latitude is None or longitude is None:
        raise InvalidInput.field("location", _("A location is required."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput.field("location", _("This is not a valid position."))
    located = locate(latitude, longitude, stamps=stamps)
    if located is None:
        raise InvalidInput.field("location", _("This location is outside the service area."))
    return located


def _grid_ref(located: LocatedGrid) -> GridNode:
    """The petition's grid as the locator knows it: the columns it holds, the others (the
    polygon among them) deferred, so reading one loads it as usual."""
    known = {"id": located.id, "code": located.code, "name": located.name, "kind": NodeKind.GRID}
    known["tree_id"] = located.tree_id
    names = [f.attname for f in GridNode._meta.concrete_fields if f.attname in known]
    return GridNode.from_db("default", names, [known[name] for name in names])


def _create_with_code(**fields) -> Petition:
    """Insert with a fresh random code; only a clash on the code itself is retried."""
    for _attempt in range(5):
        code = tracking_code_new()
        try:
            with transaction.atomic():
                return Petition.objects.create(tracking_code=code, **fields)
        except IntegrityError:
            if not _code_taken(code):
                raise
    raise RuntimeError("could not draw a free tracking code")


def _code_taken(code: str) -> bool:
    return Petition.objects.filter(tracking_code=code).exists()


def _intake(
    *,
    actor,
    source: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    grid: GridNode | None = None,
    category: Category | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_notify: bool = False,
    photos=(),
    now: datetime | None = None,
    reported_by=None,
) -> Petition:
    """Route, suggest a category, start the verify clock; `actor` None is the anonymous resident
    (or a building/unit head, `reported_by`, whose scope its own service has checked)."""
    description = inputs.required("description", description, _("Describe the problem."))
    if len(description) > 2000:
        raise InvalidInput.field("description", _("At most 2000 characters."))
    reporter_phone = inputs.phone(reporter_phone, field="reporter_phone")
    if reporter_notify and not reporter_phone:
        raise InvalidInput.field("reporter_notify", _("SMS updates need a phone number."))
    if category is not None and not category.is_active:
        raise InvalidInput.field("category", _("This category is no longer used."))
    stamps = tree_stamps(
        names=locator.STAMPS["names"], prefixes=(*locator.STAMPS["prefixes"], catalogue.STAMP)
    )
    grid = _route(latitude, longitude, grid, stamps=stamps)
    located = grid if isinstance(grid, LocatedGrid) else None
    if located is not None:
        # the city and the grid's path come with the locator's entry; the grid row only when
        # the policy must check staff's posts over it
        city_id = located.city_id
        grid = (
            GridNode.objects.defer("boundary").get(pk=located.id) if actor is not None else _grid_ref(located)
        )
    # Staff take in only for grids they work over (workers, heads, officials): whoever works
    # at, above or below the grid without such a post is told so (403), anyone else learns
    # nothing (404) — the policy's refusal.
    if actor is not None and not access.standing(actor, grid).field_staff:
        refused = access.refusal(actor, grid)
        if isinstance(refused, Forbidden):
            refused = Forbidden(_("Your post does not allow taking in petitions here."))
        raise refused
    if located is None:
        city_id = cities.city_id_of(grid)
    if category is not None and category.city_id != city_id:
        raise InvalidInput.field("category", _("Choose a category."))
    category = category or catalogue.of_city(city_id, stamps=stamps).suggest(description)
    now = now or timezone.now()
    petition = Petition(
        status=Status.RECEIVED,
        source=source,
        description=description,
        category=category,
        grid=grid,
        latitude=latitude,
        longitude=longitude,
        address=(address or "").strip()[:200],
        reporter_name=(reporter_name or "").strip()[:64],
        reporter_phone=reporter_phone,
        reporter_phone_hint=mask_phone(reporter_phone),
        reporter_phone_hash=lookup_hash(reporter_phone) if reporter_phone else "",
        reporter_notify=bool(reporter_notify),
        level=category.level if category else Level.GRID,
        department_id=category.department_id if category else None,
        created_by=access.recorded(actor) if actor is not None else reported_by,
        received_at=now,
    )
    # The verify clock goes in with the row (no UPDATE after the INSERT).
    verify_hours = category.verify_hours if category else DEFAULT_VERIFY_HOURS
    set_timer(petition, start=now, due=now + timedelta(hours=verify_hours), now=now)

    # Every photo is checked and cleaned before the transaction: one bad photo stores nothing,
    # and the decoding holds no row lock.
    cleaned = photo_cleaner.clean_all(photos)

    def write() -> None:
        petition.tracking_code = tracking_code_new()
        petition.save(force_insert=True)
        stored = store_cleaned(petition, cleaned, kind=AttachmentKind.INTAKE, actor=actor)
        written = event(
            petition, actor=actor, action="intake", before="", at=now, path=located and located.path
        )
        notify_posts_at(
            node_id=grid.pk,
            kinds=[PostKind.WORKER],
            kind=NotificationKind.ASSIGNED,
            petition=petition,
            text=description[:120],
            dedupe=f"new:{petition.pk}",
            now=now,
        )
        # What the answer shows, as written here (petitions.selectors.public_petition_written).
        petition.written = {"events": [written], "attachments": stored}

    # The insert is the block's first write: a clash on the code (about one in 10^9 at a
    # million petitions) rolls back only the block (its transaction, or its savepoint inside
    # a caller's, e.g. an Idempotency-Key's), which runs again with a fresh code. No savepoint
    # of its own for the insert.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                write()
            return petition
        except IntegrityError:
            if not _code_taken(petition.tracking_code):
                raise
            petition.pk = None
            petition._state.adding = True
    raise RuntimeError("could not draw a free tracking code")


def petition_intake(*, actor, source: str, **intake) -> Petition:
    """Staff take in a petition by phone, at a window or on a visit, for a grid they work over."""
    require_actor(actor)
    if source not in Source.values:
        raise InvalidInput.field("source", _("Unknown source."))
    return _intake(actor=actor, source=source, **intake)


def head_petition_report(*, actor, description: str, photos=(), now: datetime | None = None) -> Petition:
    """A 楼栋长's or 单元长's report: it lands in the grid of the head's building, with the head
    as its reporter (404 for anyone without an active head account)."""
    from residents.heads import require_head

    account = require_head(actor)
    place = str(account.unit and f"{account.building} {account.unit}" or account.building)
    return _intake(
        actor=None,
        source=Source.HEAD,
        description=description,
        grid=account.grid,
        latitude=account.building.latitude,
        longitude=account.building.longitude,
        address=account.building.address or place,
        reporter_name=account.resident.name,
        reporter_phone=actor.phone,
        photos=photos,
        now=now,
        reported_by=actor,
    )


def public_petition_report(**intake) -> Petition:
    """A resident's report through the web, without an account (so without an actor)."""
    return _intake(actor=None, source=Source.RESIDENT, **intake)


def request_fingerprint(data: dict, files: dict[str, list]) -> str:
    """A hash of a request's meaning (fields and file contents), independent of multipart framing."""
    digest = hashlib.sha256()
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in sorted(files):
        for upload in files[name]:
            upload.seek(0)
            digest.update(name.encode())
            digest.update(hashlib.sha256(upload.read()).digest())
            upload.seek(0)
    return digest.hexdigest()


def _submit_once(
    *, stored_key: str, fingerprint: str, render: Callable[[Petition], dict], create: Callable[[], Petition]
) -> tuple[int, dict, bool]:
    """`create()` at most once per stored key: (status, answer, created), through
    hlgrid.idempotency with petitions' own key rows (each linked to the petition it made)."""
    made: list[Petition] = []

    def make() -> dict:
        made.append(create())
        return render(made[0])

    return idempotency.submit_once(
        stored_key=stored_key,
        fingerprint=fingerprint,
        create=make,
        store=IdempotencyKey,
        link=lambda: {"petition": made[0]},
    )


def public_petition_submit(
    *, idempotency_key: str | None, fingerprint: str, render: Callable[[Petition], dict], **intake
) -> tuple[int, dict, bool]:
    """A resident's report, at most once per Idempotency-Key: (status, answer, created)."""
    key = idempotency.client_key(idempotency_key)
    if not key:
        petition = public_petition_report(**intake)
        return 201, render(petition), True
    return _submit_once(
        stored_key=key,
        fingerprint=fingerprint,
        render=render,
        create=lambda: public_petition_report(**intake),
    )


# The sources staff take a petition in from (the web form is the residents', 12345 the exchange's).
STAFF_SOURCES = (Source.HOTLINE, Source.WINDOW, Source.WALK_IN, Source.VISIT)


def staff_idempotency_key(actor, key: str) -> str:
    """A staff member's key, stored in its own namespace: two users (or a resident) sending the
    same key never meet. Hashed, so the stored key fits its column whatever the client's."""
    owner = "system" if actor is access.SYSTEM else actor.pk
    return f"staff:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"


def _staff_location(
    *, building_id: int | None, grid_id: int | None, latitude, longitude, address: str
) -> dict:
    """One location, given one way: the register's building, a point on the map, or a grid
    with an address. The building gives its grid and its name as the address."""
    point = latitude is not None or longitude is not None
    given = sum([building_id is not None, point, grid_id is not None])
    if given > 1:
        raise InvalidInput.field(
            "location",
            _("Give the location one way: a building, a point on the map or a grid and an address."),
        )
    if point and (latitude is None or longitude is None):
        raise InvalidInput.field("location", _("A point needs both its latitude and its longitude."))
    address = (address or "").strip()
    if building_id is not None:
        from residents.models import Building  # residents is optional for petitions

        building = (
            Building.objects.select_related("grid").filter(pk=building_id).first()
            if in_range(building_id)
            else None
        )
        if building is None:
            raise NotFound(_("No such building."))
        place = f"{building.grid.name} {building}"
        return {"grid": building.grid, "address": f"{place} {address}".strip()}
    if grid_id is not None:
        grid = GridNode.objects.filter(pk=grid_id).first() if in_range(grid_id) else None
        if grid is None:
            raise NotFound(_("No such grid."))
        if not address:
            raise InvalidInput.field("address", _("Give the address within the grid."))
        return {"grid": grid, "address": address}
    return {"latitude": latitude, "longitude": longitude, "address": address}


def petition_intake_submit(
    *,
    actor,
    source: str,
    idempotency_key: str | None,
    fingerprint: str,
    render: Callable[[Petition], dict],
    building_id: int | None = None,
    grid_id: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    **intake,
) -> tuple[int, dict, bool]:
    """Staff take in a call, a walk-in, a window visit or a visit's finding (the intake page and
    `POST /api/v1/petitions/`): at most once per Idempotency-Key of this actor. The building
    or grid is checked through the policy like the point's grid (outsider 404, a post that
    may not take in 403)."""
    require_actor(actor)
    if source not in STAFF_SOURCES:
        raise InvalidInput.field(
            "source", _("Staff take petitions in by phone, at a window, from a walk-in or on a visit.")
        )
    key = idempotency.client_key(idempotency_key)

    def create() -> Petition:
        location = _staff_location(
            building_id=building_id, grid_id=grid_id, latitude=latitude, longitude=longitude, address=address
        )
        return petition_intake(actor=actor, source=source, **location, **intake)

    if not key:
        return 201, render(create()), True
    return _submit_once(
        stored_key=staff_idempotency_key(actor, key), fingerprint=fingerprint, render=render, create=create
    )


def petition_from_visit(*, actor, visit_id: int) -> Petition:
    """The draft petition of a visit that found a problem (created once, reopened afterwards)."""
    from residents.models import Visit  # residents is optional for petitions

    require_actor(actor)
    visit = access.get_scoped_or_404(
        actor, Visit.objects.select_related("grid"), node_path="grid", pk=visit_id
    )
    existing = Petition.objects.filter(visit_id=visit.pk).first()
    if existing is not None:
        return existing
    if (
        getattr(visit, "worker_id", None) not in (None, actor.pk)
        and not access.standing(actor, visit.grid).head
    ):
        raise Forbidden(_("Only the visiting worker or a head may take in this problem."))
    description = (getattr(visit, "problem_description", "") or "").strip() or _("Problem found on a visit")
    worker = actor.pk is not None and actor.pk in access.users_above(visit.grid, kinds=[PostKind.WORKER])
    try:
        with transaction.atomic():
            petition = _create_with_code(
                status=Status.DRAFT,
                source=Source.VISIT,
                description=description,
                category=category_suggest(text=description, grid=visit.grid),
                grid=visit.grid,
                latitude=getattr(visit, "latitude", None),
                longitude=getattr(visit, "longitude", None),
                created_by=access.recorded(actor),
                assignee=actor if worker else None,
                visit_id=visit.pk,
            )
            _copy_visit_photos(petition, visit, actor=actor)
            return petition
    except IntegrityError:
        return Petition.objects.get(visit_id=visit.pk)


def _copy_visit_photos(petition: Petition, visit, *, actor) -> None:
    """The visit's photos become the petition's intake photos, through the one photo cleaner
    (already clean, so this only re-encodes them): the draft shows what the worker saw."""
    files = []
    for photo in visit.photos.order_by("id"):
        with photo.image.open("rb") as stored:
            files.append(ContentFile(stored.read(), name=photo.image.name.rsplit("/", 1)[-1]))
    if files:
        store_photos(petition, files, kind=AttachmentKind.INTAKE, actor=actor)
