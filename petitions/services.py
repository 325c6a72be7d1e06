"""Everything that changes petitions, whistles and notifications: one function per use case.

Each transition: resolve the petition under a row lock (select_for_update) inside one
transaction, check the caller's scope (404) and role (403), let the django-fsm transition
check the source state (409), set the new timer, save with update_fields, write a
PetitionEvent; notifications are rows written in the same transaction, e-mails and other
tasks go out after commit.
"""

import hashlib
import io
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed as FSMTransitionNotAllowed
from django_fsm import can_proceed

from grids.models import Department, GridNode, NodeKind, Post, PostKind
from hlgrid.changes import node_changed
from hlgrid.crypto import mask_phone
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from petitions import timers
from petitions.lights import compute_light
from petitions.models import (
    FINAL_STATUSES,
    STEP_OF_STATUS,
    Attachment,
    AttachmentKind,
    Category,
    CheckIn,
    HandlingRequest,
    IdempotencyKey,
    Level,
    Light,
    LimitUnit,
    Notification,
    NotificationKind,
    Pause,
    Petition,
    PetitionEvent,
    RequestKind,
    RequestStatus,
    Satisfaction,
    Source,
    Status,
    Step,
    Whistle,
    WhistleStatus,
)

logger = logging.getLogger(__name__)

# Unambiguous characters only (no 0/O, 1/I/L), 10 of them: 31^10 ≈ 8·10^14 codes.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10
CLASSIFY_HOURS = getattr(settings, "PETITION_CLASSIFY_HOURS", 24)
DEFAULT_VERIFY_HOURS = 24
DEFAULT_HANDLE = (5, LimitUnit.WORKDAYS)
DEFAULT_CALLBACK_DAYS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
DUPLICATE_RADIUS_M = 50
LEVEL_RANK = {Level.GRID: 3, Level.COMMUNITY: 2, Level.STREET: 1, Level.DEPARTMENT: 0}
NODE_RANK = {NodeKind.GRID: 3, NodeKind.COMMUNITY: 2, NodeKind.STREET: 1, NodeKind.CITY: 0}


def tracking_code_new() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalise_tracking_code(code: str) -> str:
    return (code or "").strip().upper().replace("-", "").replace(" ", "")


# --- after-commit side effects -------------------------------------------------------------
def _enqueue(task, *args) -> None:
    """Send a task after commit; a broker that is down must never fail the request."""

    def send():
        try:
            task.apply_async(args=args, retry=False)
        except Exception:
            logger.warning("could not enqueue %s; it will be caught up", task.name, exc_info=True)

    transaction.on_commit(send)


def emails_enabled() -> bool:
    return "console" not in settings.EMAIL_BACKEND and "dummy" not in settings.EMAIL_BACKEND


def notify(
    *,
    recipients: Iterable[int],
    kind: str,
    petition: Petition | None = None,
    whistle: Whistle | None = None,
    text: str = "",
    dedupe: str | None = None,
    now: datetime | None = None,
) -> int:
    """Inbox rows for user ids (one bulk insert); with `dedupe` a repeat adds nothing."""
    now = now or timezone.now()
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            petition=petition,
            whistle=whistle,
            text=text[:300],
            dedupe_key=f"{dedupe}:{user_id}"[:120] if dedupe else None,
            created_at=now,
        )
        for user_id in sorted(set(recipients))
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if emails_enabled():
        from petitions import tasks

        _enqueue(tasks.notifications_email)
    return len(rows)


def notifications_send_email(*, limit: int = 500) -> int:
    """E-mail unsent notifications to recipients with an address; idempotent (marks emailed_at)."""
    from django.core.mail import send_mass_mail

    if not emails_enabled():
        return 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .exclude(recipient__email="")
            .select_related("recipient", "petition")
            .order_by("id")[:limit]
        )
        if not pending:
            return 0
        messages = [
            (
                f"[hlgrid] {n.get_kind_display()} {n.petition.tracking_code if n.petition else ''}".strip(),
                n.text or n.get_kind_display(),
                settings.DEFAULT_FROM_EMAIL,
                [n.recipient.email],
            )
            for n in pending
        ]
        send_mass_mail(messages, fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


# --- who the actor is for a petition ---------------------------------------------------------
class Roles:
    """The actor's posts that bear on one petition (one query)."""

    def __init__(self, *, actor, grid: GridNode, department_id: int | None):
        self.superuser = bool(actor.is_superuser)
        self.user_id = actor.pk
        posts = Post.objects.filter(user_id=actor.pk, is_active=True).filter(
            (
                Q(node__tree_id=grid.tree_id, node__lft__lte=grid.lft, node__rght__gte=grid.rght)
                & ~Q(kind=PostKind.DEPARTMENT)
            )
            | Q(kind=PostKind.DEPARTMENT, department_id=department_id or -1)
        )
        self.posts = list(posts.values_list("kind", "node__kind", "node_id"))
        self.kinds = {kind for kind, _node_kind, _node in self.posts}

    @property
    def visible(self) -> bool:
        return self.superuser or bool(self.posts)

    @property
    def worker(self) -> bool:
        return self.superuser or PostKind.WORKER in self.kinds

    @property
    def head(self) -> bool:
        return self.superuser or bool(self.kinds & {PostKind.HEAD, PostKind.OFFICIAL})

    @property
    def department(self) -> bool:
        return self.superuser or PostKind.DEPARTMENT in self.kinds

    @property
    def field_staff(self) -> bool:
        return self.worker or self.head

    def head_at_rank(self, rank: int) -> bool:
        """A head or official at a node of this rank or above (community = 2, street = 1)."""
        return self.superuser or any(
            kind in (PostKind.HEAD, PostKind.OFFICIAL) and NODE_RANK[node_kind] <= rank
            for kind, node_kind, _ in self.posts
        )


def _load(petition: Petition | int, *, lock: bool = True) -> Petition:
    pk = petition.pk if isinstance(petition, Petition) else petition
    queryset = Petition.objects.select_related("grid", "category")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except Petition.DoesNotExist:
        raise NotFound() from None


def _authorize(actor, petition: Petition, allowed: Callable[[Roles], bool], *, transition: str = "") -> Roles:
    """Scope (404), then the state (409), then the role (403)."""
    roles = Roles(actor=actor, grid=petition.grid, department_id=petition.department_id)
    if not roles.visible:
        raise NotFound()
    if transition and not can_proceed(getattr(petition, transition)):
        raise TransitionNotAllowed(
            _("This petition is %(status)s: this action is not allowed now.")
            % {"status": Status(petition.status).label}
        )
    if not allowed(roles):
        raise Forbidden(_("Your post does not allow this action on this petition."))
    return roles


def _is_handler(roles: Roles, petition: Petition) -> bool:
    if petition.assignee_id and petition.assignee_id == roles.user_id:
        return True
    return petition.level == Level.DEPARTMENT and PostKind.DEPARTMENT in roles.kinds


def _fire(petition: Petition, transition: str) -> str:
    """Run the django-fsm transition; a wrong source state becomes our 409."""
    before = petition.status
    try:
        getattr(petition, transition)()
    except FSMTransitionNotAllowed:
        raise TransitionNotAllowed(
            _("This petition is %(status)s: this action is not allowed now.")
            % {"status": Status(before).label}
        ) from None
    return before


def _event(petition, *, actor, action: str, before: str, note: str = "", at: datetime) -> PetitionEvent:
    # Every change of a petition writes an event: the one place to tell the dashboards.
    node_changed(petition.grid_id)
    return PetitionEvent.objects.create(
        petition=petition,
        actor=actor,
        action=action,
        from_status=before,
        to_status=petition.status,
        note=note,
        at=at,
    )


def _set_timer(petition: Petition, *, start: datetime, due: datetime, now: datetime) -> list[str]:
    petition.step = STEP_OF_STATUS.get(petition.status, "")
    petition.step_started_at = start
    petition.due_at = due
    petition.warn_at = timers.warn_before(start, due)
    petition.light = compute_light(due_at=due, warn_at=petition.warn_at, stored=Light.GREEN, now=now)
    petition.light_changed_at = now
    return ["step", "step_started_at", "due_at", "warn_at", "light", "light_changed_at"]


def _stop_timer(petition: Petition, *, keep_step: bool = False, now: datetime) -> list[str]:
    if not keep_step:
        petition.step = ""
    petition.due_at = None
    petition.warn_at = None
    petition.light_changed_at = now
    return ["step", "due_at", "warn_at", "light_changed_at"]


def _save(petition: Petition, fields: list[str]) -> None:
    petition.save(update_fields=sorted({*fields, "status", "updated_at"}))


def _required(value: str, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput.field(field, message)
    return value


def _handle_limit(category: Category | None) -> tuple[int, str]:
    if category is None:
        return DEFAULT_HANDLE
    return category.handle_limit, category.handle_unit


def _grid_workers(grid_id: int) -> list[int]:
    return list(
        Post.objects.filter(node_id=grid_id, kind=PostKind.WORKER, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _heads_of(node_ids: Iterable[int]) -> list[int]:
    return list(
        Post.objects.filter(node_id__in=list(node_ids), kind=PostKind.HEAD, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _department_staff(department_id: int | None) -> list[int]:
    if not department_id:
        return []
    return list(
        Post.objects.filter(
            department_id=department_id, kind=PostKind.DEPARTMENT, is_active=True
        ).values_list("user_id", flat=True)
    )


# --- categories -------------------------------------------------------------------------------
def category_suggest(*, text: str) -> Category | None:
    """The active leaf category whose keywords occur most often in the text (ties: lowest code)."""
    text = (text or "").lower()
    if not text:
        return None
    best, best_hits = None, 0
    for category in Category.objects.filter(is_active=True, children__isnull=True).order_by("code"):
        hits = sum(text.count(k.lower()) for k in category.keyword_list)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


# --- photos -----------------------------------------------------------------------------------
def _open_image(upload):
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput.field(
            "photos", _("A photo may be at most %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    upload.seek(0)
    try:
        probe = Image.open(io.BytesIO(data))
        probe.verify()  # structure check; the object is unusable afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput.field("photos", _("This file is not a valid image.")) from None
    if image.format not in ("JPEG", "PNG", "WEBP"):
        raise InvalidInput.field("photos", _("Photos must be JPEG, PNG or WebP images."))
    return image


def photo_gps(*, upload) -> tuple[float, float] | None:
    """The EXIF GPS position of a photo (lat, lng), offered to the reporter before it is stripped."""
    image = _open_image(upload)
    try:
        gps = image.getexif().get_ifd(0x8825)
    except Exception:  # noqa: BLE001 — broken EXIF is common and simply means no position
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None

    def degrees(values, ref) -> float:
        d, m, s = (float(v) for v in values)
        value = d + m / 60 + s / 3600
        return -value if ref in ("S", "W") else value

    try:
        return degrees(gps[2], gps.get(1, "N")), degrees(gps[4], gps.get(3, "E"))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def photo_clean(*, upload) -> tuple[ContentFile, dict]:
    """A real image, turned upright and re-encoded without any metadata (EXIF, GPS, comments)."""
    from PIL import ImageOps

    image = _open_image(upload)
    fmt = image.format
    image = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    clean = image.copy()  # pixel data only: info/exif are not carried over
    clean.info = {}
    out = io.BytesIO()
    params = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
    clean.save(out, format=fmt, **params)
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    name = f"{secrets.token_hex(8)}.{ext}"
    meta = {
        "content_type": f"image/{ext if ext != 'jpg' else 'jpeg'}",
        "size": out.tell(),
        "width": clean.width,
        "height": clean.height,
    }
    return ContentFile(out.getvalue(), name=name), meta


def _store_photos(petition: Petition, photos, *, kind: str, actor=None) -> list[Attachment]:
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput.field("photos", _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    cleaned = [photo_clean(upload=p) for p in photos]  # validate all before storing any
    stored = []
    for content, meta in cleaned:
        attachment = Attachment(petition=petition, kind=kind, uploaded_by=actor, **meta)
        attachment.file.save(content.name, content, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def attachment_add(*, actor, petition: Petition, photo, kind: str = AttachmentKind.INTAKE) -> Attachment:
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff or r.department)
        if petition.status in FINAL_STATUSES:
            raise TransitionNotAllowed(_("This petition is finished."))
        return _store_photos(petition, [photo], kind=kind, actor=actor)[0]


# --- intake (诉求收集) -------------------------------------------------------------------------
def _route(latitude, longitude, grid: GridNode | None) -> GridNode:
    from grids.locator import locate

    if grid is not None:
        if grid.kind != NodeKind.GRID:
            raise InvalidInput.field("grid", _("A petition belongs to a grid."))
        return grid
    if latitude is None or longitude is None:
        raise InvalidInput.field("location", _("A location is required."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput.field("location", _("This is not a valid position."))
    located = locate(latitude, longitude)
    if located is None:
        raise InvalidInput.field("location", _("This location is outside the service area."))
    return GridNode.objects.get(pk=located.id)


def petition_intake(
    *,
    source: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    grid: GridNode | None = None,
    category: Category | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    photos=(),
    actor=None,
    now: datetime | None = None,
) -> Petition:
    """Take in a petition from any source: route it, suggest a category, start the verify clock."""
    if source not in Source.values:
        raise InvalidInput.field("source", _("Unknown source."))
    description = _required(description, "description", _("Describe the problem."))
    if len(description) > 2000:
        raise InvalidInput.field("description", _("At most 2000 characters."))
    reporter_phone = (reporter_phone or "").strip().replace(" ", "").replace("-", "")
    if reporter_phone and not (reporter_phone.isdigit() and 7 <= len(reporter_phone) <= 15):
        raise InvalidInput.field("reporter_phone", _("Enter a phone number of digits only."))
    if category is not None and not category.is_active:
        raise InvalidInput.field("category", _("This category is no longer used."))
    grid = _route(latitude, longitude, grid)
    category = category or category_suggest(text=description)
    now = now or timezone.now()
    with transaction.atomic():
        petition = _create_with_code(
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
            level=category.level if category else Level.GRID,
            department=category.department if category else None,
            created_by=actor,
            received_at=now,
        )
        verify_hours = category.verify_hours if category else DEFAULT_VERIFY_HOURS
        fields = _set_timer(petition, start=now, due=now + timedelta(hours=verify_hours), now=now)
        petition.save(update_fields=fields)
        _store_photos(petition, photos, kind=AttachmentKind.INTAKE, actor=actor)
        PetitionEvent.objects.create(
            petition=petition, actor=actor, action="intake", from_status="", to_status=Status.RECEIVED, at=now
        )
        notify(
            recipients=_grid_workers(grid.pk),
            kind=NotificationKind.ASSIGNED,
            petition=petition,
            text=description[:120],
            dedupe=f"new:{petition.pk}",
            now=now,
        )
    return petition


def _create_with_code(**fields) -> Petition:
    """Insert with a fresh random code; only a clash on the code itself is retried."""
    for _attempt in range(5):
        code = tracking_code_new()
        try:
            with transaction.atomic():
                return Petition.objects.create(tracking_code=code, **fields)
        except IntegrityError:
            if not Petition.objects.filter(tracking_code=code).exists():
                raise
    raise RuntimeError("could not draw a free tracking code")


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


def public_petition_submit(
    *, idempotency_key: str | None, fingerprint: str, render: Callable[[Petition], dict], **intake
) -> tuple[int, dict, bool]:
    """A resident's report, at most once per Idempotency-Key: (status, answer, created).

    The key row is inserted first, in the transaction that creates the petition. A
    concurrent request with the same key blocks on the unique index until the first
    commits, then gets an IntegrityError and answers with the stored first answer.
    """
    if not idempotency_key:
        petition = petition_intake(source=Source.RESIDENT, **intake)
        return 201, render(petition), True
    key = idempotency_key.strip()
    if len(key) > 128:
        raise InvalidInput.field("Idempotency-Key", _("The Idempotency-Key is too long (at most 128)."))
    existing = IdempotencyKey.objects.filter(key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(key=key, request_hash=fingerprint)
                petition = petition_intake(source=Source.RESIDENT, **intake)
                answer = render(petition)
                record.petition = petition
                record.response = answer
                record.save(update_fields=["petition", "response"])
            return 201, answer, True
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(key=key).first()
            if existing is None:
                raise
    if existing.request_hash != fingerprint:
        raise IdempotencyConflict(_("This Idempotency-Key was used with a different request."))
    return existing.status_code, existing.response, False


class IdempotencyConflict(InvalidInput):
    status_code = 422


def petition_from_visit(*, actor, visit_id: int) -> Petition:
    """The draft petition of a visit that found a problem (created once, reopened afterwards)."""
    from grids.access import get_scoped_or_404
    from residents.models import Visit  # residents is optional for petitions

    visit = get_scoped_or_404(actor, Visit.objects.select_related("grid"), node_path="grid", pk=visit_id)
    existing = Petition.objects.filter(visit_id=visit.pk).first()
    if existing is not None:
        return existing
    if getattr(visit, "worker_id", None) not in (None, actor.pk) and not actor.is_superuser:
        roles = Roles(actor=actor, grid=visit.grid, department_id=None)
        if not roles.head:
            raise Forbidden(_("Only the visiting worker or a head may take in this problem."))
    description = (getattr(visit, "problem_description", "") or "").strip() or _("Problem found on a visit")
    try:
        with transaction.atomic():
            return _create_with_code(
                status=Status.DRAFT,
                source=Source.VISIT,
                description=description,
                category=category_suggest(text=description),
                grid=visit.grid,
                latitude=getattr(visit, "latitude", None),
                longitude=getattr(visit, "longitude", None),
                created_by=actor,
                assignee=actor
                if PostKind.WORKER in Roles(actor=actor, grid=visit.grid, department_id=None).kinds
                else None,
                visit_id=visit.pk,
            )
    except IntegrityError:
        return Petition.objects.get(visit_id=visit.pk)


def petition_submit(
    *,
    actor,
    petition: Petition,
    category: Category | None,
    description: str = "",
    photos=(),
    now: datetime | None = None,
) -> Petition:
    """A worker submits a draft (from a visit): it is received and its verify clock starts."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff, transition="submit")
        before = _fire(petition, "submit")
        if description.strip():
            petition.description = description.strip()[:2000]
        if category is not None:
            petition.category = category
            petition.level = category.level
            petition.department = category.department
        petition.received_at = now
        verify_hours = petition.category.verify_hours if petition.category else DEFAULT_VERIFY_HOURS
        fields = _set_timer(petition, start=now, due=now + timedelta(hours=verify_hours), now=now)
        _store_photos(petition, photos, kind=AttachmentKind.INTAKE, actor=actor)
        _save(petition, [*fields, "description", "category", "level", "department", "received_at"])
        _event(petition, actor=actor, action="intake", before=before, at=now)
    return petition


# --- 2. verify (核实研判) ---------------------------------------------------------------------
def _after_verify_timer(petition, now) -> list[str]:
    return _set_timer(petition, start=now, due=now + timedelta(hours=CLASSIFY_HOURS), now=now)


def petition_verify(*, actor, petition: Petition, note: str = "", now: datetime | None = None) -> Petition:
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff, transition="verify")
        before = _fire(petition, "verify")
        petition.verified_at = now
        fields = _after_verify_timer(petition, now)
        _save(petition, [*fields, "verified_at"])
        _event(petition, actor=actor, action="verify", before=before, note=note, at=now)
    return petition


def petition_reject(*, actor, petition: Petition, reason: str, now: datetime | None = None) -> Petition:
    reason = _required(reason, "reason", _("Give the reason for rejecting."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff, transition="reject")
        before = _fire(petition, "reject")
        petition.reject_reason = reason
        petition.verified_at = now
        petition.closed_at = now
        fields = _stop_timer(petition, now=now)
        _save(petition, [*fields, "reject_reason", "verified_at", "closed_at"])
        _event(petition, actor=actor, action="reject", before=before, note=reason, at=now)
    return petition


def petition_merge(
    *, actor, petition: Petition, into: Petition | int, note: str = "", now: datetime | None = None
) -> Petition:
    """Merge a duplicate into an open petition: its reporters follow the parent from now on."""
    now = now or timezone.now()
    into_pk = into.pk if isinstance(into, Petition) else int(into)
    pk = petition.pk if isinstance(petition, Petition) else int(petition)
    if into_pk == pk:
        raise InvalidInput.field("into", _("A petition cannot be merged into itself."))
    with transaction.atomic():
        # Lock both rows in primary-key order so two opposite merges cannot deadlock.
        locked = {
            p.pk: p
            for p in Petition.objects.select_for_update(of=("self",))
            .select_related("grid")
            .filter(pk__in=sorted({pk, into_pk}))
            .order_by("pk")
        }
        if pk not in locked:
            raise NotFound()
        petition = locked[pk]
        _authorize(actor, petition, lambda r: r.field_staff, transition="merge")
        parent = locked.get(into_pk)
        if (
            parent is None
            or not Roles(actor=actor, grid=parent.grid, department_id=parent.department_id).visible
        ):
            raise InvalidInput.field("into", _("No such petition in your area."))
        if parent.status in FINAL_STATUSES or parent.status == Status.DRAFT:
            raise InvalidInput.field("into", _("A petition can only be merged into an open one."))
        before = _fire(petition, "merge")
        petition.merged_into = parent
        petition.verified_at = now
        fields = _stop_timer(petition, now=now)
        _save(petition, [*fields, "merged_into", "verified_at"])
        _event(
            petition, actor=actor, action="merge", before=before, note=note or parent.tracking_code, at=now
        )
        PetitionEvent.objects.create(
            petition=parent,
            actor=actor,
            action="merged_in",
            from_status=parent.status,
            to_status=parent.status,
            note=petition.tracking_code,
            at=now,
        )
    return petition


# --- 3. classify (分类处理) and hand up (网格预警) -----------------------------------------------
def petition_classify(
    *,
    actor,
    petition: Petition,
    category: Category,
    level: str | None = None,
    assignee=None,
    department: Department | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Petition:
    """Set category, level and who handles it; the handling clock starts from the category's limit."""
    if category is None:
        raise InvalidInput.field("category", _("Choose a category."))
    if not category.is_active:
        raise InvalidInput.field("category", _("This category is no longer used."))
    level = level or category.level
    if level not in Level.values:
        raise InvalidInput.field("level", _("Unknown handling level."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        if petition.status == Status.ESCALATED:
            rank = LEVEL_RANK[petition.level]
            roles = _authorize(actor, petition, lambda r: r.head_at_rank(rank), transition="classify")
        else:
            roles = _authorize(actor, petition, lambda r: r.field_staff, transition="classify")
        if (
            level in (Level.COMMUNITY, Level.STREET)
            and LEVEL_RANK[level] < LEVEL_RANK[petition.level]
            and not roles.head_at_rank(LEVEL_RANK[level])
        ):
            raise Forbidden(_("Only a head of that level may classify at that level; hand it up instead."))
        if level == Level.DEPARTMENT:
            department = department or category.department
            if department is None:
                raise InvalidInput.field("department", _("Choose the department that handles it."))
            assignee = None
        elif level == Level.GRID:
            department = None
            if assignee is None:
                raise InvalidInput.field("assignee", _("Choose the grid worker who handles it."))
            if not Post.objects.filter(
                user=assignee, node_id=petition.grid_id, kind=PostKind.WORKER, is_active=True
            ).exists():
                raise InvalidInput.field("assignee", _("The handler must be a worker of this grid."))
        else:
            department = None
            if (
                assignee is not None
                and not Roles(actor=assignee, grid=petition.grid, department_id=None).field_staff
            ):
                raise InvalidInput.field("assignee", _("The handler must hold a post over this grid."))
        before = _fire(petition, "classify")
        petition.category = category
        petition.level = level
        petition.department = department
        petition.assignee = assignee
        petition.classified_at = now
        limit, unit = _handle_limit(category)
        due = timers.due_after(now, limit, unit)
        petition.handle_due_at = due
        fields = _set_timer(petition, start=now, due=due, now=now)
        _save(
            petition,
            [*fields, "category", "level", "department", "assignee", "classified_at", "handle_due_at"],
        )
        _event(petition, actor=actor, action="classify", before=before, note=note, at=now)
        recipients = [assignee.pk] if assignee else _department_staff(department.pk if department else None)
        notify(
            recipients=recipients,
            kind=NotificationKind.ASSIGNED,
            petition=petition,
            text=petition.description[:120],
            dedupe=f"assigned:{petition.pk}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


def petition_escalate(
    *, actor, petition: Petition, level: str, reason: str, now: datetime | None = None
) -> Petition:
    """网格预警: hand a petition up to the community or the street, with a reason."""
    reason = _required(reason, "reason", _("Give the reason for handing it up."))
    if level not in (Level.COMMUNITY, Level.STREET):
        raise InvalidInput.field("level", _("A petition is handed up to the community or the street."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(
            actor, petition, lambda r: r.field_staff or _is_handler(r, petition), transition="escalate"
        )
        if LEVEL_RANK[level] >= LEVEL_RANK.get(petition.level, 3) and petition.level != Level.DEPARTMENT:
            raise InvalidInput.field("level", _("It is already handled at this level or above."))
        before = _fire(petition, "escalate")
        petition.level = level
        petition.assignee = None
        petition.department = None
        fields = _after_verify_timer(petition, now)
        _save(petition, [*fields, "level", "assignee", "department"])
        _event(petition, actor=actor, action="escalate", before=before, note=reason, at=now)
        node = petition.grid.parent if level == Level.COMMUNITY else petition.grid.parent.parent
        recipients = list(
            Post.objects.filter(
                node=node, kind__in=[PostKind.HEAD, PostKind.OFFICIAL], is_active=True
            ).values_list("user_id", flat=True)
        )
        notify(
            recipients=recipients,
            kind=NotificationKind.ESCALATED,
            petition=petition,
            text=reason[:200],
            dedupe=f"escalated:{petition.pk}:{level}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


# --- 4. handle (限时办理) --------------------------------------------------------------------
def petition_note(*, actor, petition: Petition, note: str, now: datetime | None = None) -> PetitionEvent:
    note = _required(note, "note", _("Write the progress note."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff or _is_handler(r, petition))
        if petition.status in FINAL_STATUSES:
            raise TransitionNotAllowed(_("This petition is finished."))
        return _event(petition, actor=actor, action="note", before=petition.status, note=note, at=now)


def petition_resolve(
    *, actor, petition: Petition, note: str, photos=(), now: datetime | None = None
) -> Petition:
    note = _required(note, "note", _("Describe how it was resolved."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.head or _is_handler(r, petition), transition="resolve")
        before = _fire(petition, "resolve")
        petition.resolution = note
        petition.resolved_at = now
        petition.resolved_on_time = petition.handle_due_at is None or now <= petition.handle_due_at
        callback_days = petition.category.callback_days if petition.category else DEFAULT_CALLBACK_DAYS
        fields = _set_timer(petition, start=now, due=now + timedelta(days=callback_days), now=now)
        _store_photos(petition, photos, kind=AttachmentKind.RESOLUTION, actor=actor)
        _save(petition, [*fields, "resolution", "resolved_at", "resolved_on_time"])
        _event(petition, actor=actor, action="resolve", before=before, note=note, at=now)
    return petition


def _request(petition, *, actor, kind: str, reason: str, hours: int | None, now) -> HandlingRequest:
    try:
        with transaction.atomic():
            request = HandlingRequest.objects.create(
                petition=petition, kind=kind, reason=reason, hours=hours, requested_by=actor, requested_at=now
            )
    except IntegrityError:
        raise TransitionNotAllowed(_("A request of this kind is already waiting for a decision.")) from None
    _event(
        petition,
        actor=actor,
        action=f"request_{kind.lower()}",
        before=petition.status,
        note=reason,
        at=now,
    )
    heads = list(
        Post.objects.filter(
            node__tree_id=petition.grid.tree_id,
            node__lft__lte=petition.grid.lft,
            node__rght__gte=petition.grid.rght,
            kind=PostKind.HEAD,
            is_active=True,
        )
        .exclude(user=actor)
        .order_by("-node__lft")
        .values_list("user_id", flat=True)[:1]
    )
    notify(
        recipients=heads,
        kind=NotificationKind.REQUEST,
        petition=petition,
        text=reason[:200],
        dedupe=f"request:{request.pk}",
        now=now,
    )
    return request


def _grant(petition, *, kind: str, actor, now) -> str:
    """Mark a pending request of this kind granted; return its reason (or "")."""
    pending = HandlingRequest.objects.filter(
        petition=petition, kind=kind, status=RequestStatus.PENDING
    ).first()
    if pending is None:
        return ""
    HandlingRequest.objects.filter(pk=pending.pk).update(
        status=RequestStatus.GRANTED, decided_by=actor, decided_at=now
    )
    return pending.reason


def _may_grant(roles: Roles, petition: Petition) -> bool:
    """The head above the handler grants: a head or official over the grid who is not the handler."""
    return roles.head and (roles.superuser or petition.assignee_id != roles.user_id)


def petition_pause(
    *, actor, petition: Petition, reason: str = "", now: datetime | None = None
) -> tuple[Petition, HandlingRequest | None]:
    """The handler asks for a pause (a request); the head above grants it and the clock stops."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        roles = _authorize(actor, petition, lambda r: r.head or _is_handler(r, petition), transition="pause")
        if petition.status != Status.HANDLING:
            _fire(petition, "pause")  # raises the 409
        if not _may_grant(roles, petition):
            reason = _required(reason, "reason", _("Give the reason for the pause."))
            return petition, _request(
                petition, actor=actor, kind=RequestKind.PAUSE, reason=reason, hours=None, now=now
            )
        reason = (reason or "").strip() or _grant(petition, kind=RequestKind.PAUSE, actor=actor, now=now)
        reason = _required(reason, "reason", _("Give the reason for the pause."))
        _grant(petition, kind=RequestKind.PAUSE, actor=actor, now=now)
        before = _fire(petition, "pause")
        Pause.objects.create(
            petition=petition,
            reason=reason,
            granted_by=actor,
            started_at=now,
            due_remaining=petition.due_at - now,
            warn_remaining=petition.warn_at - now,
        )
        fields = _stop_timer(petition, keep_step=True, now=now)
        _save(petition, fields)
        _event(petition, actor=actor, action="pause", before=before, note=reason, at=now)
    return petition, None


def petition_resume(*, actor, petition: Petition, note: str = "", now: datetime | None = None) -> Petition:
    """The clock restarts with the time that was left: the due time moves by the pause's length."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.head or _is_handler(r, petition), transition="resume")
        before = _fire(petition, "resume")
        pause = Pause.objects.select_for_update().get(petition=petition, ended_at__isnull=True)
        Pause.objects.filter(pk=pause.pk).update(ended_at=now)
        due = now + pause.due_remaining
        petition.handle_due_at = due
        # A start chosen so that the warn time is again `warn_remaining` away.
        start = due - (pause.due_remaining - pause.warn_remaining) * 4
        fields = _set_timer(petition, start=start, due=due, now=now)
        _save(petition, [*fields, "handle_due_at"])
        _event(petition, actor=actor, action="resume", before=before, note=note, at=now)
    return petition


def petition_extend(
    *, actor, petition: Petition, hours: int, reason: str = "", now: datetime | None = None
) -> tuple[Petition, HandlingRequest | None]:
    """The handler asks for more time; the head above grants it and the due time moves."""
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 60:
        raise InvalidInput.field("hours", _("Ask for between 1 and 1440 hours."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        roles = _authorize(actor, petition, lambda r: r.head or _is_handler(r, petition), transition="extend")
        if petition.status != Status.HANDLING:
            _fire(petition, "extend")
        if not _may_grant(roles, petition):
            reason = _required(reason, "reason", _("Give the reason for more time."))
            return petition, _request(
                petition, actor=actor, kind=RequestKind.EXTEND, reason=reason, hours=hours, now=now
            )
        reason = (reason or "").strip() or _grant(petition, kind=RequestKind.EXTEND, actor=actor, now=now)
        reason = _required(reason, "reason", _("Give the reason for more time."))
        _grant(petition, kind=RequestKind.EXTEND, actor=actor, now=now)
        before = _fire(petition, "extend")
        due = petition.due_at + timedelta(hours=hours)
        petition.handle_due_at = due
        fields = _set_timer(petition, start=petition.step_started_at or now, due=due, now=now)
        _save(petition, [*fields, "handle_due_at"])
        _event(
            petition,
            actor=actor,
            action="extend",
            before=before,
            note=_("%(hours)d more hours: %(reason)s") % {"hours": hours, "reason": reason},
            at=now,
        )
    return petition, None


def handling_request_deny(
    *, actor, request: HandlingRequest | int, note: str = "", now=None
) -> HandlingRequest:
    now = now or timezone.now()
    pk = request.pk if isinstance(request, HandlingRequest) else int(request)
    with transaction.atomic():
        request = HandlingRequest.objects.select_for_update().filter(pk=pk).first()
        if request is None:
            raise NotFound()
        petition = _load(request.petition_id)
        roles = _authorize(actor, petition, lambda r: r.head)
        if not _may_grant(roles, petition):
            raise Forbidden(_("Your post does not allow this action on this petition."))
        if request.status != RequestStatus.PENDING:
            raise TransitionNotAllowed(_("This request was already decided."))
        HandlingRequest.objects.filter(pk=pk).update(
            status=RequestStatus.DENIED, decided_by=actor, decided_at=now
        )
        request.refresh_from_db()
        _event(
            petition,
            actor=actor,
            action=f"deny_{request.kind.lower()}",
            before=petition.status,
            note=note,
            at=now,
        )
    return request


def petition_return(*, actor, petition: Petition, reason: str, now: datetime | None = None) -> Petition:
    """A department gives back a petition that is not its responsibility; it goes to the classifier."""
    reason = _required(reason, "reason", _("Give the reason for returning it."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(
            actor,
            petition,
            lambda r: r.department or (r.superuser and petition.department_id),
            transition="give_back",
        )
        if petition.level != Level.DEPARTMENT:
            raise TransitionNotAllowed(_("Only a petition assigned to a department can be returned."))
        before = _fire(petition, "give_back")
        department = petition.department
        petition.level = Level.GRID
        petition.department = None
        fields = _after_verify_timer(petition, now)
        _save(petition, [*fields, "level", "department"])
        _event(
            petition,
            actor=actor,
            action="return",
            before=before,
            note=f"{department.name if department else ''}: {reason}",
            at=now,
        )
        notify(
            recipients=_grid_workers(petition.grid_id),
            kind=NotificationKind.REOPENED,
            petition=petition,
            text=reason[:200],
            dedupe=f"returned:{petition.pk}:{now.timestamp():.0f}",
            now=now,
        )
    return petition


# --- 5. callback (跟踪回访) -----------------------------------------------------------------
def _callback(petition: Petition, *, actor, satisfaction: str, solved: bool, note: str, now) -> Petition:
    if satisfaction not in Satisfaction.values:
        raise InvalidInput.field("satisfaction", _("Choose satisfied, partly satisfied or unsatisfied."))
    if not isinstance(solved, bool):
        raise InvalidInput.field("solved", _("Say whether the problem was solved."))
    petition.satisfaction = satisfaction
    petition.solved = solved
    if satisfaction == Satisfaction.UNSATISFIED or not solved:
        before = _fire(petition, "reopen")
        petition.rework_count = F("rework_count") + 1
        limit, unit = _handle_limit(petition.category)
        due = timers.due_after(now, limit, unit)
        petition.handle_due_at = due
        petition.resolved_at = None
        petition.resolved_on_time = None
        fields = _set_timer(petition, start=now, due=due, now=now)
        _save(
            petition,
            [
                *fields,
                "satisfaction",
                "solved",
                "rework_count",
                "handle_due_at",
                "resolved_at",
                "resolved_on_time",
            ],
        )
        petition.refresh_from_db(fields=["rework_count"])
        _event(petition, actor=actor, action="reopen", before=before, note=note, at=now)
        recipients = (
            [petition.assignee_id] if petition.assignee_id else _department_staff(petition.department_id)
        )
        notify(
            recipients=recipients,
            kind=NotificationKind.REOPENED,
            petition=petition,
            text=note[:200],
            dedupe=f"reopened:{petition.pk}:{petition.rework_count}",
            now=now,
        )
        return petition
    before = _fire(petition, "close")
    petition.closed_at = now
    fields = _stop_timer(petition, now=now)
    _save(petition, [*fields, "satisfaction", "solved", "closed_at"])
    _event(petition, actor=actor, action="close", before=before, note=note, at=now)
    # The reporters of merged duplicates got the same answer.
    Petition.objects.filter(merged_into=petition, closed_at__isnull=True).update(
        closed_at=now, satisfaction=satisfaction, solved=solved
    )
    return petition


def petition_callback(
    *, actor, petition: Petition, satisfaction: str, solved: bool, note: str = "", now: datetime | None = None
) -> Petition:
    """A worker records the resident's answer on the resident's behalf."""
    now = now or timezone.now()
    with transaction.atomic():
        petition = _load(petition)
        _authorize(actor, petition, lambda r: r.field_staff, transition="close")
        return _callback(petition, actor=actor, satisfaction=satisfaction, solved=solved, note=note, now=now)


def public_callback(
    *, tracking_code: str, satisfaction: str, solved: bool, note: str = "", now: datetime | None = None
) -> Petition:
    """The resident rates the result by tracking code (a merged duplicate rates its parent)."""
    now = now or timezone.now()
    with transaction.atomic():
        found = (
            Petition.objects.filter(tracking_code=normalise_tracking_code(tracking_code))
            .values("pk", "merged_into_id")
            .first()
        )
        if found is None:
            raise NotFound(_("No petition has this tracking code."))
        petition = _load(found["merged_into_id"] or found["pk"])
        return _callback(
            petition, actor=None, satisfaction=satisfaction, solved=solved, note=(note or "")[:500], now=now
        )


# --- personal data ------------------------------------------------------------------------------
def petition_reveal_contact(*, actor, petition: Petition, request=None) -> dict:
    """The reporter's name and phone in clear, for in-scope staff; every reveal is logged."""
    with transaction.atomic():
        petition = _load(petition, lock=False)
        _authorize(actor, petition, lambda r: r.field_staff or r.department)
        from residents.services import access_log_record

        access_log_record(
            actor=actor, subject=petition, field="reporter_name,reporter_phone", request=request
        )
        return {"name": petition.reporter_name, "phone": petition.reporter_phone}


# --- escalation: 街区吹哨 · 部门报到 ---------------------------------------------------------------
def whistle_blow(
    *,
    actor,
    title: str,
    departments: list[Department],
    checkin_hours: int = 24,
    description: str = "",
    petition: Petition | None = None,
    street: GridNode | None = None,
    now: datetime | None = None,
) -> Whistle:
    """A street official summons departments; each must check in before its own deadline."""
    title = _required(title, "title", _("Give the whistle a title."))
    if not departments:
        raise InvalidInput.field("departments", _("Summon at least one department."))
    if not isinstance(checkin_hours, int) or not 1 <= checkin_hours <= 24 * 14:
        raise InvalidInput.field("checkin_hours", _("The check-in deadline is 1 to 336 hours away."))
    now = now or timezone.now()
    with transaction.atomic():
        if petition is not None:
            petition = _load(petition)
            street = petition.grid.get_ancestors().filter(kind=NodeKind.STREET).first()
            if petition.status in FINAL_STATUSES:
                raise TransitionNotAllowed(_("This petition is finished."))
        if street is None or street.kind != NodeKind.STREET:
            raise InvalidInput.field("street", _("Choose the street."))
        allowed = Post.objects.filter(
            user=actor,
            is_active=True,
            kind__in=[PostKind.OFFICIAL, PostKind.HEAD],
            node__tree_id=street.tree_id,
            node__lft__lte=street.lft,
            node__rght__gte=street.rght,
        ).exists()
        if not actor.is_superuser and not allowed:
            in_scope = Post.objects.filter(
                user=actor,
                is_active=True,
                node__tree_id=street.tree_id,
                node__lft__gte=street.lft,
                node__rght__lte=street.rght,
            ).exists()
            if not in_scope:
                raise NotFound()
            raise Forbidden(_("Only a street official may blow the whistle."))
        due = now + timedelta(hours=checkin_hours)
        whistle = Whistle.objects.create(
            street=street,
            petition=petition,
            title=title[:120],
            description=(description or "").strip(),
            blown_by=actor,
            blown_at=now,
            deadline=due,
        )
        node_changed(whistle.street_id)
        CheckIn.objects.bulk_create(
            [
                CheckIn(whistle=whistle, department=d, due_at=due, warn_at=timers.warn_before(now, due))
                for d in {d.pk: d for d in departments}.values()
            ]
        )
        if petition is not None:
            _event(petition, actor=actor, action="whistle", before=petition.status, note=title, at=now)
        staff = Post.objects.filter(
            department__in=departments, kind=PostKind.DEPARTMENT, is_active=True
        ).values_list("user_id", flat=True)
        notify(
            recipients=staff,
            kind=NotificationKind.WHISTLE,
            whistle=whistle,
            petition=petition,
            text=title,
            dedupe=f"whistle:{whistle.pk}",
            now=now,
        )
    return whistle


def _checkin_for(actor, checkin: CheckIn | int) -> CheckIn:
    pk = checkin.pk if isinstance(checkin, CheckIn) else int(checkin)
    checkin = CheckIn.objects.select_for_update(of=("self",)).select_related("whistle").filter(pk=pk).first()
    if checkin is None:
        raise NotFound()
    if actor.is_superuser:
        return checkin
    if not Post.objects.filter(
        user=actor, is_active=True, kind=PostKind.DEPARTMENT, department_id=checkin.department_id
    ).exists():
        raise NotFound()
    return checkin


def checkin_record(*, actor, checkin: CheckIn | int, now: datetime | None = None) -> CheckIn:
    """部门报到: the department shows up (late if after its deadline; the light keeps that)."""
    now = now or timezone.now()
    with transaction.atomic():
        checkin = _checkin_for(actor, checkin)
        if checkin.checked_in_at is not None:
            raise TransitionNotAllowed(_("This department has already checked in."))
        if checkin.whistle.status != WhistleStatus.OPEN:
            raise TransitionNotAllowed(_("This whistle is closed."))
        checkin.checked_in_at = now
        checkin.checked_in_by = actor
        checkin.light = compute_light(
            due_at=checkin.due_at, warn_at=checkin.warn_at, stored=checkin.light, now=now
        )
        node_changed(checkin.whistle.street_id)
        checkin.save(update_fields=["checked_in_at", "checked_in_by", "light"])
    return checkin


def checkin_report(*, actor, checkin: CheckIn | int, report: str, now: datetime | None = None) -> CheckIn:
    report = _required(report, "report", _("Describe what the department did."))
    now = now or timezone.now()
    with transaction.atomic():
        checkin = _checkin_for(actor, checkin)
        if checkin.checked_in_at is None:
            raise TransitionNotAllowed(_("Check in first, then report the action."))
        checkin.report = report
        checkin.reported_at = now
        checkin.save(update_fields=["report", "reported_at"])
    return checkin


def whistle_close(*, actor, whistle: Whistle | int, now: datetime | None = None) -> Whistle:
    now = now or timezone.now()
    pk = whistle.pk if isinstance(whistle, Whistle) else int(whistle)
    with transaction.atomic():
        whistle = Whistle.objects.select_for_update().filter(pk=pk).select_related("street").first()
        if whistle is None:
            raise NotFound()
        if not actor.is_superuser and whistle.blown_by_id != actor.pk:
            raise Forbidden(_("Only the official who blew the whistle may close it."))
        if whistle.status != WhistleStatus.OPEN:
            raise TransitionNotAllowed(_("This whistle is closed."))
        whistle.status = WhistleStatus.CLOSED
        whistle.closed_at = now
        node_changed(whistle.street_id)
        whistle.save(update_fields=["status", "closed_at"])
    return whistle


def step_label(step: str) -> str:
    return Step(step).label if step else ""
