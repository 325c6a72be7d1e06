"""Every write to the rollups: increments after commit, the overdue catch-up, the rebuild.

- `petition_refresh(petition_id=)`: after a petition's change commits, read its row, compare
  its new mark with the stored one and add the difference to GridDay (one INSERT ... ON
  CONFLICT DO UPDATE with increments, so concurrent writers never lose a count). The mark row
  is locked first (FOR UPDATE; during a rebuild, which holds the tables, it waits), so two
  refreshes of one petition apply their differences one after the other.
- `fact_add(...)`: append-only facts (a return event, a visit) add their count.
- `overdue_catch_up(now=)`: a sweeper that counts the overdue rows written since its watermark.
- `rollup_rebuild(actor=)`: the nightly reconciliation (and the demo's one build): marks and
  GridDay recomputed set-based from the source rows; only the rows that differ are rewritten,
  and the number of corrected rows is returned.
"""

import datetime
import logging
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from grids import access
from hlgrid.bulk import bulk_insert
from hlgrid.errors import NotFound
from petitions.models import Overdue, Petition, PetitionEvent
from residents.models import Visit, VisitKind
from rollups.marks import MARK_SOURCE, Deltas, contributions, difference, mark_of
from rollups.models import MEASURES, GridDay, PetitionMark, Watermark

logger = logging.getLogger(__name__)
OVERDUE = "overdue"
MARK_FIELDS = [f.attname for f in PetitionMark._meta.fields]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _upsert_sql(deltas: Deltas, *, source: str = "VALUES") -> tuple[str, list]:
    """INSERT ... ON CONFLICT DO UPDATE that adds `deltas` to GridDay, and its parameters.

    `source` "VALUES" inserts the rows as given; "SELECT" takes them from a VALUES list
    selected only WHERE EXISTS (SELECT 1 FROM mark), a CTE the caller puts in front."""
    measures = sorted({measure for counts in deltas.values() for measure in counts})
    unknown = set(measures) - set(MEASURES)
    if unknown:
        raise ValueError(f"unknown measures {sorted(unknown)}")
    table, q = _table(GridDay), connection.ops.quote_name
    columns = ["grid_id", "day", "category_id", *measures]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    params: list = []
    for (grid, day, category), counts in sorted(deltas.items()):
        # a date object where the VALUES feed a SELECT (psycopg2 types it), else the adapted text
        params += [grid, day if source == "SELECT" else connection.ops.adapt_datefield_value(day), category]
        params += [counts.get(measure, 0) for measure in measures]
    sets = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in measures)
    # Every other measure column takes its default (0) on insert: list them explicitly,
    # since the table's defaults live in Django, not in the database.
    others = [m for m in MEASURES if m not in measures]
    if others:
        columns += others
        placeholders = placeholders[:-1] + ", " + ", ".join(["0"] * len(others)) + ")"
    rows = ", ".join([placeholders] * len(deltas))
    body = (
        f"VALUES {rows}"
        if source == "VALUES"
        else f"SELECT * FROM (VALUES {rows}) AS v WHERE EXISTS (SELECT 1 FROM mark)"
    )
    sql = (
        f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) {body}"
        f" ON CONFLICT ({q('grid_id')}, {q('day')}, {q('category_id')}) DO UPDATE SET {sets}"
    )
    return sql, params


def apply(deltas: Deltas) -> int:
    """Add `deltas` to GridDay in one statement (created rows start at 0). Returns the rows."""
    deltas = {key: counts for key, counts in deltas.items() if any(counts.values())}
    if not deltas:
        return 0
    sql, params = _upsert_sql(deltas)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return len(deltas)


def _mark_insert_sql(mark: dict) -> tuple[str, list]:
    """INSERT of a mark that does nothing when the petition has one already."""
    q = connection.ops.quote_name
    columns = list(mark)
    params = [
        connection.ops.adapt_datefield_value(value) if isinstance(value, datetime.date) else value
        for value in mark.values()
    ]
    sql = (
        f"INSERT INTO {_table(PetitionMark)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({q('petition_id')}) DO NOTHING"
    )
    return sql, params


def petition_created(*, mark: dict) -> int:
    """After the commit that created a petition: its first mark, and its counts added to
    GridDay, only if the petition has no mark yet (a refresh of a later change that ran first
    has counted the whole petition already; so has a rebuild). The mark is the one of the row
    as the creating transaction committed it (rollups.hooks). Returns the GridDay rows touched.

    On PostgreSQL one statement (the GridDay upsert selects only when the mark went in: a
    data-modifying CTE) whose commit does not wait for its WAL flush; elsewhere the
    mark's insert and, if it went in, the upsert."""
    deltas = {key: counts for key, counts in contributions(mark).items() if any(counts.values())}
    mark_sql, mark_params = _mark_insert_sql(mark)
    if connection.vendor == "postgresql" and deltas:
        upsert, params = _upsert_sql(deltas, source="SELECT")
        # Derived data that the nightly rebuild corrects (like any increment lost to a
        # failure): its commit need not wait for the disk, which the petition's own commit
        # has just waited for. Sent as one query, the two statements are one (implicit)
        # transaction, which SET LOCAL lasts for (PgBouncer's pooling): one round trip.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SET LOCAL synchronous_commit = off; WITH mark AS ({mark_sql} RETURNING 1) {upsert}",
                mark_params + params,
            )
            return len(deltas) if cursor.rowcount else 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(mark_sql, mark_params)
            inserted = cursor.rowcount
        return apply(deltas) if inserted else 0


def _lock_tables() -> None:
    """Hold the rollup tables against concurrent increments for the rest of the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table(GridDay)}, {_table(PetitionMark)} IN EXCLUSIVE MODE")


def _mark_dict(mark: PetitionMark | None) -> dict | None:
    return {name: getattr(mark, name) for name in MARK_FIELDS} if mark else None


def petition_refresh(*, petition_id: int) -> int:
    """Bring the rollups in line with one petition's current row. Returns the rows touched."""
    with transaction.atomic():
        stored = PetitionMark.objects.select_for_update().filter(petition_id=petition_id).first()
        row = Petition.objects.filter(pk=petition_id).values(*MARK_SOURCE).first()
        new = mark_of(row) if row else None
        old = _mark_dict(stored)
        if new == old:
            return 0
        touched = apply(difference(contributions(new), contributions(old)))
        if new is None:
            PetitionMark.objects.filter(petition_id=petition_id).delete()
        elif stored is None:
            # Two first refreshes of one new petition: the second waits on the primary key
            # and then finds the row, so it must not insert again.
            PetitionMark.objects.bulk_create([PetitionMark(**new)], ignore_conflicts=True)
        else:
            PetitionMark.objects.filter(petition_id=petition_id).update(
                **{k: v for k, v in new.items() if k != "petition_id"}
            )
        return touched


def fact_add(*, grid_id: int, day: datetime.date, category_id: int | None = None, **counts: int) -> int:
    """Add append-only counts (returned, visits, key_visits) for one grid and day."""
    return apply({(grid_id, day, category_id or 0): Counter(counts)})


def _overdue_rows(queryset) -> Deltas:
    out: Deltas = defaultdict(Counter)
    rows = (
        queryset.annotate(d=TruncDate("due_at", tzinfo=timezone.get_default_timezone()))
        .values("grid_id", "d", c=Coalesce("petition__category_id", 0))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        out[(row["grid_id"], row["d"], row["c"])]["overdue"] += row["n"]
    return out


def overdue_catch_up(*, now: datetime.datetime) -> dict:
    """Sweeper: count the overdue rows the petitions' sweep wrote since the last catch-up."""
    with transaction.atomic():
        Watermark.objects.get_or_create(name=OVERDUE)
        mark = Watermark.objects.select_for_update().get(name=OVERDUE)
        top = Overdue.objects.filter(pk__gt=mark.last_id).aggregate(top=Max("pk"))["top"]
        if top is None:
            return {"overdue": 0}
        rows = Overdue.objects.filter(pk__gt=mark.last_id, pk__lte=top)
        deltas = _overdue_rows(rows)
        apply(deltas)
        Watermark.objects.filter(name=OVERDUE).update(last_id=top)
    return {"overdue": sum(c["overdue"] for c in deltas.values())}


# --- the set-based rebuild ---------------------------------------------------------------
def _truth() -> dict[tuple, Counter]:
    """Every GridDay row as the source rows give it (grouped queries, merged by key)."""
    tz = timezone.get_default_timezone()
    out: dict[tuple, Counter] = defaultdict(Counter)
    marks = PetitionMark.objects.order_by()
    grouped = {
        "received_on": {
            "received": Count("pk"),
            "rec_resolved": Count("pk", filter=Q(resolved_known=True)),
            "rec_on_time": Count("pk", filter=Q(on_time=True)),
            "rec_closed": Count("pk", filter=Q(is_closed=True)),
            "rec_reworked": Count("pk", filter=Q(reworked=True)),
            "rec_rated": Count("pk", filter=Q(rated=True)),
            "rec_satisfied": Count("pk", filter=Q(satisfied=True)),
        },
        "resolved_on": {
            "resolved": Count("pk"),
            "on_time": Count("pk", filter=Q(on_time=True)),
            "handled": Count("handling_us"),
            "handling_us": Coalesce(Sum("handling_us"), 0),
            "res_rated": Count("pk", filter=Q(rated=True)),
            "res_satisfied": Count("pk", filter=Q(satisfied=True)),
        },
        "closed_on": {
            "closed": Count("pk"),
            "rated": Count("pk", filter=Q(rated=True)),
            "satisfied": Count("pk", filter=Q(satisfied=True)),
            "reworked": Count("pk", filter=Q(reworked=True)),
        },
    }
    for day_field, aggregates in grouped.items():
        rows = (
            marks.filter(**{f"{day_field}__isnull": False})
            .values("grid_id", "category_id", d=F(day_field))
            .annotate(**aggregates)
        )
        for row in rows:
            counts = out[(row["grid_id"], row["d"], row["category_id"])]
            for measure in aggregates:
                counts[measure] += row[measure]
    returns = (
        PetitionEvent.objects.filter(action="return")
        .annotate(d=TruncDate("at", tzinfo=tz))
        .values("d", g=F("petition__grid_id"), c=Coalesce("petition__category_id", 0))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in returns:
        out[(row["g"], row["d"], row["c"])]["returned"] += row["n"]
    for key, counts in _overdue_rows(Overdue.objects.all()).items():
        out[key].update(counts)
    visits = (
        Visit.objects.annotate(d=TruncDate("visited_at", tzinfo=tz))
        .values("grid_id", "d")
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(kind=VisitKind.KEY_PERSON)))
        .order_by()
    )
    for row in visits:
        counts = out[(row["grid_id"], row["d"], 0)]
        counts["visits"] += row["n"]
        counts["key_visits"] += row["k"]
    return out


def _rebuild_marks() -> int:
    """Recompute every petition's mark; returns the number of marks that were wrong."""
    stored = {row["petition_id"]: row for row in PetitionMark.objects.values(*MARK_FIELDS).iterator(5000)}
    fresh: list[PetitionMark] = []
    wrong = 0
    for row in Petition.objects.order_by().values(*MARK_SOURCE).iterator(5000):
        mark = mark_of(row)
        old = stored.pop(mark["petition_id"], None)
        if old != mark:
            wrong += old is not None
            fresh.append(PetitionMark(**mark))
    gone = list(stored)
    wrong += len(gone)
    changed = [m.petition_id for m in fresh]
    for start in range(0, len(gone), 5000):
        PetitionMark.objects.filter(petition_id__in=gone[start : start + 5000]).delete()
    for start in range(0, len(changed), 5000):
        PetitionMark.objects.filter(petition_id__in=changed[start : start + 5000]).delete()
    bulk_insert(fresh)
    return wrong


def rollup_rebuild(*, actor) -> dict:
    """Recompute the marks and every GridDay row from the source; rewrite what differs.

    Returns {"marks": wrong marks corrected, "rows": GridDay rows written or removed}."""
    if actor is None or not access.is_system(actor) and not getattr(actor, "is_superuser", False):
        raise NotFound()
    with transaction.atomic():
        _lock_tables()
        marks_wrong = _rebuild_marks()
        truth = _truth()
        top = Overdue.objects.aggregate(top=Max("pk"))["top"] or 0
        Watermark.objects.update_or_create(name=OVERDUE, defaults={"last_id": top})
        stored = {
            (row["grid_id"], row["day"], row["category_id"]): row
            for row in GridDay.objects.values("pk", "grid_id", "day", "category_id", *MEASURES).iterator(5000)
        }
        wrong_ids, fresh = [], []
        for key, counts in truth.items():
            if not any(counts.values()):
                continue
            row = stored.pop(key, None)
            if row is not None and all(row[m] == counts.get(m, 0) for m in MEASURES):
                continue
            if row is not None:
                wrong_ids.append(row["pk"])
            fresh.append(GridDay(grid_id=key[0], day=key[1], category_id=key[2], **counts))
        # Rows left are in no source any more; those all at zero (every count taken back by
        # increments) are tidied away without counting as drift.
        extra = [row for row in stored.values() if any(row[m] for m in MEASURES)]
        wrong_ids += [row["pk"] for row in stored.values()]
        for start in range(0, len(wrong_ids), 5000):
            GridDay.objects.filter(pk__in=wrong_ids[start : start + 5000]).delete()
        bulk_insert(fresh)
    corrected = {"marks": marks_wrong, "rows": len(fresh) + len(extra)}
    logger.info("rollups rebuilt: %s", corrected)
    return corrected
