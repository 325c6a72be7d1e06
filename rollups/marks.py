"""One petition's contribution to the rollups: the single definition both the incremental
update and the nightly rebuild use.

`mark_of` turns a petition's columns (`MARK_SOURCE`) into its mark; `contributions` turns a
mark into the counts it adds to GridDay rows keyed (grid, day, category). The live figures of
the dashboards count, for a window of local days:
- received: petitions not in DRAFT whose received_at falls in it;
- resolved / on time / handling time: those whose resolved_at falls in it;
- closed / rated / satisfied / reworked: those CLOSED whose closed_at falls in it;
and the trends and the history count the same ratings by the day of resolution and of
receipt; the mark keeps the three days so each figure lands on its own day.
"""

import datetime
from collections import Counter, defaultdict

from django.utils import timezone

from petitions.models import Satisfaction, Status

MARK_SOURCE = (
    "pk",
    "grid_id",
    "category_id",
    "status",
    "received_at",
    "resolved_at",
    "closed_at",
    "resolved_on_time",
    "satisfaction",
    "rework_count",
)
Key = tuple[int, datetime.date, int]
Deltas = dict[Key, Counter]


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def mark_of(row: dict) -> dict:
    """The mark of a petition from its MARK_SOURCE columns (a dict as from .values())."""
    draft = row["status"] == Status.DRAFT
    # CLOSED counts for the ratings whatever closed_at holds; the closing day needs closed_at.
    closed = row["status"] == Status.CLOSED
    rated = closed and bool(row["satisfaction"])
    received_at = None if draft else row["received_at"]
    resolved_at = None if draft else row["resolved_at"]
    handling = None
    if resolved_at is not None and received_at is not None:
        handling = (resolved_at - received_at) // datetime.timedelta(microseconds=1)
    return {
        "petition_id": row["pk"],
        "grid_id": row["grid_id"],
        "category_id": row["category_id"] or 0,
        "received_on": local_day(received_at),
        "resolved_on": local_day(resolved_at),
        "closed_on": local_day(row["closed_at"]) if closed else None,
        "is_closed": closed,
        "resolved_known": not draft and row["resolved_on_time"] is not None,
        "on_time": not draft and row["resolved_on_time"] is True,
        "handling_us": handling,
        "rated": rated,
        "satisfied": rated and row["satisfaction"] == Satisfaction.SATISFIED,
        "reworked": closed and (row["rework_count"] or 0) > 0,
    }


def contributions(mark: dict | None) -> Deltas:
    """The counts a mark adds to GridDay, by (grid, day, category)."""
    out: Deltas = defaultdict(Counter)
    if not mark:
        return out
    grid, category = mark["grid_id"], mark["category_id"] or 0
    if mark["received_on"] is not None:
        counts = out[(grid, mark["received_on"], category)]
        counts["received"] += 1
        counts["rec_resolved"] += mark["resolved_known"]
        counts["rec_on_time"] += mark["on_time"]
        counts["rec_closed"] += mark["is_closed"]
        counts["rec_reworked"] += mark["reworked"]
        counts["rec_rated"] += mark["rated"]
        counts["rec_satisfied"] += mark["satisfied"]
    if mark["resolved_on"] is not None:
        counts = out[(grid, mark["resolved_on"], category)]
        counts["resolved"] += 1
        counts["on_time"] += mark["on_time"]
        if mark["handling_us"] is not None:
            counts["handled"] += 1
            counts["handling_us"] += mark["handling_us"]
        counts["res_rated"] += mark["rated"]
        counts["res_satisfied"] += mark["satisfied"]
    if mark["closed_on"] is not None:
        counts = out[(grid, mark["closed_on"], category)]
        counts["closed"] += 1
        counts["rated"] += mark["rated"]
        counts["satisfied"] += mark["satisfied"]
        counts["reworked"] += mark["reworked"]
    return out


def difference(new: Deltas, old: Deltas) -> Deltas:
    """new - old, keeping only the keys and measures that change."""
    out: Deltas = {}
    for key in set(new) | set(old):
        counts = Counter(new.get(key, {}))
        counts.subtract(old.get(key, {}))
        changed = Counter({measure: n for measure, n in counts.items() if n})
        if changed:
            out[key] = changed
    return out
