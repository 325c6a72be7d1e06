"""研判 at verification: the urgency and the risks a verifier records, and the key person
(重点人群) of the residents register the petition involves.

The urgency shortens the handling deadline by the category's rules (petitions.timers.handle_due,
applied when the petition is classified and when it is reopened); an extra urgent (特急)
petition is told at once to the heads of its community and its street, once.

A judgement is revised (`petition_rejudge`) while the petition is open, by the field staff over
its grid, with the reason: what the verifier saw first is not always what the handler finds.
"""

from collections.abc import Iterable
from datetime import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from grids.models import PostKind
from hlgrid import inputs
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.ids import in_range
from petitions import timers
from petitions.models import RISK_FIELDS, NotificationKind, Petition, Risk, Status, Step, Urgency
from petitions.services.common import authorize, event, handle_deadline, load, save
from petitions.services.notifications import notify

# The statuses whose judgement may still be revised: verified and not yet closed. A resolved
# petition awaiting its callback is done with its deadline, but its risks still tell the caller.
REJUDGE_STATUSES = (Status.VERIFIED, Status.ESCALATED, Status.HANDLING, Status.PAUSED, Status.RESOLVED)


def clean_judgement(*, urgency: str, risks: Iterable[str]) -> tuple[str, set[str]]:
    """The urgency and the set of risks, or a clear error naming the field."""
    urgency = urgency or Urgency.NORMAL
    if urgency not in Urgency.values:
        raise InvalidInput.field("urgency", _("Choose ordinary, urgent or extra urgent."))
    if isinstance(risks, str):
        risks = [risks]
    chosen = set(risks or ())
    unknown = chosen - set(Risk.values)
    if unknown:
        raise InvalidInput.field("risks", _("Unknown risk: %(risk)s.") % {"risk": sorted(unknown)[0]})
    return urgency, chosen


def key_person_in_scope(*, actor, key_person) -> int | None:
    """The id of an active key person (residents.KeyMembership) the actor may see, or an error."""
    if key_person in (None, ""):
        return None
    try:
        pk = int(key_person)
    except (TypeError, ValueError):
        pk = 0
    if apps.is_installed("residents") and in_range(pk) and pk > 0:
        from residents.models import KeyMembership  # residents is optional for petitions

        found = access.scope_queryset(
            actor,
            KeyMembership.objects.filter(pk=pk, is_active=True),
            node_path="grid",
            post_kinds=access.RESIDENT_KINDS,
        ).exists()
        if found:
            return pk
    raise InvalidInput.field("key_person", _("No such key person in your area."))


def apply_judgement(petition: Petition, *, urgency: str, risks: set[str], key_person_id: int | None) -> list:
    """Write the judgement on the (locked) petition; a linked key person is a vulnerable one."""
    if key_person_id is not None:
        risks = {*risks, Risk.VULNERABLE}
    petition.urgency = urgency
    for risk, field in RISK_FIELDS.items():
        setattr(petition, field, risk in risks)
    petition.key_person_id = key_person_id
    return ["urgency", *RISK_FIELDS.values(), "key_person_id"]


def notify_critical(petition: Petition, *, now) -> int:
    """特急: the heads and officials of the petition's community and street hear of it at once."""
    if petition.urgency != Urgency.CRITICAL:
        return 0
    community = petition.grid.parent
    nodes = [community.pk, community.parent_id] if community is not None else []
    recipients = [
        user_id
        for node_id in nodes
        if node_id
        for user_id in access.users_at(node_id, kinds=[PostKind.HEAD, PostKind.OFFICIAL])
    ]
    return notify(
        recipients=recipients,
        kind=NotificationKind.CRITICAL,
        petition=petition,
        text=petition.description[:120],
        dedupe=f"critical:{petition.pk}",
        now=now,
    )


def judgement_text(petition: Petition) -> str:
    """The judgement as one line for the history (what it was, what it becomes)."""
    risks = [str(Risk(risk).label) for risk, field in RISK_FIELDS.items() if getattr(petition, field)]
    text = str(Urgency(petition.urgency).label)
    if risks:
        text += " · " + "、".join(risks)
    if petition.key_person_id:
        text += " · " + _("key person #%(id)d") % {"id": petition.key_person_id}
    return text


def petition_rejudge(
    *,
    actor,
    petition: Petition,
    reason: str,
    urgency: str = Urgency.NORMAL,
    risks: Iterable[str] = (),
    key_person: int | None = None,
    now: datetime | None = None,
) -> Petition:
    """Revise the judgement (研判) of a verified, open petition, with the reason.

    Being handled, its handling deadline is counted again from the step's start under the new
    urgency (a petition judged extra urgent a day in may be red at once; one judged ordinary
    again gets its working days back). Before classification the new urgency applies when it is
    classified; paused, when it resumes (its remaining time is kept). Raised to 特急, the heads
    of the community and the street are told, once per petition."""
    urgency, chosen = clean_judgement(urgency=urgency, risks=risks)
    reason = inputs.required("reason", reason, _("Give the reason for the new judgement."))
    now = now or timezone.now()
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff)
        if petition.status not in REJUDGE_STATUSES:
            raise TransitionNotAllowed(
                _("Only a verified petition that is still open has its judgement revised.")
            )
        key_person_id = key_person_in_scope(actor=actor, key_person=key_person)
        was, old_urgency = judgement_text(petition), petition.urgency
        fields = apply_judgement(petition, urgency=urgency, risks=chosen, key_person_id=key_person_id)
        if petition.status == Status.HANDLING and petition.step == Step.HANDLE and urgency != old_urgency:
            # The stored light is left to the sweep: turning red there records the Overdue row.
            due = handle_deadline(petition, petition.step_started_at)
            petition.due_at = petition.handle_due_at = due
            petition.warn_at = timers.warn_before(petition.step_started_at, due)
            fields += ["due_at", "handle_due_at", "warn_at"]
        save(petition, fields)
        note = f"{was} → {judgement_text(petition)}: {reason}"
        event(petition, actor=actor, action="rejudge", before=petition.status, note=note, at=now)
        if old_urgency != Urgency.CRITICAL:
            notify_critical(petition, now=now)
    return petition
