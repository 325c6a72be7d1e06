"""Every foreign key of the large petition tables can still be looked up by an index.

The single-column indexes of foreign keys were dropped where a composite index or a unique
constraint leads with the same column (a mass expiry writes an entry in each index of every
row it moves, and an overdue row per petition); a foreign key with no index at all would make
each PROTECT check and each cascade a scan of the table.
"""

import pytest
from django.db import connection

from petitions.models import Overdue, Petition


def _leading_columns(model) -> dict[str, bool]:
    """{column: whether some index of the model leads with it (partial ones count)}."""
    opts = model._meta
    leading = {}
    for field in opts.concrete_fields:
        if field.db_index or field.unique or field.primary_key:
            leading[field.column] = True
    for index in opts.indexes:
        leading[opts.get_field(index.fields[0].lstrip("-")).column] = True
    for constraint in opts.constraints:
        fields = getattr(constraint, "fields", ())
        if fields:
            leading[opts.get_field(fields[0]).column] = True
    return leading


@pytest.mark.parametrize("model", [Petition, Overdue])
def test_each_foreign_key_leads_some_index(model):
    leading = _leading_columns(model)
    unindexed = [f.name for f in model._meta.concrete_fields if f.many_to_one and not leading.get(f.column)]
    assert unindexed == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Petition, Overdue])
def test_the_database_has_those_indexes_and_not_the_dropped_ones(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexed_first = {
        c["columns"][0] for c in constraints.values() if (c["index"] or c["unique"]) and c["columns"]
    }
    foreign_keys = [f for f in model._meta.concrete_fields if f.many_to_one]
    assert {f.column for f in foreign_keys} <= indexed_first
    single = {tuple(c["columns"]) for c in constraints.values() if c["index"] and not c["unique"]}
    for field in foreign_keys:
        if not field.db_index:
            # No plain single-column index of its own beside the one that leads with it, unless
            # that one is the partial index of the model's Meta.
            names = [n for n, c in constraints.items() if c["index"] and c["columns"] == [field.column]]
            partial = {i.name for i in model._meta.indexes if i.condition is not None}
            assert set(names) <= partial, (field.name, names)
    assert single  # the introspection saw the table's indexes
