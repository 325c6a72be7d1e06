"""Generating and publishing bulletins (定期通报).

`bulletin_generate` takes the snapshot of one node's finished week or month, stores it and
publishes it: in the same transaction every recipient gets one message through the notifier
(the grid heads of a street and the street's Party working committee secretary; for the city,
every street's secretary), keyed per bulletin and recipient so nobody gets it twice. Generating
a bulletin that exists answers the stored one, unchanged (idempotent per node, kind, period);
two concurrent generations meet at the unique constraint and both answer the first.

`bulletins_generate_due` is what Celery beat runs: the last finished period, for the city and
every street.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bulletins.models import Bulletin, Kind
from bulletins.sections import Scope, build_all
from evaluation.recipients import street_recipients
from grids import access
from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.errors import InvalidInput
from hlgrid.models import User
from hlgrid.notifier.models import Channel, Purpose
from hlgrid.notifier.services import delivery_queue, public_url

logger = logging.getLogger(__name__)

# Who may generate a bulletin on demand: a head or an official over the node (or an admin).
GENERATING_KINDS = frozenset({PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN})
BULLETIN_NODE_KINDS = (NodeKind.CITY, NodeKind.STREET)


def period_of(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The week (Monday to Sunday) or the calendar month that holds `day`."""
    if kind == Kind.WEEK:
        first = day - datetime.timedelta(days=day.weekday())
        return first, first + datetime.timedelta(days=6)
    if kind == Kind.MONTH:
        first = day.replace(day=1)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        return first, following - datetime.timedelta(days=1)
    raise InvalidInput.field("kind", _("Choose a weekly or a monthly bulletin."))


def last_finished(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last week or month that ended before `today`."""
    first, _last = period_of(kind, today)
    return period_of(kind, first - datetime.timedelta(days=1))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def snapshot(*, node: GridNode, kind: str, first_day: datetime.date, last_day: datetime.date, now) -> dict:
    """Every section's table for the node and period, as plain JSON (no write)."""
    start, end = _midnight(first_day), _midnight(last_day + datetime.timedelta(days=1))
    scope = Scope(
        node=node,
        kind=kind,
        first_day=first_day,
        last_day=last_day,
        start=start,
        end=end,
        as_of=min(now, end),
    )
    return {
        "node": {"id": node.pk, "code": node.code, "name": node.name, "kind": node.kind},
        "kind": kind,
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
        "as_of": scope.as_of.isoformat(),
        "sections": build_all(scope),
    }


def _check(actor, node: GridNode, kind: str) -> None:
    if actor is None:
        raise InvalidInput(_("No actor."))
    if not access.is_system(actor):
        access.require_post(actor, node, kinds=GENERATING_KINDS)
    if node.kind not in BULLETIN_NODE_KINDS:
        raise InvalidInput.field("node", _("Bulletins are made for a street or the city."))
    if kind not in Kind.values:
        raise InvalidInput.field("kind", _("Choose a weekly or a monthly bulletin."))


def bulletin_generate(
    *,
    actor,
    node: GridNode,
    kind: str,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Bulletin:
    """The bulletin of `node` for the week or month holding `day` (default: the last finished
    one), generated and published if it does not exist yet, else the stored one unchanged."""
    _check(actor, node, kind)
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day, last_day = period_of(kind, day) if day else last_finished(kind, today)
    if last_day >= today:
        raise InvalidInput.field("day", _("A bulletin covers a week or a month that has ended."))
    existing = Bulletin.objects.filter(node=node, kind=kind, first_day=first_day).first()
    if existing is not None:
        return existing
    figures = snapshot(node=node, kind=kind, first_day=first_day, last_day=last_day, now=now)
    try:
        with transaction.atomic():
            bulletin = Bulletin.objects.create(
                node=node,
                kind=kind,
                first_day=first_day,
                last_day=last_day,
                figures=figures,
                generated_at=now,
                generated_by=access.recorded(actor),
                published_at=now,
            )
            bulletin.recipients = notify(bulletin, now=now)
            bulletin.save(update_fields=["recipients"])
    except IntegrityError:
        existing = Bulletin.objects.filter(node=node, kind=kind, first_day=first_day).first()
        if existing is None:
            raise
        return existing
    return bulletin


def bulletins_generate_due(*, actor, kind: str, now: datetime.datetime | None = None) -> list[Bulletin]:
    """The last finished week's or month's bulletins of the city and of every street (beat)."""
    now = now or timezone.now()
    nodes = GridNode.objects.filter(kind__in=BULLETIN_NODE_KINDS).defer("boundary").order_by("tree_id", "lft")
    done = []
    for node in nodes:
        done.append(bulletin_generate(actor=actor, node=node, kind=kind, now=now))
    return done


# --- publication ------------------------------------------------------------------------------


def recipients(node: GridNode) -> list[tuple[int, int]]:
    """(user id, node id) of who receives the node's bulletin: for a street its grid heads and
    its Party working committee secretary; for the city every street's secretary."""
    streets = list(
        GridNode.objects.filter(
            kind=NodeKind.STREET, tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght
        ).values_list("pk", flat=True)
    )
    found = [(user_id, street_id) for street_id, user_id in street_recipients(streets).items()]
    if node.kind == NodeKind.STREET:
        heads = Post.objects.filter(
            kind=PostKind.HEAD,
            is_active=True,
            node__kind=NodeKind.GRID,
            node__tree_id=node.tree_id,
            node__lft__gt=node.lft,
            node__rght__lt=node.rght,
        ).values_list("user_id", "node_id")
        found += list(heads)
    seen, unique = set(), []
    for user_id, node_id in found:
        if user_id not in seen:
            seen.add(user_id)
            unique.append((user_id, node_id))
    return unique


def message(bulletin: Bulletin) -> str:
    headline = next((s for s in bulletin.figures.get("sections", []) if s["key"] == "headline"), None)
    figures = {row[0]: row[1] for row in headline["rows"]} if headline else {}
    kind = _("weekly bulletin") if bulletin.kind == Kind.WEEK else _("monthly bulletin")
    return _(
        "【%(node)s %(kind)s %(first)s–%(last)s】Received %(received)s, on time %(on_time)s%%, "
        "red lights %(red)s. Read it on the platform: %(link)s"
    ) % {
        "node": bulletin.figures.get("node", {}).get("name", ""),
        "kind": kind,
        "first": bulletin.first_day.isoformat(),
        "last": bulletin.last_day.isoformat(),
        "received": figures.get("Petitions received", 0),
        "on_time": "—" if figures.get("Resolved on time (%)") is None else figures["Resolved on time (%)"],
        "red": figures.get("Red lights at the snapshot", 0),
        "link": public_url(reverse("bulletins:archive")),
    }


def notify(bulletin: Bulletin, *, now) -> int:
    """Queue one SMS per recipient with a phone (in the caller's transaction); the count queued."""
    wanted = recipients(bulletin.node)
    phones = dict(
        User.objects.filter(pk__in=[user_id for user_id, _node in wanted], is_active=True)
        .exclude(phone="")
        .values_list("pk", "phone")
    )
    with translation.override(settings.LANGUAGE_CODE):
        text = message(bulletin)
    queued = 0
    for user_id, node_id in wanted:
        phone = phones.get(user_id)
        if not phone:
            continue
        try:
            delivery_queue(
                channel=Channel.SMS,
                address=phone,
                text=text,
                purpose=Purpose.RESULT,
                dedupe=f"bulletin:{bulletin.pk}:user:{user_id}",
                node_id=node_id,
                now=now,
            )
        except InvalidInput:
            logger.info("bulletin %s: no message to user %s (address refused)", bulletin.pk, user_id)
            continue
        queued += 1
    return queued
