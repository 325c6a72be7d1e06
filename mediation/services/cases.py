"""A dispute from registration to its end: grading (研判), sessions, the agreement (调解协议),
referral, and the follow-up (回访) that closes it. One function per use case; each locks the
case, checks the actor through grids.access (404 outside its grids), fires the transition
(409 from a wrong status) and writes a CaseEvent with the actor, in one transaction.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, NodeKind, PostKind
from hlgrid import inputs
from hlgrid.errors import InvalidInput
from mediation import clock
from mediation.models import (
    Agreement,
    Case,
    FollowUp,
    Kind,
    MediatorKind,
    NoticeKind,
    Party,
    PartyRole,
    ReferredTo,
    Risk,
    Session,
    Source,
    Status,
)
from mediation.services.common import SAVED, city_of, clock_for, event, fire, load, require_covers, set_clock
from mediation.services.notices import notify
from residents.models import Resident, Visit
from residents.services import access_log_record, resident_reveal

MAX_PARTIES = 20
MAX_MEDIATORS = 10


@dataclass(frozen=True)
class PartyInput:
    """A party named at registration: a registered resident, or an outside party by name and phone."""

    role: str
    resident: Resident | None = None
    name: str = ""
    phone: str = ""


def _clean_parties(actor, parties: Iterable[PartyInput]) -> list[Party]:
    parties = list(parties)
    if not parties:
        raise InvalidInput.field("parties", _("Name at least one party to the dispute."))
    if len(parties) > MAX_PARTIES:
        raise InvalidInput.field("parties", _("At most %(n)s parties.") % {"n": MAX_PARTIES})
    rows, seen = [], set()
    for party in parties:
        if party.role not in PartyRole.values:
            raise InvalidInput.field("parties", _("Unknown role of a party."))
        if party.resident is not None:
            # a neighbour of the next grid may be a party: the actor must see the resident
            require_covers(actor, party.resident.household.grid)
            if party.resident.pk in seen:
                raise InvalidInput.field("parties", _("A resident is named twice."))
            seen.add(party.resident.pk)
            rows.append(Party(role=party.role, resident=party.resident))
        else:
            name = inputs.required("parties", party.name, _("Give the name of each outside party."))[:64]
            rows.append(Party(role=party.role, name=name, phone=inputs.phone(party.phone, field="parties")))
    return rows


def case_register(
    *,
    actor,
    source: str,
    kind: str,
    description: str,
    parties: Iterable[PartyInput],
    grid: GridNode | None = None,
    visit: Visit | None = None,
    petition=None,
    registered_at: datetime.datetime | None = None,
) -> Case:
    """Register a dispute found on a visit, from a petition (the portal's flow), by a hotline
    call or a walk-in. A visit's or a petition's case is in its grid; one case per visit and
    per petition. The grading clock starts."""
    if source not in Source.values:
        raise InvalidInput.field("source", _("Unknown source."))
    if source == Source.VISIT:
        if visit is None:
            raise InvalidInput.field("visit", _("Name the visit the dispute was found on."))
        grid = visit.grid
    elif source == Source.PETITION:
        if petition is None:
            raise InvalidInput.field("petition", _("Name the petition the case comes from."))
        grid = petition.grid
    elif grid is None:
        raise InvalidInput.field("grid", _("Choose the grid of the dispute."))
    if source != Source.VISIT and visit is not None:
        raise InvalidInput.field("visit", _("Only a case found on a visit names a visit."))
    if source != Source.PETITION and petition is not None:
        raise InvalidInput.field("petition", _("Only a case from a petition names a petition."))
    require_covers(actor, grid)
    if grid.kind != NodeKind.GRID:
        raise InvalidInput.field("grid", _("A dispute belongs to a grid (level-3 node)."))
    if kind not in Kind.values:
        raise InvalidInput.field("kind", _("Unknown kind of dispute."))
    description = inputs.required("description", description)
    rows = _clean_parties(actor, parties)
    now = timezone.now()
    registered_at = registered_at or now
    if registered_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput.field("registered_at", _("A case cannot be registered in the future."))

    try:
        with transaction.atomic():
            case = Case(
                grid=grid,
                kind=kind,
                source=source,
                description=description,
                visit=visit,
                petition=petition,
                registered_at=registered_at,
                registered_by=access.recorded(actor),
            )
            set_clock(case, *clock.grading_clock(registered_at), now=now)
            case.save()
            for row in rows:
                row.case = case
            Party.objects.bulk_create(rows)
            event(case, actor=actor, action="register", before="", note=Source(source).label, at=now)
    except IntegrityError:
        field = "visit" if visit is not None else "petition"
        raise InvalidInput.field(field, _("A dispute case is already registered for it.")) from None
    return case


def _leading_above(grid: GridNode) -> list[int]:
    """The heads and officials of the grid's community and street (who hear of a high risk at once)."""
    return list(
        dict.fromkeys(
            access.posts_above(grid, kinds=[PostKind.HEAD, PostKind.OFFICIAL])
            .filter(node__kind__in=[NodeKind.COMMUNITY, NodeKind.STREET])
            .values_list("user_id", flat=True)
        )
    )


def case_grade(*, actor, case: Case, risk: str, reasons: str) -> Case:
    """Grade the risk (研判) with its reasons; grading again is allowed until an agreement.

    A high grade tells the community's and the street's heads and officials at once; the
    mediation clock runs from the first grading with the limit of the current risk."""
    require_covers(actor, case.grid)
    if risk not in Risk.values:
        raise InvalidInput.field("risk", _("Choose low, medium or high."))
    reasons = inputs.required("reasons", reasons, _("Give the reasons for the grade."))
    now = timezone.now()
    with transaction.atomic():
        case = load(case)
        before, was = case.status, case.risk
        if case.status == Status.REGISTERED:
            fire(case, "grade")
            case.graded_at = now
        elif case.status not in (Status.GRADED, Status.MEDIATING):
            raise InvalidInput.field("risk", _("The risk is graded before an agreement or referral."))
        case.risk, case.risk_reasons = risk, reasons
        set_clock(case, *clock_for(case, now=now), now=now)
        case.save(update_fields=[*SAVED, "risk", "risk_reasons", "graded_at"])
        event(case, actor=actor, action="grade", before=before, note=f"{Risk(risk).label}: {reasons}", at=now)
        if risk == Risk.HIGH and was != Risk.HIGH:
            notify(
                recipients=_leading_above(case.grid),
                kind=NoticeKind.HIGH_RISK,
                case=case,
                text=_("High-risk dispute #%(id)s in %(grid)s: %(reasons)s")
                % {"id": case.pk, "grid": case.grid.name, "reasons": reasons},
                dedupe=f"high:{case.pk}:{now.timestamp():.0f}",
                now=now,
            )
    return case


def _clean_mediators(mediators: Iterable[dict]) -> list[dict]:
    cleaned = []
    for mediator in list(mediators or []):
        kind = (mediator or {}).get("kind") if isinstance(mediator, dict) else None
        if kind not in MediatorKind.values:
            raise InvalidInput.field("mediators", _("Unknown kind of mediator."))
        name = inputs.required("mediators", mediator.get("name"), _("Give each mediator's name."))[:64]
        cleaned.append({"kind": kind, "name": name})
    if not cleaned:
        raise InvalidInput.field("mediators", _("Name who mediated."))
    if len(cleaned) > MAX_MEDIATORS:
        raise InvalidInput.field("mediators", _("At most %(n)s mediators.") % {"n": MAX_MEDIATORS})
    return cleaned


def session_record(
    *,
    actor,
    case: Case,
    mediators: Iterable[dict],
    summary: str,
    place: str = "",
    held_at: datetime.datetime | None = None,
) -> Session:
    """A mediation session: who mediated (grid worker, 调解员, 司法所), what was discussed and agreed."""
    require_covers(actor, case.grid)
    cleaned = _clean_mediators(mediators)
    summary = inputs.required("summary", summary)
    now = timezone.now()
    held_at = held_at or now
    if held_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput.field("held_at", _("A session cannot be in the future."))
    with transaction.atomic():
        case = load(case)
        if held_at < case.registered_at:
            raise InvalidInput.field("held_at", _("The session is before the case was registered."))
        before = fire(case, "mediate")
        case.save(update_fields=SAVED)
        session = Session.objects.create(
            case=case,
            held_at=held_at,
            place=(place or "").strip()[:100],
            mediators=cleaned,
            summary=summary,
            recorded_by=access.recorded(actor),
        )
        names = "、".join(m["name"] for m in cleaned)
        event(case, actor=actor, action="session", before=before, note=f"{names}: {summary}", at=now)
    return session


def agreement_record(
    *,
    actor,
    case: Case,
    terms: str,
    signatures: str,
    signed_on: datetime.date | None = None,
    follow_up_days: int = clock.DEFAULT_FOLLOW_UP_DAYS,
) -> Agreement:
    """The agreement (调解协议) reached in mediation: its terms and the signatures noted. The
    follow-up clock starts: it opens `follow_up_days` after signing."""
    require_covers(actor, case.grid)
    terms = inputs.required("terms", terms)
    signatures = inputs.required("signatures", signatures, _("Note who signed the agreement."))[:300]
    if (
        not isinstance(follow_up_days, int)
        or isinstance(follow_up_days, bool)
        or not 1 <= follow_up_days <= 365
    ):
        raise InvalidInput.field("follow_up_days", _("Follow up between 1 and 365 days after signing."))
    now = timezone.now()
    today = timezone.localdate(now)
    signed_on = signed_on or today
    if signed_on > today:
        raise InvalidInput.field("signed_on", _("The agreement cannot be signed in the future."))
    with transaction.atomic():
        case = load(case)
        last_session = case.sessions.order_by("-held_at").first()
        if case.status == Status.MEDIATING and last_session is None:  # defensive: mediating means a session
            raise InvalidInput.field("terms", _("Record the mediation session first."))
        if last_session is not None and signed_on < timezone.localdate(last_session.held_at):
            raise InvalidInput.field("signed_on", _("The agreement is signed before the session."))
        before = fire(case, "agree")
        opens, last = clock.follow_up_dates(signed_on, follow_up_days, city=city_of(case))
        agreement = Agreement.objects.create(
            case=case,
            terms=terms,
            signatures=signatures,
            signed_on=signed_on,
            follow_up_days=follow_up_days,
            follow_up_from=opens,
            follow_up_due=last,
            recorded_by=access.recorded(actor),
            created_at=now,
        )
        set_clock(case, *clock.follow_up_clock(opens, last), now=now)
        case.save(update_fields=SAVED)
        event(case, actor=actor, action="agreement", before=before, note=terms, at=now)
    return agreement


def case_refer(*, actor, case: Case, to: str, reason: str) -> Case:
    """Mediation failed: refer the case on (司法所, 派出所, 法院 诉调对接) with the reason. It ends here."""
    require_covers(actor, case.grid)
    if to not in ReferredTo.values:
        raise InvalidInput.field("to", _("Choose where the case is referred."))
    reason = inputs.required("reason", reason, _("Give the reason for the referral."))
    now = timezone.now()
    with transaction.atomic():
        case = load(case)
        before = fire(case, "refer")
        case.referred_to, case.referral_reason, case.concluded_at = to, reason, now
        set_clock(case, None, None, now=now)
        case.save(update_fields=[*SAVED, "referred_to", "referral_reason", "concluded_at"])
        event(
            case, actor=actor, action="refer", before=before, note=f"{ReferredTo(to).label}: {reason}", at=now
        )
    return case


def follow_up_record(
    *, actor, case: Case, holds: bool, notes: str = "", held_at: datetime.datetime | None = None
) -> FollowUp:
    """The follow-up (回访) of the latest agreement, once it is open. If the agreement holds the
    case is closed (settled); if not, mediation resumes."""
    require_covers(actor, case.grid)
    if not isinstance(holds, bool):
        raise InvalidInput.field("holds", _("Say whether the agreement holds."))
    notes = (notes or "").strip()
    if not holds and not notes:
        raise InvalidInput.field("notes", _("Say what no longer holds."))
    now = timezone.now()
    held_at = held_at or now
    if held_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput.field("held_at", _("A follow-up cannot be in the future."))
    with transaction.atomic():
        case = load(case)
        if case.status != Status.AGREED:
            fire(case, "close")  # the 409 of a wrong status
        agreement = case.agreements.order_by("-id").first()
        day = timezone.localdate(held_at)
        if day < agreement.follow_up_from:
            raise InvalidInput.field(
                "held_at",
                _("The follow-up is due from %(date)s, %(days)s days after signing.")
                % {"date": agreement.follow_up_from.isoformat(), "days": agreement.follow_up_days},
            )
        before = fire(case, "close" if holds else "reopen")
        follow_up = FollowUp.objects.create(
            case=case,
            agreement=agreement,
            held_at=held_at,
            holds=holds,
            notes=notes,
            on_time=day <= agreement.follow_up_due,
            recorded_by=access.recorded(actor),
        )
        if holds:
            case.concluded_at = now
            set_clock(case, None, None, now=now)
        else:  # mediation starts again, with a fresh limit for the current risk
            set_clock(case, *clock.mediation_clock(now, case.risk, city=city_of(case)), now=now)
        case.save(update_fields=[*SAVED, "concluded_at"])
        event(case, actor=actor, action="follow_up", before=before, note=notes, at=now)
    return follow_up


def party_reveal(*, actor, party: Party, request=None) -> dict:
    """A party's unmasked name and phone, with the access-log row: a resident's through the
    register (residents.services.resident_reveal), an outside party's logged the same way."""
    require_covers(actor, party.case.grid)
    if access.recorded(actor) is None:  # SYSTEM sees everything but reads nobody's data
        raise InvalidInput(_("Personal data is shown to a person, with a log row."))
    if party.resident_id:
        revealed = resident_reveal(actor=actor, resident=party.resident, fields=("phone",), request=request)
        return {"name": party.resident.name, "phone": revealed["phone"]}
    with transaction.atomic():
        access_log_record(actor=actor, subject=party, field="name,phone", request=request)
    return {"name": party.name, "phone": party.phone}
