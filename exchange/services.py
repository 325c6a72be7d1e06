"""Everything that changes the exchange: partners, inbound orders, the outbox and its sending.

Who acts:
- a partner platform, authenticated by its signature (`partner_authenticate`), is the
  actor of `order_receive` as a `PartnerCaller`; its petition is taken in through
  petitions' own intake as `grids.access.SYSTEM` (recorded as nobody on the petition: the
  PartnerOrder records the partner), confined to the partner's city here;
- staff (`partner_*`, `order_return`, `delivery_retry`) act as themselves, checked through
  grids.access: the configuration right and the partner's city, or a post over the
  petition's grid;
- the Celery task and the sweep act as SYSTEM (`delivery_attempt`, `exchange_sweep`).

What is pushed back is decided by `on_petition_event`, a petitions listener called inside
the transaction of each petition event: 签收 (accept) when our verify step accepts the
order (or it is merged into a petition we handle), 退单 (return) when we reject it, 回单
(reply) when it is resolved, and the caller's satisfaction at the callback.
"""

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange import conf, signing
from exchange.models import (
    CategoryMapping,
    DeliveryKind,
    DeliveryStatus,
    OrderState,
    Partner,
    PartnerDelivery,
    PartnerNonce,
    PartnerOrder,
)
from exchange.selectors import OUTBOX_KINDS
from grids import access
from grids.models import GridNode, NodeKind
from hlgrid import inputs
from hlgrid.errors import DomainError, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.tasks import backoff_seconds as hlgrid_backoff
from hlgrid.tasks import enqueue
from petitions import services as petition_services
from petitions import timers
from petitions.models import Category, Petition, Source

logger = logging.getLogger(__name__)

DELIVER_TASK = "exchange.deliver"
# The posts that look after the outbox of a petition's orders (the failed-push page).
# A queued row this long past its time has lost its task: the sweep sends it again.
LOST_AFTER = timedelta(seconds=60)
SWEEP_BATCH = 500


# --- partners (the settings pages) ---------------------------------------------------------------


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _new_key_id() -> str:
    return "hl_" + secrets.token_hex(10)


def _require_city(actor, city: GridNode | None) -> GridNode:
    access.require_may_configure(actor)
    if city is None or city.kind != NodeKind.CITY:
        raise InvalidInput.field("city", _("Choose the city whose hotline this is."))
    access.must_cover(actor, city, kinds=OUTBOX_KINDS)
    return city


def _check_default_grid(city: GridNode, grid: GridNode | None) -> GridNode | None:
    if grid is None:
        return None
    if grid.kind != NodeKind.GRID or grid.tree_id != city.tree_id:
        raise InvalidInput.field("default_grid", _("The default grid must be a grid of this city."))
    return grid


MAPPING_LINE = re.compile(r"^\s*(?P<theirs>[^=:→\s]+)\s*(?:=|:|→|\s)\s*(?P<ours>\S+)\s*$")


def parse_mappings(text: str, *, city) -> dict[str, Category]:
    """Lines of `THEIR_CODE = OUR_CODE` (also `:` or a space); blank lines and `#` comments skipped."""
    wanted: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        match = MAPPING_LINE.match(line)
        if match is None:
            raise InvalidInput.field(
                "mappings", _("Line %(n)d: write THEIR_CODE = OUR_CODE.") % {"n": number}
            )
        theirs = match["theirs"][:64]
        if theirs in wanted:
            raise InvalidInput.field(
                "mappings", _("Line %(n)d: %(code)s is mapped twice.") % {"n": number, "code": theirs}
            )
        wanted[theirs] = match["ours"]
    # the partner's city's categories: another city may use the same codes for its own
    found = {
        c.code: c for c in Category.objects.filter(city__tree_id=city.tree_id, code__in=set(wanted.values()))
    }
    for theirs, ours in wanted.items():
        if ours not in found:
            raise InvalidInput.field(
                "mappings", _("%(theirs)s: we have no category %(ours)s.") % {"theirs": theirs, "ours": ours}
            )
    return {theirs: found[ours] for theirs, ours in wanted.items()}


def mappings_text(partner: Partner) -> str:
    return "\n".join(
        f"{m.their_code} = {m.category.code}" for m in partner.mappings.select_related("category")
    )


def _set_mappings(partner: Partner, text: str) -> None:
    mapping = parse_mappings(text, city=partner.city)
    partner.mappings.all().delete()
    CategoryMapping.objects.bulk_create(
        CategoryMapping(partner=partner, their_code=theirs, category=category)
        for theirs, category in mapping.items()
    )


def _clean_partner_fields(name: str, code: str, callback_url: str) -> tuple[str, str, str]:
    name = inputs.required("name", name, _("Name the platform.")).strip()[:64]
    code = inputs.required("code", code, _("Give the platform a short code.")).strip().lower()
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", code):
        raise InvalidInput.field("code", _("Letters, digits, - and _ only (at most 32)."))
    callback_url = (callback_url or "").strip()
    if callback_url and not re.match(r"^https?://", callback_url):
        raise InvalidInput.field("callback_url", _("The callback URL must start with http:// or https://."))
    return name, code, callback_url


def partner_create(
    *,
    actor,
    name: str,
    code: str,
    city: GridNode,
    callback_url: str = "",
    default_grid: GridNode | None = None,
    is_active: bool = True,
    mappings: str = "",
    now: datetime | None = None,
) -> tuple[Partner, str]:
    """A new partner platform and its secret, which is shown this once: (partner, secret)."""
    city = _require_city(actor, city)
    name, code, callback_url = _clean_partner_fields(name, code, callback_url)
    default_grid = _check_default_grid(city, default_grid)
    secret = _new_secret()
    try:
        with transaction.atomic():
            partner = Partner.objects.create(
                name=name,
                code=code,
                key_id=_new_key_id(),
                secret=secret,
                secret_rotated_at=now or timezone.now(),
                callback_url=callback_url,
                is_active=is_active,
                city=city,
                default_grid=default_grid,
                created_by=access.recorded(actor),
            )
            _set_mappings(partner, mappings)
    except IntegrityError:
        raise InvalidInput.field("code", _("Another platform has this code.")) from None
    return partner, secret


def _partner_for_change(actor, partner: Partner | int) -> Partner:
    access.require_may_configure(actor)
    pk = partner.pk if isinstance(partner, Partner) else partner
    found = (
        access.scope_queryset(
            actor, Partner.objects.select_related("city"), node_path="city", post_kinds=OUTBOX_KINDS
        )
        .select_for_update(of=("self",))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def partner_update(
    *,
    actor,
    partner: Partner | int,
    name: str,
    code: str,
    callback_url: str = "",
    default_grid: GridNode | None = None,
    is_active: bool = True,
    mappings: str = "",
) -> Partner:
    name, code, callback_url = _clean_partner_fields(name, code, callback_url)
    try:
        with transaction.atomic():
            partner = _partner_for_change(actor, partner)
            partner.name, partner.code, partner.callback_url = name, code, callback_url
            partner.default_grid = _check_default_grid(partner.city, default_grid)
            partner.is_active = is_active
            partner.save(update_fields=["name", "code", "callback_url", "default_grid", "is_active"])
            _set_mappings(partner, mappings)
    except IntegrityError:
        raise InvalidInput.field("code", _("Another platform has this code.")) from None
    return partner


def partner_rotate_secret(
    *, actor, partner: Partner | int, grace: bool = True, now: datetime | None = None
) -> tuple[Partner, str]:
    """A new secret, shown this once: (partner, secret).

    With `grace` the old secret keeps verifying the partner's requests for
    conf.SECRET_GRACE_HOURS, so the platform can switch without refused orders; without it (a
    leaked secret) the old one stops working at once. A second rotation inside the grace
    period ends the first old secret: only the last one is kept."""
    now = now or timezone.now()
    with transaction.atomic():
        partner = _partner_for_change(actor, partner)
        secret = _new_secret()
        if grace:
            partner.previous_secret = partner.secret
            partner.previous_secret_until = now + timedelta(hours=conf.SECRET_GRACE_HOURS)
        else:
            partner.previous_secret, partner.previous_secret_until = "", None
        partner.secret = secret
        partner.secret_rotated_at = now
        partner.save(
            update_fields=["secret", "secret_rotated_at", "previous_secret", "previous_secret_until"]
        )
    return partner, secret


def _secrets(partner: Partner, now: datetime) -> list[str]:
    """The secrets that verify the partner's requests now: the current one, and the previous
    one during its grace period."""
    keys = [partner.secret]
    if partner.previous_secret and partner.previous_secret_until and now < partner.previous_secret_until:
        keys.append(partner.previous_secret)
    return keys


def partner_secrets(partner: Partner, *, now: datetime | None = None) -> list[str]:
    """The secrets valid now, the current one first (the adapter signs with each)."""
    return _secrets(partner, now or timezone.now())


# --- authenticating a partner's request -------------------------------------------------------------


class Unauthenticated(DomainError):
    """A partner request that does not prove who sent it, or proves it too late or twice (401)."""

    status_code = 401


@dataclass(frozen=True)
class PartnerCaller:
    """The actor of a partner's request, once its signature is checked: it names the partner."""

    partner: Partner
    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    must_change_password = False

    def __str__(self) -> str:
        return f"partner:{self.partner.code}"


def partner_authenticate(
    *, key_id: str, timestamp: str, signature: str, body: bytes, now: datetime | None = None
) -> PartnerCaller:
    """Check the three headers against the raw body; remember the signature (no replay)."""
    now = now or timezone.now()
    if not key_id or not timestamp or not signature:
        raise Unauthenticated(_("Missing X-Partner-Key, X-Timestamp or X-Signature."))
    partner = Partner.objects.filter(key_id=key_id.strip(), is_active=True).first()
    if partner is None or not any(
        signing.matches(key, timestamp, body, signature) for key in _secrets(partner, now)
    ):
        raise Unauthenticated(_("Bad signature: the key or the signature does not match."))
    moment = signing.parse_timestamp(timestamp)
    if moment is None:
        raise Unauthenticated(_("X-Timestamp must be unix seconds or ISO 8601 with a time zone."))
    if abs((now - moment).total_seconds()) > conf.SIGNATURE_WINDOW_SECONDS:
        raise Unauthenticated(
            _("The request is stale: X-Timestamp is more than %(n)d minutes from our clock.")
            % {"n": conf.SIGNATURE_WINDOW_SECONDS // 60}
        )
    try:
        with transaction.atomic():
            PartnerNonce.objects.create(partner=partner, signature=signature.strip().lower(), seen_at=now)
    except IntegrityError:
        raise Unauthenticated(
            _("This signature was already used (a replay): sign each request anew.")
        ) from None
    return PartnerCaller(partner=partner)


# --- inbound orders -------------------------------------------------------------------------------


class OrderConflict(TransitionNotAllowed):
    """The same order number arrived again with other content (409)."""


def order_fingerprint(data: dict) -> str:
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _route(partner: Partner, data: dict) -> GridNode:
    """The grid code, else the position (inside the partner's city), else the partner's default."""
    from grids.locator import locate

    city = partner.city
    code = (data.get("grid_code") or "").strip()
    if code:
        grid = GridNode.objects.filter(code=code, kind=NodeKind.GRID, tree_id=city.tree_id).first()
        if grid is None:
            raise InvalidInput.field("grid_code", _("No grid of this city has this code."))
        return grid
    lat, lng = data.get("lat"), data.get("lng")
    if lat is not None and lng is not None:
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidInput.field("lat", _("This is not a valid position."))
        located = locate(lat, lng)
        if located is not None:
            grid = GridNode.objects.filter(pk=located.id, tree_id=city.tree_id).first()
            if grid is not None:
                return grid
    if partner.default_grid_id:
        return partner.default_grid
    if lat is not None and lng is not None:
        raise InvalidInput.field("lat", _("This position is outside the city's grids."))
    raise InvalidInput.field("grid_code", _("Give a grid code or a position (lat, lng)."))


def _deadline(data: dict, *, absolute: str, relative: str, unit: timedelta, start: datetime):
    if data.get(absolute) is not None:
        due = data[absolute]
        if due <= start:
            raise InvalidInput.field(absolute, _("This deadline is already past."))
        return due
    if data.get(relative) is not None:
        return start + data[relative] * unit
    return None


def _warn(start: datetime, due: datetime | None) -> datetime | None:
    return timers.warn_before(start, due) if due is not None else None


def order_receive(
    *, actor: PartnerCaller, data: dict, document: dict | None = None, now: datetime | None = None
) -> tuple[PartnerOrder, bool]:
    """A partner's work order: a petition once per (partner, order number): (order, created).

    `data` is the order's validated fields (exchange.api.OrderSerializer), `document` the
    whole JSON object as received (its fingerprint decides "the same order"). The same order
    again returns the first one and creates nothing; the same number with other content is
    a 409. The partner's row is locked first, so two copies of one order sent at once make
    one petition (the unique constraint is the backstop).
    """
    if not isinstance(actor, PartnerCaller):
        raise NotFound()
    now = now or timezone.now()
    fingerprint = order_fingerprint(document if document is not None else data)
    order_no = inputs.required("order_no", data.get("order_no"), _("Give the order number.")).strip()
    with transaction.atomic():
        partner = (
            Partner.objects.select_for_update(of=("self",))
            .select_related("city", "default_grid")
            .filter(pk=actor.partner.pk, is_active=True)
            .first()
        )
        if partner is None:
            raise NotFound()
        existing = (
            PartnerOrder.objects.select_related("petition__grid")
            .filter(partner=partner, order_no=order_no)
            .first()
        )
        if existing is not None:
            if existing.request_hash != fingerprint:
                raise OrderConflict(
                    _("Order %(no)s was already received with other content; send changes as a new order.")
                    % {"no": order_no}
                )
            return existing, False
        grid = _route(partner, data)
        their_category = (data.get("category_code") or "").strip()[:64]
        mapping = (
            CategoryMapping.objects.select_related("category")
            .filter(partner=partner, their_code=their_category)
            .first()
            if their_category
            else None
        )
        category = mapping.category if mapping and mapping.category.is_active else None
        accept_due = _deadline(
            data, absolute="accept_due_at", relative="accept_within_hours", unit=timedelta(hours=1), start=now
        )
        finish_due = _deadline(
            data, absolute="finish_due_at", relative="finish_within_days", unit=timedelta(days=1), start=now
        )
        petition = petition_services.petition_intake(
            actor=access.SYSTEM,
            source=Source.PARTNER,
            description=data.get("content") or "",
            grid=grid,
            latitude=data.get("lat"),
            longitude=data.get("lng"),
            category=category,
            address=data.get("address") or "",
            reporter_name=data.get("caller_name") or "",
            reporter_phone=data.get("caller_phone") or "",
            now=now,
        )
        order = PartnerOrder.objects.create(
            partner=partner,
            order_no=order_no,
            petition=petition,
            request_hash=fingerprint,
            their_category=their_category,
            received_at=now,
            accept_due_at=accept_due,
            accept_warn_at=_warn(now, accept_due),
            finish_due_at=finish_due,
            finish_warn_at=_warn(now, finish_due),
        )
    return order, True


def order_return(
    *, actor, order: PartnerOrder | int, reason: str, now: datetime | None = None
) -> PartnerOrder:
    """Staff judge an order is not ours: our petition is rejected with the reason, and the
    rejection returns (退单) the order to the hotline (the listener queues the message)."""
    reason = inputs.required("reason", reason, _("Give the reason for returning it."))
    pk = order.pk if isinstance(order, PartnerOrder) else order
    found = PartnerOrder.objects.select_related("petition__grid").filter(pk=pk).first()
    if found is None or not access.standing(actor, found.petition.grid).visible:
        raise NotFound()
    if found.state != OrderState.RECEIVED:
        raise TransitionNotAllowed(_("Only an order not yet accepted can be returned to the hotline."))
    petition_services.petition_reject(actor=actor, petition=found.petition, reason=reason, now=now)
    found.refresh_from_db()
    return found


# --- the outbox: what each petition event sends ------------------------------------------------------


def _payload_base(order: PartnerOrder, petition: Petition, event) -> dict:
    return {"order_no": order.order_no, "tracking_code": petition.tracking_code, "event_id": event.pk}


def _queue(order: PartnerOrder, kind: str, event, payload: dict) -> None:
    delivery, created = PartnerDelivery.objects.get_or_create(
        order=order, kind=kind, event_id=event.pk, defaults={"payload": payload, "next_at": event.at}
    )
    if created:
        enqueue(DELIVER_TASK, delivery.pk)


def _handler_name(petition: Petition) -> str:
    if petition.department_id:
        return petition.department.name
    return petition.grid.name


def on_petition_event(petition: Petition, event) -> None:
    """The petitions listener: record the messages this event owes the hotline (in its transaction)."""
    action = event.action
    if action not in ("verify", "merge", "reject", "resolve", "close", "reopen"):
        return
    own = Q(petition_id=petition.pk)
    if action in ("resolve", "close", "reopen"):  # what a merged order's petition does, it does too
        own |= Q(petition__merged_into_id=petition.pk)
    orders = list(PartnerOrder.objects.select_for_update(of=("self",)).filter(own).order_by("pk"))
    for order in orders:
        base = _payload_base(order, petition, event)
        if action in ("verify", "merge") and order.state == OrderState.RECEIVED:
            order.accept()
            order.accepted_at = event.at
            order.save(update_fields=["state", "accepted_at"])
            _queue(
                order,
                DeliveryKind.ACCEPT,
                event,
                {**base, "type": "accept", "accepted_at": event.at.isoformat(), "grid": petition.grid.code},
            )
        elif action == "reject" and order.state == OrderState.RECEIVED:
            order.give_back()
            order.returned_at = event.at
            order.save(update_fields=["state", "returned_at"])
            _queue(
                order,
                DeliveryKind.RETURN,
                event,
                {**base, "type": "return", "returned_at": event.at.isoformat(), "reason": event.note},
            )
        elif action == "resolve" and order.state in (OrderState.ACCEPTED, OrderState.REPLIED):
            order.reply()
            order.replied_at = event.at
            order.save(update_fields=["state", "replied_at"])
            _queue(
                order,
                DeliveryKind.REPLY,
                event,
                {
                    **base,
                    "type": "reply",
                    "replied_at": event.at.isoformat(),
                    "resolution": petition.resolution,
                    "handled_by": _handler_name(petition),
                    "on_time": order.finish_due_at is None or event.at <= order.finish_due_at,
                },
            )
        elif action in ("close", "reopen") and order.state == OrderState.REPLIED:
            if action == "close":
                order.rate()
            else:
                order.reopen()
            order.save(update_fields=["state"])
            _queue(
                order,
                DeliveryKind.SATISFACTION,
                event,
                {
                    **base,
                    "type": "satisfaction",
                    "rated_at": event.at.isoformat(),
                    "satisfaction": petition.satisfaction,
                    "solved": petition.solved,
                    "reopened": action == "reopen",
                },
            )


# --- sending ------------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> int:
    """The wait after the `attempts`-th failure: base, 2·base, 4·base, ... up to the cap."""
    return hlgrid_backoff(attempts, base=conf.retry_base_seconds(), cap=conf.retry_cap_seconds())


@dataclass(frozen=True)
class Attempt:
    outcome: str  # "sent", "retry", "failed", "skipped"
    countdown: int = 0


def delivery_attempt(*, actor, delivery_id: int, now: datetime | None = None) -> Attempt:
    """Send one queued delivery, under its row lock (a second worker skips it).

    Success marks it SENT; a failure counts the attempt and sets the next one after the
    backoff, or marks it FAILED after the last (`conf.max_attempts`). Only the kind of
    failure is kept (an HTTP status, an exception's class), never a body.
    """
    from exchange import adapter

    if not access.is_system(actor):  # the task and the sweep send; people retry (delivery_retry)
        raise NotFound()
    with transaction.atomic():
        delivery = (
            PartnerDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("order__partner")
            .filter(pk=delivery_id)
            .first()
        )
        now = now or timezone.now()
        if delivery is None or delivery.status != DeliveryStatus.QUEUED:
            return Attempt("skipped")
        if delivery.next_at > now + timedelta(seconds=1):
            return Attempt("skipped")  # an early copy of a task (the one at its time will run)
        partner = delivery.order.partner
        delivery.attempts += 1
        try:
            if not partner.is_active:
                raise adapter.DeliveryError("partner inactive")
            adapter.post(
                partner,
                delivery_id=delivery.pk,
                kind=delivery.kind,
                payload=delivery.payload,
                secrets=partner_secrets(partner),
            )
        except adapter.DeliveryError as error:
            delivery.last_error = str(error)[:200]
            if delivery.attempts >= conf.max_attempts():
                delivery.mark_failed()
                delivery.save(update_fields=["status", "attempts", "last_error"])
                logger.warning(
                    "exchange: delivery %s (%s) failed for good after %d attempts: %s",
                    delivery.pk, delivery.kind, delivery.attempts, delivery.last_error,
                )  # fmt: skip
                return Attempt("failed")
            countdown = backoff_seconds(delivery.attempts)
            delivery.next_at = now + timedelta(seconds=countdown)
            delivery.save(update_fields=["attempts", "last_error", "next_at"])
            return Attempt("retry", countdown)
        delivery.mark_sent()
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save(update_fields=["status", "attempts", "sent_at", "last_error"])
        return Attempt("sent")


def delivery_retry(*, actor, delivery: PartnerDelivery | int, now: datetime | None = None) -> PartnerDelivery:
    """An official or administrator over the petition's grid sends a FAILED delivery again
    (a fresh series of attempts)."""
    pk = delivery.pk if isinstance(delivery, PartnerDelivery) else delivery
    now = now or timezone.now()
    with transaction.atomic():
        found = (
            PartnerDelivery.objects.select_for_update(of=("self",))
            .select_related("order__petition__grid")
            .filter(pk=pk)
            .first()
        )
        if found is None:
            raise NotFound()
        access.require_post(actor, found.order.petition.grid, kinds=OUTBOX_KINDS)
        if found.status != DeliveryStatus.FAILED:
            raise TransitionNotAllowed(_("Only a failed delivery can be retried."))
        found.requeue()
        found.attempts = 0
        found.next_at = now
        found.save(update_fields=["status", "attempts", "next_at"])
        enqueue(DELIVER_TASK, found.pk)
    return found


def exchange_sweep(*, now: datetime) -> dict:
    """The periodic sweep: send again the queued deliveries whose task was lost (a broker
    outage, a worker killed), and forget the signatures older than the freshness window."""
    lost = list(
        PartnerDelivery.objects.filter(status=DeliveryStatus.QUEUED, next_at__lte=now - LOST_AFTER)
        .order_by("next_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in lost:
        enqueue(DELIVER_TASK, pk)
    forgotten, _counts = PartnerNonce.objects.filter(
        seen_at__lt=now - timedelta(seconds=2 * conf.SIGNATURE_WINDOW_SECONDS)
    ).delete()
    return {"resent": len(lost), "nonces_forgotten": forgotten}
