"""Filters and counts over a node's subtree, on the MPTT columns (never recursion in Python).

A row belongs to `node`'s subtree when its node has the same tree_id and lies
between the node's lft and rght: one index range.
"""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def in_subtree(node, path: str = "") -> Q:
    """Rows whose node (reached through `path`; "" for GridNode itself) is in `node`'s subtree."""
    p = _prefix(path)
    return Q(**{f"{p}tree_id": node.tree_id, f"{p}lft__gte": node.lft, f"{p}rght__lte": node.rght})


def count_in_subtree(queryset: QuerySet, path: str = ""):
    """COUNT(*) of `queryset` rows under the OUTER query's node, as one correlated subquery (0 if none)."""
    p = _prefix(path)
    inner = (
        queryset.filter(
            **{
                f"{p}tree_id": OuterRef("tree_id"),
                f"{p}lft__gte": OuterRef("lft"),
                f"{p}rght__lte": OuterRef("rght"),
            }
        )
        .order_by()  # a model's default ordering would leak into the GROUP BY
        .annotate(_one=Value(1, output_field=IntegerField()))
        .values("_one")
        .annotate(n=Count("*"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), 0)
