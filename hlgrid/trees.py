"""Serialised writes to MPTT trees (see TreeLock)."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F

from hlgrid.models import TreeLock


@contextmanager
def tree_write(name: str) -> Iterator[None]:
    """Run the body in a transaction that holds the tree's writer lock.

    The UPDATE is the first write of the transaction, so a second writer blocks
    here until the first commits; it then reads the committed lft/rght values.
    """
    with transaction.atomic():
        updated = TreeLock.objects.filter(name=name).update(version=F("version") + 1)
        if not updated:
            TreeLock.objects.get_or_create(name=name)
            TreeLock.objects.filter(name=name).update(version=F("version") + 1)
        yield


def tree_version(name: str) -> int:
    return TreeLock.objects.filter(name=name).values_list("version", flat=True).first() or 0


def tree_stamp(name: str) -> None:
    """Bump the version `name` within the current transaction: a part of a tree that caches
    keep apart (a city's grids: grids.locator) says it changed, without taking the writer lock
    of the whole tree again."""
    if not TreeLock.objects.filter(name=name).update(version=F("version") + 1):
        TreeLock.objects.get_or_create(name=name, defaults={"version": 1})


def tree_stamps(*, names: tuple[str, ...] = (), prefixes: tuple[str, ...] = ()) -> dict[str, int]:
    """The versions of the rows `names` and of every row starting with one of `prefixes`, in
    one query: what several process caches compare before they answer (the grid locator's
    cities, each city's categories) is read once per request, not once per cache."""
    from django.db import connection

    sql, params = _stamps_query(tuple(names), tuple(prefixes))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


@functools.lru_cache(maxsize=32)
def _stamps_query(names: tuple[str, ...], prefixes: tuple[str, ...]) -> tuple[str, tuple]:
    """The query of tree_stamps, compiled by the ORM once per process (it runs per request)."""
    from django.db.models import Q

    where = Q(name__in=names) if names else Q(pk__in=[])
    for prefix in prefixes:
        where |= Q(name__startswith=prefix)
    return TreeLock.objects.filter(where).values_list("name", "version").query.sql_with_params()
