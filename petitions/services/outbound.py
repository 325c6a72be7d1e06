"""Residents' and workers' text messages (hlgrid.notifier), on the petition events.

Registered in PetitionsConfig.ready() as the event listener "notifier": inside the
transaction of every PetitionEvent it records the SMS the event calls for, for the reporter
(Petition.reporter_notify with a phone) and every joiner who asked (PetitionJoin.reporter_notify):

- intake: "received, your tracking code is X" (a joiner gets it on joining, from the "join"
  event whose note is the joiner's code: `joiner_welcome`);
- resolve: "resolved: please rate" with the absolute link to the tracking page;
- close, reject, merge: the result.

The reporters of duplicates merged into a petition follow it: they hear of its resolution and
its close too. Each message has a dedupe key per event and recipient, so a repeat sends
nothing. The texts are in the site's default language (Chinese).

`red_lights_notify` is the morning message to each worker with red petitions (Celery beat).
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grids import access, cities
from grids.models import Post, PostKind
from hlgrid import workdays
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.models import User
from hlgrid.notifier.models import Channel, Purpose
from hlgrid.notifier.services import delivery_queue, public_url
from petitions.models import OPEN_STATUSES, Petition, PetitionJoin
from petitions.services.common import require_actor

REASON_MAX = 60


def track_link(code: str) -> str:
    return public_url(reverse("petitions:track", args=[code]))


def _recipients(petition: Petition, *, merged: bool) -> list[tuple[str, str]]:
    """(tracking code, phone) of everyone following `petition` by SMS (and its merged
    duplicates' reporters and joiners with `merged`): at most four queries."""
    found: list[tuple[str, str]] = []
    if petition.reporter_notify and petition.reporter_phone:
        found.append((petition.tracking_code, petition.reporter_phone))
    joins = PetitionJoin.objects.filter(petition=petition, reporter_notify=True).exclude(
        reporter_phone_hash=""
    )
    found += [(j.tracking_code, j.reporter_phone) for j in joins.order_by("pk")]
    if merged:
        children = Petition.objects.filter(merged_into=petition, reporter_notify=True).exclude(
            reporter_phone_hash=""
        )
        found += [(c.tracking_code, c.reporter_phone) for c in children.order_by("pk")]
        child_joins = PetitionJoin.objects.filter(
            petition__merged_into=petition, reporter_notify=True
        ).exclude(reporter_phone_hash="")
        found += [(j.tracking_code, j.reporter_phone) for j in child_joins.order_by("pk")]
    return found


def _text(action: str, petition: Petition, code: str) -> tuple[str, str] | None:
    """(purpose, text) of the message an event sends to the holder of `code`."""
    link = track_link(code)
    if action == "intake":
        return Purpose.TRACKING_CODE, _(
            "Your report was received. Tracking code %(code)s; follow it at %(link)s"
        ) % {"code": code, "link": link}
    if action == "resolve":
        return Purpose.RESOLVED_RATE, _(
            "Your report %(code)s has been resolved. Please rate the result: %(link)s"
        ) % {"code": code, "link": link}
    if action == "close":
        return Purpose.RESULT, _("Your report %(code)s is finished. Thank you. Details: %(link)s") % {
            "code": code,
            "link": link,
        }
    if action == "reject":
        reason = (petition.reject_reason or "").strip()
        if len(reason) > REASON_MAX:
            reason = reason[: REASON_MAX - 1] + "…"
        return Purpose.RESULT, _("Your report %(code)s was not taken up: %(reason)s. Details: %(link)s") % {
            "code": code,
            "reason": reason,
            "link": link,
        }
    if action == "merge":
        parent = petition.merged_into.tracking_code if petition.merged_into_id else ""
        return Purpose.RESULT, _(
            "Your report %(code)s is handled together with the same problem %(parent)s. Follow it at %(link)s"
        ) % {"code": code, "parent": parent, "link": link}
    return None


# Which events message whom: the action → whether the merged duplicates' followers hear of it.
ACTIONS = {"intake": False, "resolve": True, "close": True, "reject": False, "merge": False}


def on_petition_event(petition: Petition, event) -> int:
    """The listener: record the messages of one event (in its transaction); how many."""
    if event.action == "join":
        join = PetitionJoin.objects.filter(petition=petition, tracking_code=event.note).first()
        return 1 if join is not None and joiner_welcome(join) else 0
    if event.action not in ACTIONS:
        return 0
    if event.action == "intake" and petition.reporter_notify and petition.reporter_phone:
        recipients = [(petition.tracking_code, petition.reporter_phone)]  # the joiners came later
    elif event.action == "intake":
        return 0
    else:
        recipients = _recipients(petition, merged=ACTIONS[event.action])
    # The intake message once per petition (a draft submitted is its intake); others once per event.
    scope = "tracking" if event.action == "intake" else f"{event.action}:{event.pk}"
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for code, phone in recipients:
            composed = _text(event.action, petition, code)
            if composed is None:
                continue
            purpose, text = composed
            if _queue(phone, text, purpose, dedupe=f"petition:{petition.pk}:{scope}:{code}", node=petition):
                sent += 1
    return sent


def joiner_welcome(join: PetitionJoin) -> bool:
    """A joiner who asked for SMS gets their own tracking code (call it in the join's transaction)."""
    if not (join.reporter_notify and join.reporter_phone):
        return False
    petition = join.petition
    with translation.override(settings.LANGUAGE_CODE):
        purpose, text = _text("intake", petition, join.tracking_code)
        return _queue(join.reporter_phone, text, purpose, dedupe=f"join:{join.pk}:tracking", node=petition)


def _queue(phone: str, text: str, purpose: str, *, dedupe: str, node: Petition) -> bool:
    try:
        delivery_queue(
            channel=Channel.SMS,
            address=phone,
            text=text,
            purpose=purpose,
            dedupe=dedupe,
            node_id=node.grid_id,
        )
    except InvalidInput:
        return False  # a landline or a number the SMS channel cannot take: nothing to send
    return True


def red_lights_notify(*, actor, now: datetime | None = None) -> int:
    """Each working-day morning: one SMS to each worker with a phone and red petitions, theirs
    (assigned to them) or their grid's (not assigned yet); once per worker and day. Work of
    the scheduled task (SYSTEM); a fixed number of queries."""
    require_actor(actor)
    if not (access.is_system(actor) or actor.is_superuser):
        raise NotFound()
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Each city's own calendar: where today is a day off, its workers hear nothing this morning.
    working = [
        tree
        for city, tree in cities.cities().values_list("id", "tree_id")
        if workdays.is_working_day(today, city=city)
    ]
    if not working:
        return 0
    red = Petition.objects.filter(status__in=OPEN_STATUSES, due_at__lte=now, grid__tree_id__in=working)
    counts: dict[int, int] = defaultdict(int)
    grid_of: dict[int, int] = {}
    for row in (
        red.filter(assignee__isnull=False).values("assignee_id").annotate(n=Count("id"), grid=Min("grid_id"))
    ):
        counts[row["assignee_id"]] += row["n"]
        grid_of[row["assignee_id"]] = row["grid"]
    unassigned = {
        row["grid_id"]: row["n"]
        for row in red.filter(assignee__isnull=True).values("grid_id").annotate(n=Count("id"))
    }
    if unassigned:
        for post in Post.objects.filter(
            kind=PostKind.WORKER, is_active=True, node_id__in=list(unassigned)
        ).values("user_id", "node_id"):
            counts[post["user_id"]] += unassigned[post["node_id"]]
            grid_of.setdefault(post["user_id"], post["node_id"])
    if not counts:
        return 0
    link = public_url(reverse("petitions:inbox"))
    sent = 0
    phones = (
        User.objects.filter(pk__in=list(counts), is_active=True).exclude(phone="").values_list("pk", "phone")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, phone in phones:
            n = counts[user_id]
            text = ngettext(
                "Red lights today: %(n)d petition is overdue. Please handle it: %(link)s",
                "Red lights today: %(n)d petitions are overdue. Please handle them: %(link)s",
                n,
            ) % {"n": n, "link": link}
            try:
                delivery_queue(
                    channel=Channel.SMS,
                    address=phone,
                    text=text,
                    purpose=Purpose.RED_LIGHTS,
                    dedupe=f"red-lights:{user_id}:{today:%Y-%m-%d}",
                    node_id=grid_of.get(user_id),
                    label="",
                    now=now,
                )
            except InvalidInput:
                continue
            sent += 1
    return sent
