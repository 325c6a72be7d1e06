"""Reads about people and their posts, always scoped to the asking manager (grids.access)."""

import contextlib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from grids import access
from grids.models import GridNode, Post, PostKind
from hlgrid import inputs
from hlgrid.crypto import lookup_hash
from hlgrid.errors import InvalidInput, NotFound
from hlgrid.ids import in_range
from hlgrid.models import User


def _active_posts() -> Prefetch:
    active = Post.objects.filter(is_active=True).select_related("node", "department")
    return Prefetch(
        "posts", queryset=active.order_by("node__tree_id", "node__lft", "kind"), to_attr="active_posts"
    )


def account_list(
    *, user, query: str = "", kind: str | None = None, node: GridNode | None = None, status: str = ""
) -> QuerySet:
    """The accounts the manager may see, with their active posts (two queries in all).

    query: part of the name, username or phone; kind and node: holding an active post of
    that kind and/or in that node's subtree; status: "active", "inactive" or "" for both.
    """
    accounts = access.scope_accounts(user, User.objects.all())
    query = (query or "").strip()
    if query:
        # The phone is ciphertext: a whole number is found through its keyed hash.
        found = Q(name__icontains=query) | Q(username__icontains=query)
        with contextlib.suppress(InvalidInput):  # not a phone number: names and logins only
            found |= Q(phone_hash=lookup_hash(inputs.phone(query)))
        accounts = accounts.filter(found)
    if kind or node is not None:
        posts = Post.objects.filter(user_id=OuterRef("pk"), is_active=True)
        if kind:
            posts = posts.filter(kind=kind)
        if node is not None:
            posts = posts.filter(
                node__tree_id=node.tree_id, node__lft__gte=node.lft, node__rght__lte=node.rght
            )
        accounts = accounts.filter(Exists(posts))
    if status == "active":
        accounts = accounts.filter(is_active=True)
    elif status == "inactive":
        accounts = accounts.filter(is_active=False)
    return accounts.prefetch_related(_active_posts()).order_by("name", "username", "pk")


def account_get(*, user, pk) -> User:
    try:
        return access.scope_accounts(user, User.objects.all()).prefetch_related(_active_posts()).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@dataclass(frozen=True)
class PostHistory:
    """An account's posts that the manager may see (active first, then ended) and how many
    other active posts it holds elsewhere (why the account may be beyond the manager's reach)."""

    posts: list[Post]
    elsewhere: int


def account_history(*, user, account: User) -> PostHistory:
    everything = Post.objects.filter(user=account)
    visible = access.scope_queryset(user, everything, node_path="node", post_kinds=access.SHAPING_KINDS)
    posts = list(
        visible.select_related("node", "department", "granted_by", "ended_by").order_by(
            "-is_active", "-ended_at", "-created_at", "-pk"
        )
    )
    elsewhere = everything.filter(is_active=True).exclude(pk__in=[p.pk for p in posts]).count()
    return PostHistory(posts=posts, elsewhere=elsewhere)


def post_list(*, user, active: bool | None = None, account_id: int | None = None) -> QuerySet:
    """Posts at the nodes the manager covers with an OFFICIAL or ADMIN post."""
    posts = access.scope_queryset(user, Post.objects.all(), node_path="node", post_kinds=access.SHAPING_KINDS)
    if active is not None:
        posts = posts.filter(is_active=active)
    if account_id is not None:
        posts = posts.filter(user_id=account_id)
    return posts.select_related("user", "node", "department", "granted_by", "ended_by")


def post_get(*, user, pk) -> Post:
    return access.get_scoped_or_404(
        user,
        Post.objects.select_related("user", "node", "department", "granted_by", "ended_by"),
        node_path="node",
        post_kinds=access.SHAPING_KINDS,
        pk=pk,
    )


def managed_nodes(*, user) -> QuerySet:
    """The nodes at which the user may grant posts (its OFFICIAL/ADMIN subtree), in tree order."""
    return access.scope_queryset(
        user, GridNode.objects.all(), node_path="", post_kinds=access.SHAPING_KINDS
    ).order_by("tree_id", "lft")


def managed_node_by_code(*, user, code: str) -> GridNode | None:
    return managed_nodes(user=user).filter(code=code).first()


KIND_ORDER = [
    PostKind.WORKER,
    PostKind.HEAD,
    PostKind.OFFICIAL,
    PostKind.DEPARTMENT,
    PostKind.ASSESSOR,
    PostKind.ADMIN,
]


def account_candidate(*, pk: int) -> User:
    """The account named by id in a grant; whether the actor may staff with it is post_assign's
    question (grids.services), which answers 404 for one it may not see."""
    account = User.objects.filter(pk=pk).first() if in_range(pk) else None
    if account is None:
        raise NotFound()
    return account
