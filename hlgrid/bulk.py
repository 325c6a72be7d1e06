"""Large inserts through PostgreSQL's COPY: `bulk_insert` is `bulk_create` for many rows.

`QuerySet.bulk_create` spends most of its time in Python turning every value through the
field's preparation chain and in the server parsing one huge VALUES statement; at the demo's
size (a third of a million rows) that was most of the load. COPY streams the rows as text:
the values are formatted here in one pass, the ids are drawn from the table's sequence in one
query and set on the objects (as bulk_create does), and the server does no statement parsing.

The same contract as `bulk_create(objs, batch_size=...)` without its options: no signals,
objects come back with their primary keys and marked saved. Other databases, models with a
parent table and batches holding a value this module cannot write as COPY text go through
`bulk_create` unchanged.
"""

from __future__ import annotations

import datetime
import decimal
import io
import uuid
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone

# Field classes whose stored value is the attribute itself (after the type checks in _text);
# any other field, subclasses included (an encrypted text field is a TextField), is prepared by
# its own get_db_prep_save. Matched by exact class for that reason.
_PLAIN_FIELDS = {
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.FloatField,
    models.DecimalField,
    models.DateTimeField,
    models.DateField,
    models.DurationField,
    models.UUIDField,
    models.ForeignKey,
    models.OneToOneField,
}

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _NotCopyable(Exception):
    """A value this module cannot write as COPY text; the batch goes through bulk_create."""


def _text(value, field) -> str:
    """One value in COPY's text format (NULL is \\N)."""
    # The common types by exact class first (a third of a million rows pass through here).
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            raise _NotCopyable(field.name)  # a datetime in a date column: Django's own rules
        if settings.USE_TZ and timezone.is_naive(value):
            raise _NotCopyable(field.name)  # Django warns and assumes the default zone
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return "\\\\x" + bytes(value).hex()
    raise _NotCopyable(field.name)


def _copy_fields(model) -> list[models.Field] | None:
    """The columns COPY writes, or None when the model cannot go through COPY."""
    opts = model._meta
    if opts.parents:
        return None
    fields = [f for f in opts.concrete_fields if not f.generated]
    if any(f.db_default is not models.NOT_PROVIDED for f in fields):
        return None
    return fields


def bulk_insert(objs: Iterable[models.Model], *, batch_size: int = 10000) -> list[models.Model]:
    """Insert `objs` (all of one model), as `bulk_create` would, through COPY on PostgreSQL."""
    objs = list(objs)
    if not objs:
        return objs
    model = objs[0]._meta.concrete_model
    db = router.db_for_write(model)
    connection = connections[db]
    fields = _copy_fields(model) if connection.vendor == "postgresql" else None
    if fields is None:
        return model._base_manager.using(db).bulk_create(objs, batch_size=batch_size)
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        try:
            _copy_batch(connection, model, fields, batch)
        except _NotCopyable:
            model._base_manager.using(db).bulk_create(batch)
    return objs


def _copy_batch(connection, model, fields: Sequence[models.Field], batch: list[models.Model]) -> None:
    opts = model._meta
    pk = opts.pk
    missing = [obj for obj in batch if obj.pk is None]
    if missing and not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        raise _NotCopyable(pk.name)  # no sequence to draw from
    # Everything that can refuse the batch runs before anything is written or drawn.
    for obj in batch:
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    custom = {id(f) for f in fields if type(f) not in _PLAIN_FIELDS}
    columns = [f for f in fields if f is not pk]
    rows = []
    for obj in batch:
        for field in auto:
            field.pre_save(obj, add=True)
        rows.append(
            [
                _text(
                    field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                    if id(field) in custom
                    else getattr(obj, field.attname),
                    field,
                )
                for field in columns
            ]
        )

    table = connection.ops.quote_name(opts.db_table)
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(missing)],
            )
            for obj, (new_id,) in zip(missing, cursor.fetchall(), strict=True):
                obj.pk = new_id
        buffer = io.StringIO()
        for obj, row in zip(batch, rows, strict=True):
            buffer.write(_text(obj.pk, pk))
            buffer.write("\t")
            buffer.write("\t".join(row))
            buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(connection.ops.quote_name(f.column) for f in [pk, *columns])
        cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
    for obj in batch:
        obj._state.adding = False
        obj._state.db = connection.alias
