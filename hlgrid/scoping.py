"""Who may see what: the one function every queryset goes through.

A user sees the union of the subtrees of its active posts (grids.Post). The
filter is a single correlated EXISTS over the user's posts joined to their
nodes, comparing MPTT columns (tree_id, lft, rght) with the row's node — no
Python loop over nodes, no per-row check. Department staff additionally see
rows assigned to their department when the caller names that field.
"""

from collections.abc import Iterable

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def scope_queryset(
    user,
    queryset: QuerySet,
    *,
    node_path: str = "grid",
    department_path: str | None = None,
    post_kinds: Iterable[str] | None = None,
) -> QuerySet:
    """Restrict `queryset` to what `user` may see.

    node_path: the lookup path from the model to its GridNode ("" when the model
        is GridNode itself, "grid", "household__unit__building__grid", ...).
    department_path: the path to a grids.Department the row is assigned to, if any.
    post_kinds: only these kinds of post grant territorial visibility (default: all).
    """
    from grids.models import Post, PostKind

    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset

    prefix = _prefix(node_path)
    territorial = Post.objects.filter(
        user_id=user.pk,
        is_active=True,
        node__tree_id=OuterRef(f"{prefix}tree_id"),
        node__lft__lte=OuterRef(f"{prefix}lft"),
        node__rght__gte=OuterRef(f"{prefix}rght"),
    )
    if post_kinds is not None:
        territorial = territorial.filter(kind__in=list(post_kinds))
    condition = Q(Exists(territorial))

    if department_path:
        assigned = Post.objects.filter(
            user_id=user.pk,
            is_active=True,
            kind=PostKind.DEPARTMENT,
            department_id=OuterRef(department_path),
        )
        condition |= Q(Exists(assigned))
    return queryset.filter(condition)


def get_scoped_or_404(
    user,
    queryset: QuerySet,
    *,
    node_path: str = "grid",
    department_path: str | None = None,
    post_kinds: Iterable[str] | None = None,
    **lookup,
) -> Model:
    """Fetch one object the user may see; "absent" and "not yours" look the same (404)."""
    scoped = scope_queryset(
        user,
        queryset,
        node_path=node_path,
        department_path=department_path,
        post_kinds=post_kinds,
    )
    try:
        return scoped.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
