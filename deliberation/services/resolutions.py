"""Resolutions (决议): recorded for a passed vote with an owner and a deadline in working days,
tracked with the petitions' yellow/red light rule (hlgrid.lights), reported done by their
owner only, and published to the node's public board."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import policy
from deliberation.models import Resolution, ResolutionStatus, Vote, VoteResult, VoteStatus
from grids import access, cities
from hlgrid import inputs, workdays
from hlgrid.errors import InvalidInput, TransitionNotAllowed
from hlgrid.lights import light_at

MAX_DAYS = 250  # about a year of working days


def resolution_create(
    *,
    actor,
    vote: Vote,
    text: str,
    owner,
    working_days: int,
    now: datetime.datetime | None = None,
) -> Resolution:
    policy.require_leading(actor, vote.node)
    text = inputs.required("text", text)
    if len(text) > 4000:
        raise InvalidInput.field("text", _("A resolution has at most 4000 characters."))
    if (
        not isinstance(working_days, int)
        or isinstance(working_days, bool)
        or not 1 <= working_days <= MAX_DAYS
    ):
        raise InvalidInput.field("working_days", _("Give between 1 and 250 working days."))
    if (
        owner is None
        or not access.covers(owner, vote.node, kinds=policy.STAFF_KINDS)
        or owner is access.SYSTEM
    ):
        raise InvalidInput.field("owner", _("The owner holds a post over the node."))
    now = now or timezone.now()
    with transaction.atomic():
        vote = Vote.objects.select_for_update().get(pk=vote.pk)
        if vote.status != VoteStatus.CLOSED or vote.result != VoteResult.PASSED:
            raise TransitionNotAllowed(_("Only a passed vote has resolutions."))
        due_at = workdays.add_working_days(now, working_days, city=cities.city_id_of(vote.node))
        warn_at = workdays.warn_before(now, due_at)
        return Resolution.objects.create(
            node_id=vote.node_id,
            topic_id=vote.topic_id,
            vote=vote,
            text=text,
            owner=owner,
            due_at=due_at,
            warn_at=warn_at,
            light=light_at(due_at=due_at, warn_at=warn_at, now=now),
            light_changed_at=now,
            created_by=access.recorded(actor),
        )


def resolution_close(
    *, actor, resolution: Resolution, note: str, now: datetime.datetime | None = None
) -> Resolution:
    """The owner reports the resolution done, saying what was done."""
    policy.require_owner(actor, resolution)
    note = inputs.required("note", note)
    if len(note) > 4000:
        raise InvalidInput.field("note", _("A report has at most 4000 characters."))
    with transaction.atomic():
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if resolution.status != ResolutionStatus.OPEN:
            raise TransitionNotAllowed(_("This resolution is done already."))
        resolution.finish()
        resolution.done_at = now or timezone.now()
        resolution.done_note = note
        resolution.save(update_fields=["status", "done_at", "done_note"])
    return resolution


def resolution_publish(*, actor, resolution: Resolution, now: datetime.datetime | None = None) -> Resolution:
    """Publish to the node's public board (the front door's announcements); idempotent."""
    policy.require_leading(actor, resolution.node)
    with transaction.atomic():
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if resolution.published_at is None:
            resolution.published_at = now or timezone.now()
            resolution.save(update_fields=["published_at"])
    return resolution
