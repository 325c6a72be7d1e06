"""我也遇到了: a resident who meets a problem already reported nearby joins that report instead
of filing a duplicate. The joiner gets a tracking code of their own (the same tracking page,
the same SMS updates if they ask) and rates the result for themselves; the reporter's rating
still drives the petition's callback step.

No actor, like the public report: residents have no account. Joining by the petition's id
(what the public nearby list shows) needs the joiner's position within the nearby radius, so
the ids of the city's open reports cannot be walked from anywhere; joining by a tracking code
(a neighbour passed it on) needs only the code.
"""

import math
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hlgrid import idempotency, inputs
from hlgrid.crypto import lookup_hash, mask_phone
from hlgrid.errors import InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.idempotency import IdempotencyConflict
from petitions.models import (
    ACTIVE_STATUSES,
    IdempotencyKey,
    Petition,
    PetitionJoin,
    Satisfaction,
    Status,
)
from petitions.services.common import DUPLICATE_RADIUS_M, event, load
from petitions.services.intake import normalise_tracking_code, tracking_code_new

NOTE_MAX = 300
# Statuses in which a joiner may rate the result (once).
RATEABLE_STATUSES = [Status.RESOLVED, Status.CLOSED]


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (the nearby list and the join check use the same one)."""
    r = 6_371_000
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _target_pk(tracking_code_or_pk, latitude, longitude) -> int:
    """The petition a join names: by id (with a position near it) or by a tracking code."""
    if isinstance(tracking_code_or_pk, int) or str(tracking_code_or_pk or "").strip().isdigit():
        pk = int(tracking_code_or_pk)
        if latitude is None or longitude is None:
            raise InvalidInput.field("location", _("A location is required."))
        row = Petition.objects.filter(pk=pk).values("pk", "latitude", "longitude", "status").first()
        if (
            row is None
            or row["status"] == Status.DRAFT
            or row["latitude"] is None
            or row["longitude"] is None
            or distance_m(latitude, longitude, row["latitude"], row["longitude"]) > DUPLICATE_RADIUS_M + 1
        ):
            raise NotFound(_("No open report of this problem near you."))
        return pk
    code = normalise_tracking_code(str(tracking_code_or_pk or ""))
    if not code:
        raise InvalidInput.field("petition", _("Choose the report you want to join."))
    found = (
        Petition.objects.filter(tracking_code=code)
        .exclude(status=Status.DRAFT)
        .values("pk", "merged_into_id")
    ).first()
    if found is None:
        joined = PetitionJoin.objects.filter(tracking_code=code).values("petition_id").first()
        if joined is None:
            raise NotFound(_("No petition has this tracking code."))
        found = Petition.objects.filter(pk=joined["petition_id"]).values("pk", "merged_into_id").first()
    return found["merged_into_id"] or found["pk"]


def _join(*, tracking_code_or_pk, note, phone, notify, latitude, longitude, now) -> tuple[PetitionJoin, bool]:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput.field("note", _("At most %(n)d characters.") % {"n": NOTE_MAX})
    phone = inputs.phone(phone, field="phone")
    if notify and not phone:
        raise InvalidInput.field("notify", _("Leave a phone number to be told by SMS."))
    pk = _target_pk(tracking_code_or_pk, latitude, longitude)
    with transaction.atomic():
        # The row lock orders the join against the petition's transitions: nobody joins a
        # report in the moment it is closed.
        petition = load(pk)
        if petition.status not in ACTIVE_STATUSES:
            raise TransitionNotAllowed(
                _("This report is already finished (%(status)s): report the problem anew.")
                % {"status": Status(petition.status).label}
            )
        phone_hash = lookup_hash(phone) if phone else ""
        if phone_hash:
            already = PetitionJoin.objects.filter(petition=petition, reporter_phone_hash=phone_hash).first()
            if already is not None:
                return already, False
        join = _create_join(
            petition=petition,
            note=note,
            reporter_phone=phone,
            reporter_phone_hint=mask_phone(phone),
            reporter_phone_hash=phone_hash,
            reporter_notify=bool(notify and phone),
        )
        # Staff see it in the petition's history; listeners (the notifier) hear of the new code.
        event(petition, actor=None, action="join", before=petition.status, note=join.tracking_code, at=now)
    return join, True


def _create_join(**fields) -> PetitionJoin:
    for _attempt in range(5):
        code = tracking_code_new()
        if Petition.objects.filter(tracking_code=code).exists():
            continue
        try:
            with transaction.atomic():
                return PetitionJoin.objects.create(tracking_code=code, **fields)
        except IntegrityError:
            if not PetitionJoin.objects.filter(tracking_code=code).exists():
                raise
    raise RuntimeError("could not draw a free tracking code")


def petition_join(
    *,
    tracking_code_or_pk,
    note: str = "",
    phone: str = "",
    notify: bool = False,
    latitude: float | None = None,
    longitude: float | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: datetime | None = None,
) -> tuple[PetitionJoin, bool]:
    """Join an open (ACTIVE) report: (the joiner's row with its own tracking code, created).

    At most once per Idempotency-Key (namespaced `join:` so it never meets a report's key): a
    retry with the same key and body answers the first join, another body is a 422. The same
    phone joining the same report again gets its first join back.
    """
    now = now or timezone.now()
    fields = {
        "tracking_code_or_pk": tracking_code_or_pk,
        "note": note,
        "phone": phone,
        "notify": notify,
        "latitude": latitude,
        "longitude": longitude,
        "now": now,
    }
    if not idempotency_key:
        return _join(**fields)
    key = f"join:{idempotency.client_key(idempotency_key)}"[:128]
    made: list[tuple[PetitionJoin, bool]] = []

    def make() -> dict:
        made.append(_join(**fields))
        return {"join": made[0][0].tracking_code}

    _status, answer, _created = idempotency.submit_once(
        stored_key=key,
        fingerprint=fingerprint,
        create=make,
        store=IdempotencyKey,
        link=lambda: {"petition_id": made[0][0].petition_id},
    )
    if made:
        return made[0]
    join = PetitionJoin.objects.filter(tracking_code=answer.get("join", "")).first()
    if join is None:
        raise IdempotencyConflict(_("This Idempotency-Key was used with a different request."))
    return join, False


def petition_join_rate(
    *, tracking_code: str, satisfaction: str, solved: bool, now: datetime | None = None
) -> PetitionJoin:
    """A joiner rates the result for themselves, once, when it is resolved or closed.

    Recorded beside the reporter's rating: it neither closes nor reopens the petition.
    """
    now = now or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise InvalidInput.field("satisfaction", _("Choose satisfied, partly satisfied or unsatisfied."))
    if not isinstance(solved, bool):
        raise InvalidInput.field("solved", _("Say whether the problem was solved."))
    with transaction.atomic():
        join = (
            PetitionJoin.objects.select_for_update(of=("self",))
            .select_related("petition")
            .filter(tracking_code=normalise_tracking_code(tracking_code))
            .first()
        )
        if join is None:
            raise NotFound(_("No petition has this tracking code."))
        petition = join.petition
        shown_status = (
            Petition.objects.filter(pk=petition.merged_into_id).values_list("status", flat=True).first()
            if petition.merged_into_id
            else petition.status
        )
        if join.rated_at is not None:
            raise TransitionNotAllowed(_("You have already rated this result."))
        if shown_status not in RATEABLE_STATUSES:
            raise TransitionNotAllowed(_("You can rate the result once the problem is resolved."))
        join.satisfaction = satisfaction
        join.solved = solved
        join.rated_at = now
        join.save(update_fields=["satisfaction", "solved", "rated_at"])
    return join
