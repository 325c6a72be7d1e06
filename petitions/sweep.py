"""The light sweep: batched, claimed, and cheap when nothing changes.

One pass walks the open petitions in id order and picks, in SQL, those whose stored light
differs from what the clock says now; batches of BATCH_SIZE rows are each their own short
transaction that claims its rows with FOR UPDATE SKIP LOCKED, so two sweeps running at once
never both change (or notify for) the same row. Overdue rows and inbox notifications are
written per batch by INSERT ... SELECT with ON CONFLICT DO NOTHING against their unique
keys, so a repeated sweep writes nothing twice. On PostgreSQL a batch is ONE statement
(data-modifying CTEs: claim, update, insert; no id list travels through Python). No index
holds `light` or `light_changed_at`, so the light update can be a HOT update. hlgrid.sweeps
runs each sweeper under a lease (a row), so a second beat never starts a second pass.
E-mails go out after commit.
"""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, CharField, F, Q, Value, When

from grids import cities
from grids.models import GridNode, Post, PostKind
from hlgrid.lights import Light
from hlgrid.tasks import enqueue
from petitions.ladder import NEXT_RUNG, climb_cutoff
from petitions.models import (
    OPEN_STATUSES,
    CheckIn,
    IdempotencyKey,
    Notification,
    NotificationKind,
    Overdue,
    Petition,
    PetitionEvent,
    Rung,
    Step,
    Whistle,
    WhistleStatus,
)
from petitions.services.notifications import EMAIL_TASK, emails_enabled

IDEMPOTENCY_DAYS = 7


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _notification_insert(select_sql: str) -> str:
    columns = ", ".join(
        _q(c)
        for c in ("recipient_id", "kind", "petition_id", "whistle_id", "text", "dedupe_key", "created_at")
    )
    return f"INSERT INTO {_table(Notification)} ({columns}) {select_sql} ON CONFLICT DO NOTHING"


def _mail_waiting() -> bool:
    return Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="").exists()


def _cutoffs(now: datetime) -> dict[datetime, list[int] | None]:
    """{cutoff: the tree_ids of the cities it is of}, or {cutoff: None} when all cities agree."""
    trees_of: dict[datetime, list[int]] = {}
    for city, tree in cities.cities().values_list("id", "tree_id"):
        trees_of.setdefault(climb_cutoff(now, city=city), []).append(tree)
    if len(trees_of) <= 1:
        return {next(iter(trees_of), climb_cutoff(now, city=None)): None}
    return dict(trees_of)


def _climb(*, now: datetime, stamp) -> tuple[int, int]:
    """One rung up for every open red petition whose rung began an interval of working hours ago.

    The UPDATE is its own claim: a concurrent sweep re-reads the row after the lock and finds
    its rung started at this `now`, after the cutoff, so nothing climbs twice. A paused petition
    is not open, so its clock and its ladder both stand still.
    """
    P, G, PO, E = _table(Petition), _table(GridNode), _table(Post), _table(PetitionEvent)
    open_list = ", ".join(["%s"] * len(OPEN_STATUSES))
    whens = " ".join("WHEN %s THEN %s" for _ in NEXT_RUNG)
    climbed = 0
    for cutoff, trees in _cutoffs(now).items():
        # One UPDATE for the whole table when every city's calendar gives the same cutoff (the
        # usual case); else one per cutoff, over its cities' grids.
        where_city, city_params = "", []
        if trees is not None:
            where_city = (
                f"AND {_q('grid_id')} IN (SELECT g.id FROM {G} g WHERE g.{_q('tree_id')} IN "
                f"({', '.join(['%s'] * len(trees))})) "
            )
            city_params = list(trees)
        climbed += _execute(
            f"UPDATE {P} SET {_q('rung')} = CASE {_q('rung')} {whens} END, {_q('rung_changed_at')} = %s "
            f"WHERE {_q('light')} = %s AND {_q('status')} IN ({open_list}) AND {_q('rung')} <> %s "
            f"AND COALESCE({_q('rung_changed_at')}, {_q('light_changed_at')}) <= %s {where_city}",
            [
                *[value for pair in NEXT_RUNG.items() for value in pair],
                stamp,
                Light.RED,
                *OPEN_STATUSES,
                Rung.CITY,
                connection.ops.adapt_datetimefield_value(cutoff),
                *city_params,
            ],
        )
    if not climbed:
        return 0, 0
    mine = f"p.{_q('rung_changed_at')} = %s AND p.{_q('light')} = %s"
    event_columns = ", ".join(
        _q(c) for c in ("petition_id", "actor_id", "action", "from_status", "to_status", "note", "at")
    )
    _execute(
        f"INSERT INTO {E} ({event_columns}) SELECT p.id, NULL, %s, p.status, p.status, p.rung, %s "
        f"FROM {P} p WHERE {mine}",
        ["climb", stamp, stamp, Light.RED],
    )
    # The heads of the rung reached: the grid's parent for the community, its grandparent for
    # the street; the city's officials (city supervision) at the top. The key holds the rung,
    # so a level hears of it once.
    notified = _execute(
        _notification_insert(
            f"SELECT h.user_id, %s, p.id, NULL, '', "
            f"'climb:' || p.id || ':' || p.rung || ':' || h.user_id, %s "
            f"FROM {P} p JOIN {G} g ON g.id = p.grid_id JOIN {G} c ON c.id = g.parent_id "
            f"JOIN {G} s ON s.id = c.parent_id "
            f"JOIN {PO} h ON h.node_id = (CASE p.rung WHEN %s THEN c.id WHEN %s THEN s.id "
            f"ELSE s.parent_id END) AND h.kind = (CASE p.rung WHEN %s THEN %s ELSE %s END) "
            f"AND h.is_active = %s "
            f"WHERE {mine}"
        ),
        [
            NotificationKind.CLIMBED,
            stamp,
            Rung.COMMUNITY,
            Rung.STREET,
            Rung.CITY,
            PostKind.OFFICIAL,
            PostKind.HEAD,
            True,
            stamp,
            Light.RED,
        ],
    )
    return climbed, notified


BATCH_SIZE = 5000


def _id_filter(ids: list[int]) -> tuple[str, list]:
    """`p.id` among the batch's ids: one array parameter on PostgreSQL, a list elsewhere."""
    if connection.vendor == "postgresql":
        return "p.id = ANY(%s)", [ids]
    return f"p.id IN ({', '.join(['%s'] * len(ids))})", list(ids)


def _target_light(now: datetime) -> Case:
    """The light each open petition should show at `now` (NULL when its clock does not run).

    Red first: a row both past due and before its warning (never written by the services)
    ends red, as it did when the three corrections ran one after another.
    """
    return Case(
        When(due_at__lte=now, then=Value(Light.RED)),
        When(warn_at__gt=now, then=Value(Light.GREEN)),
        When(warn_at__lte=now, due_at__gt=now, then=Value(Light.YELLOW)),
        default=None,
        output_field=CharField(),
    )


def sweep(*, now: datetime, batch_size: int = BATCH_SIZE) -> dict:
    """Correct every open petition's light, in batches of `batch_size` rows.

    Each batch is its own short transaction: it claims its rows with FOR UPDATE SKIP LOCKED
    (rows a concurrent sweep or a user's edit holds are left to the next minute), walks the
    table in id order from where the last batch ended, rewrites the lights (a HOT update: no
    index holds the light) and writes that batch's overdue rows and notifications. A crash
    loses at most the batch in flight, which the next sweep redoes. On PostgreSQL a batch is
    one statement (`_batch_postgresql`); elsewhere a few (`_batch_generic`), with the same result.
    """
    counts: dict[str, int] = {"green": 0, "yellow": 0, "red": 0, "overdue": 0, "batches": 0}
    notified = 0
    batch = _batch_postgresql if connection.vendor == "postgresql" else _batch_generic
    last_id = 0
    while True:
        with transaction.atomic():
            claimed, last_id, done = batch(now=now, after=last_id, size=batch_size)
        if not claimed:
            break
        for key in ("green", "yellow", "red", "overdue"):
            counts[key] += done[key]
        notified += done["notified"]
        counts["batches"] += 1
        if claimed < batch_size:
            break
    return _sweep_rest(now=now, counts=counts, notified=notified)


def _batch_generic(*, now: datetime, after: int, size: int) -> tuple[int, int, dict]:
    """One batch in a few statements: claim, update per light, then the records of the changed rows."""
    done = {"green": 0, "yellow": 0, "red": 0, "overdue": 0, "notified": 0}
    rows = list(
        Petition.objects.filter(status__in=OPEN_STATUSES, pk__gt=after)
        .annotate(target=_target_light(now))
        .filter(target__isnull=False)
        .exclude(light=F("target"))
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", "target")[:size]
    )
    if not rows:
        return 0, after, done
    by_light: dict[str, list[int]] = {}
    for pk, target in rows:
        by_light.setdefault(target, []).append(pk)
    for light, ids in by_light.items():
        Petition.objects.filter(pk__in=ids).update(light=light, light_changed_at=now)
        done[LIGHT_KEYS[light]] += len(ids)
    if by_light.get(Light.YELLOW):
        done["notified"] += _yellow_notifications(by_light[Light.YELLOW], now)
    if by_light.get(Light.RED):
        overdue, red_notified = _red_records(by_light[Light.RED], now)
        done["overdue"] += overdue
        done["notified"] += red_notified
    return len(rows), rows[-1][0], done


LIGHT_KEYS = {Light.GREEN: "green", Light.YELLOW: "yellow", Light.RED: "red"}


def _batch_postgresql(*, now: datetime, after: int, size: int) -> tuple[int, int, dict]:
    """One batch as ONE statement: claim, update and write the records, set-based in SQL.

    Data-modifying CTEs: `claimed` locks the next `size` rows whose light is wrong (FOR UPDATE
    SKIP LOCKED), `changed` rewrites their lights and returns the rows as they now are, and
    the INSERT ... SELECT ... ON CONFLICT DO NOTHING below read the changed rows from it, so
    no id list travels between Python and the server. The same rules as `_batch_generic`.
    """
    P, PO, OV = _table(Petition), _table(Post), _table(Overdue)
    open_list = ", ".join(["%(open" + str(i) + ")s" for i in range(len(OPEN_STATUSES))])
    target = (
        "CASE WHEN p.due_at <= %(now)s THEN %(red)s WHEN p.warn_at > %(now)s THEN %(green)s "
        "WHEN p.warn_at <= %(now)s AND p.due_at > %(now)s THEN %(yellow)s END"
    )
    key = "':' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || "
    overdue_columns = ", ".join(
        _q(c) for c in ("petition_id", "step", "user_id", "department_id", "grid_id", "due_at", "recorded_at")
    )
    yellow_assignee = _notification_insert(
        f"SELECT p.assignee_id, %(k_yellow)s, p.id, NULL, '', 'yellow' || {key}p.assignee_id, %(now)s "
        f"FROM changed p WHERE p.light = %(yellow)s AND p.assignee_id IS NOT NULL"
    )
    yellow_department = _notification_insert(
        f"SELECT s.user_id, %(k_yellow)s, p.id, NULL, '', 'yellow' || {key}s.user_id, %(now)s "
        f"FROM changed p JOIN {PO} s ON s.department_id = p.department_id "
        f"AND s.kind = %(department)s AND s.is_active "
        f"WHERE p.light = %(yellow)s AND p.assignee_id IS NULL AND p.step = %(handle)s"
    )
    yellow_grid = _notification_insert(
        f"SELECT s.user_id, %(k_yellow)s, p.id, NULL, '', 'yellow' || {key}s.user_id, %(now)s "
        f"FROM changed p JOIN {PO} s ON s.node_id = p.grid_id AND s.kind = %(worker)s "
        f"AND s.is_active WHERE p.light = %(yellow)s AND p.assignee_id IS NULL "
        f"AND (p.step <> %(handle)s OR p.department_id IS NULL)"
    )
    # Nobody is told of the red itself: the ladder (`_climb`) tells the heads of each level it
    # climbs to (as `_red_records` does on the other databases).
    sql = f"""
        WITH claimed AS (
            SELECT p.id, {target} AS target FROM {P} p
            WHERE p.status IN ({open_list}) AND p.id > %(after)s
              AND ({target}) IS NOT NULL AND p.light <> ({target})
            ORDER BY p.id LIMIT %(size)s FOR UPDATE SKIP LOCKED
        ), changed AS (
            UPDATE {P} p SET {_q("light")} = c.target, {_q("light_changed_at")} = %(now)s
            FROM claimed c WHERE p.id = c.id
            RETURNING p.id, p.light, p.step, p.level, p.assignee_id, p.department_id, p.grid_id,
                      p.due_at
        ), overdue AS (
            INSERT INTO {OV} ({overdue_columns})
            SELECT p.id, p.step, p.assignee_id,
                   CASE WHEN p.step = %(handle)s AND p.assignee_id IS NULL THEN p.department_id END,
                   p.grid_id, p.due_at, %(now)s
            FROM changed p WHERE p.light = %(red)s AND p.due_at IS NOT NULL
            ON CONFLICT DO NOTHING RETURNING 1
        ), yellow_assignee AS ({yellow_assignee} RETURNING 1
        ), yellow_department AS ({yellow_department} RETURNING 1
        ), yellow_grid AS ({yellow_grid} RETURNING 1
        )
        SELECT (SELECT count(*) FROM claimed), (SELECT max(id) FROM claimed),
               (SELECT count(*) FROM changed WHERE light = %(green)s),
               (SELECT count(*) FROM changed WHERE light = %(yellow)s),
               (SELECT count(*) FROM changed WHERE light = %(red)s),
               (SELECT count(*) FROM overdue),
               (SELECT count(*) FROM yellow_assignee) + (SELECT count(*) FROM yellow_department)
               + (SELECT count(*) FROM yellow_grid)
    """
    params = {
        **{f"open{i}": status for i, status in enumerate(OPEN_STATUSES)},
        "now": now,
        "after": after,
        "size": size,
        "red": Light.RED,
        "yellow": Light.YELLOW,
        "green": Light.GREEN,
        "handle": Step.HANDLE,
        "k_yellow": NotificationKind.YELLOW,
        "department": PostKind.DEPARTMENT,
        "worker": PostKind.WORKER,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        claimed, last, green, yellow, red, overdue, notified = cursor.fetchone()
    done = {"green": green, "yellow": yellow, "red": red, "overdue": overdue, "notified": notified}
    return claimed, last or after, done


def _yellow_notifications(ids: list[int], now: datetime) -> int:
    stamp = connection.ops.adapt_datetimefield_value(now)
    P, PO = _table(Petition), _table(Post)
    changed, changed_params = _id_filter(ids)
    notified = 0
    # The handler: the assignee, or the staff of the department handling it.
    notified += _execute(
        _notification_insert(
            f"SELECT p.assignee_id, %s, p.id, NULL, '', "
            f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || p.assignee_id, %s "
            f"FROM {P} p WHERE p.light = %s AND {changed} AND p.assignee_id IS NOT NULL"
        ),
        [NotificationKind.YELLOW, stamp, Light.YELLOW, *changed_params],
    )
    notified += _execute(
        _notification_insert(
            f"SELECT s.user_id, %s, p.id, NULL, '', "
            f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || s.user_id, %s "
            f"FROM {P} p JOIN {PO} s ON s.department_id = p.department_id AND s.kind = %s "
            f"AND s.is_active = %s WHERE p.light = %s AND {changed} AND p.assignee_id IS NULL "
            f"AND p.step = %s"
        ),
        [
            NotificationKind.YELLOW,
            stamp,
            PostKind.DEPARTMENT,
            True,
            Light.YELLOW,
            *changed_params,
            Step.HANDLE,
        ],
    )
    # Nobody assigned (verify, classify, or no department): the grid's workers.
    notified += _execute(
        _notification_insert(
            f"SELECT s.user_id, %s, p.id, NULL, '', "
            f"'yellow:' || p.id || ':' || CAST(p.due_at AS VARCHAR(40)) || ':' || s.user_id, %s "
            f"FROM {P} p JOIN {PO} s ON s.node_id = p.grid_id AND s.kind = %s AND s.is_active = %s "
            f"WHERE p.light = %s AND {changed} AND p.assignee_id IS NULL "
            f"AND (p.step <> %s OR p.department_id IS NULL)"
        ),
        [
            NotificationKind.YELLOW,
            stamp,
            PostKind.WORKER,
            True,
            Light.YELLOW,
            *changed_params,
            Step.HANDLE,
        ],
    )
    return notified


def _red_records(ids: list[int], now: datetime) -> tuple[int, int]:
    """The batch's overdue rows; (overdue, notified). Nobody is told of the red itself: the
    ladder (`_climb`) tells the heads of each level it climbs to."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    P = _table(Petition)
    changed, changed_params = _id_filter(ids)
    notified = 0
    overdue_columns = ", ".join(
        _q(c)
        for c in (
            "petition_id",
            "step",
            "user_id",
            "department_id",
            "grid_id",
            "due_at",
            "recorded_at",
        )
    )
    overdue = _execute(
        f"INSERT INTO {_table(Overdue)} ({overdue_columns}) "
        # A department answers only for the handling it was given; a worker for its steps.
        f"SELECT p.id, p.step, p.assignee_id, "
        f"CASE WHEN p.step = %s AND p.assignee_id IS NULL THEN p.department_id END, "
        f"p.grid_id, p.due_at, %s "
        f"FROM {P} p WHERE p.light = %s AND {changed} AND p.due_at IS NOT NULL "
        f"ON CONFLICT DO NOTHING",
        [Step.HANDLE, stamp, Light.RED, *changed_params],
    )
    return overdue, notified


def _sweep_rest(*, now: datetime, counts: dict, notified: int) -> dict:
    stamp = connection.ops.adapt_datetimefield_value(now)
    C, W = _table(CheckIn), _table(Whistle)
    with transaction.atomic():
        # The ladder after the lights: a petition that turned red in this sweep starts its
        # first interval now; one red for longer climbs a rung.
        counts["climbed"], climb_notified = _climb(now=now, stamp=stamp)
        notified += climb_notified
        # Whistles: each summoned department's check-in has its own clock.
        pending = CheckIn.objects.filter(checked_in_at__isnull=True, whistle__status=WhistleStatus.OPEN)
        counts["checkin_yellow"] = pending.filter(
            Q(warn_at__lte=now, due_at__gt=now), light=Light.GREEN
        ).update(light=Light.YELLOW, light_changed_at=now)
        counts["checkin_red"] = (
            pending.filter(due_at__lte=now)
            .exclude(light=Light.RED)
            .update(light=Light.RED, light_changed_at=now)
        )
        if counts["checkin_red"]:
            notified += _execute(
                _notification_insert(
                    f"SELECT w.blown_by_id, %s, w.petition_id, w.id, '', "
                    f"'checkin-late:' || c.id || ':' || w.blown_by_id, %s "
                    f"FROM {C} c JOIN {W} w ON w.id = c.whistle_id "
                    f"WHERE c.light = %s AND c.{_q('light_changed_at')} = %s"
                ),
                [NotificationKind.CHECKIN_LATE, stamp, Light.RED, stamp],
            )
        counts["notified"] = notified
        # A retry comes within minutes; keys older than a week only take space.
        counts["idempotency_expired"] = IdempotencyKey.objects.filter(
            created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)
        ).delete()[0]
        # Also mail that waits from earlier: its task may have been lost while the broker was down.
        if emails_enabled() and (notified or _mail_waiting()):
            enqueue(EMAIL_TASK)
    return counts
