"""Who may see and do what, over the grid tree: the one permission policy of every app.

A user acts through its active `Post`s. A post at a node covers the node's whole subtree,
so "may this user see this row" and "may this user act at this node" are the same
question: is there an active post of the right kind at the row's node or above it? Both
are answered in SQL on the MPTT columns (tree_id, lft, rght), never by walking the tree in
Python:

- `scope_queryset` / `get_scoped_or_404`: which rows a user may see (a correlated EXISTS);
- `covers` / `must_cover`: may the user act at this node (one EXISTS query);
- `standing`: the user's posts that bear on one node (one query), for rules that depend
  on the kind and rank of post (a head of the community may classify to the community);
- `posts_above`, `users_above`, `head_of`, `posts_at`: who holds posts over a node, for
  notifications and rosters.

Outside the scope answers 404 (`NotFound`, `Http404`) everywhere, so a page, the API and
a direct service call by an outsider get the same refusal and nothing leaks about what
exists. The demo loader, data migrations and scheduled tasks act as `SYSTEM`, an explicit
actor that covers everything and is recorded as nobody.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DataError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from grids.models import GridNode, NodeKind, Post, PostKind
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.ids import in_range

# Depth of each kind of node: a smaller number is higher in the tree.
NODE_RANK = {NodeKind.CITY: 0, NodeKind.STREET: 1, NodeKind.COMMUNITY: 2, NodeKind.GRID: 3}
LEADING_KINDS = frozenset({PostKind.HEAD, PostKind.OFFICIAL})
FIELD_KINDS = frozenset({PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL})
# The posts that see residents' data by territory (department staff and assessors do not).
RESIDENT_KINDS = frozenset({*FIELD_KINDS, PostKind.ADMIN})
# The posts that see rows assigned to departments by territory; department staff see them by
# assignment instead (`department_path`).
TERRITORIAL_KINDS = frozenset(kind for kind in PostKind.values if kind != PostKind.DEPARTMENT)


class _System:
    """The actor of the demo loader, data migrations and scheduled tasks.

    It is explicit on purpose: a service called with `actor=None` is refused, so no caller
    is trusted by accident. It covers everything; models record it as nobody (NULL).
    """

    pk = None
    id = None
    is_superuser = True
    is_authenticated = True
    is_active = True
    is_staff = False
    username = "system"
    display_name = "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "system"


SYSTEM = _System()


def is_system(actor) -> bool:
    return actor is SYSTEM


def recorded(actor):
    """The value to store in a model's "who did it" foreign key: the user, or NULL for SYSTEM."""
    return None if actor is None or actor is SYSTEM else actor


def _active_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def _prefix(path: str) -> str:
    return f"{path}__" if path else ""


def _kinds(kinds: Iterable[str] | None) -> list[str] | None:
    return None if kinds is None else list(kinds)


# --- which rows ---------------------------------------------------------------------------------


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
    department_path: the path to a grids.Department the row is assigned to, if any;
        department staff see such rows wherever they are.
    post_kinds: only these kinds of post grant territorial visibility (default: all).
    """
    if not _active_user(user):
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
        territorial = territorial.filter(kind__in=_kinds(post_kinds))
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
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError, DataError):
        # a malformed id ("abc", one too large for the column) names nothing: 404, not 500
        raise Http404 from None


def get_all_scoped_or_404(
    user,
    queryset: QuerySet,
    ids: Iterable,
    *,
    node_path: str = "grid",
    post_kinds: Iterable[str] | None = None,
) -> list[Model]:
    """Every object of `ids` the user may see, in the order asked, in one query; 404 if any is not.

    For input that names several objects (a project's grids, a branch's buildings): one
    missing or foreign id refuses the whole request, like a single one would.
    """
    try:
        wanted = list(dict.fromkeys(int(i) for i in ids))
    except (TypeError, ValueError):
        raise Http404 from None
    if not all(in_range(i) for i in wanted):  # no row has it; the database would refuse it
        raise Http404
    found = {
        obj.pk: obj
        for obj in scope_queryset(
            user, queryset.filter(pk__in=wanted), node_path=node_path, post_kinds=post_kinds
        )
    }
    if len(found) != len(wanted):
        raise Http404
    return [found[i] for i in wanted]


# --- may the user act here --------------------------------------------------------------------


def posts_above(node: GridNode, *, kinds: Iterable[str] | None = None) -> QuerySet:
    """Active posts at `node` or any of its ancestors (the posts that cover it), nearest first."""
    queryset = Post.objects.filter(
        is_active=True,
        node__tree_id=node.tree_id,
        node__lft__lte=node.lft,
        node__rght__gte=node.rght,
    )
    if kinds is not None:
        queryset = queryset.filter(kind__in=_kinds(kinds))
    return queryset.order_by("-node__lft", "pk")


def posts_at(node_id: int, *, kinds: Iterable[str] | None = None) -> QuerySet:
    """Active posts held at exactly this node."""
    queryset = Post.objects.filter(node_id=node_id, is_active=True)
    if kinds is not None:
        queryset = queryset.filter(kind__in=_kinds(kinds))
    return queryset


def users_above(node: GridNode, *, kinds: Iterable[str], exclude=None, nearest: bool = False) -> list[int]:
    """The ids of users holding posts of `kinds` over `node`; only the nearest holder if `nearest`."""
    queryset = posts_above(node, kinds=kinds)
    if exclude is not None and getattr(exclude, "pk", None) is not None:
        queryset = queryset.exclude(user_id=exclude.pk)
    ids = list(queryset.values_list("user_id", flat=True))
    if nearest:
        return ids[:1]
    return list(dict.fromkeys(ids))


def users_at(node_id: int, *, kinds: Iterable[str]) -> list[int]:
    return list(posts_at(node_id, kinds=kinds).values_list("user_id", flat=True))


def department_users(*department_ids: int | None) -> list[int]:
    """The ids of the active staff of one or more departments (one query)."""
    wanted = [pk for pk in department_ids if pk]
    if not wanted:
        return []
    return list(
        Post.objects.filter(department_id__in=wanted, kind=PostKind.DEPARTMENT, is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def head_of(node_id: int) -> Post | None:
    """The active head post of a node (at most one: a database constraint)."""
    return posts_at(node_id, kinds=[PostKind.HEAD]).select_related("user").first()


def covers(user, node: GridNode, *, kinds: Iterable[str] | None = None) -> bool:
    """Whether one of the user's active posts (of `kinds`) is at `node` or above it."""
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    return posts_above(node, kinds=kinds).filter(user_id=user.pk).exists()


def must_cover(user, node: GridNode, *, kinds: Iterable[str] | None = None) -> None:
    """Refuse (404) an actor whose posts do not cover `node`."""
    if not covers(user, node, kinds=kinds):
        raise NotFound()


def reaches(user, node: GridNode, *, kinds: Iterable[str] | None = None) -> bool:
    """Whether the user holds a post at, above or anywhere below `node`: it knows the node exists.

    Used to answer 403 rather than 404 to someone who works inside a node but lacks the
    post that an action at the node itself needs.
    """
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    queryset = Post.objects.filter(user_id=user.pk, is_active=True, node__tree_id=node.tree_id).filter(
        Q(node__lft__lte=node.lft, node__rght__gte=node.rght)
        | Q(node__lft__gte=node.lft, node__rght__lte=node.rght)
    )
    if kinds is not None:
        queryset = queryset.filter(kind__in=_kinds(kinds))
    return queryset.exists()


def holds(user, kinds: Iterable[str]) -> bool:
    """Whether the user holds any active post of these kinds, anywhere (superusers hold all)."""
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    return Post.objects.filter(user_id=user.pk, is_active=True, kind__in=_kinds(kinds)).exists()


@dataclass(frozen=True)
class Standing:
    """The actor's posts that bear on one node (and, optionally, one department): one query.

    `posts` holds (post kind, node kind) pairs for the territorial posts covering the node
    and the department posts of that department.
    """

    user_id: int | None
    superuser: bool
    posts: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for kind, _node_kind in self.posts)

    @property
    def visible(self) -> bool:
        return self.superuser or bool(self.posts)

    @property
    def worker(self) -> bool:
        return self.superuser or PostKind.WORKER in self.kinds

    @property
    def head(self) -> bool:
        """A head or an official over the node."""
        return self.superuser or bool(self.kinds & LEADING_KINDS)

    @property
    def department(self) -> bool:
        return self.superuser or PostKind.DEPARTMENT in self.kinds

    @property
    def field_staff(self) -> bool:
        return self.worker or self.head

    def head_at_rank(self, rank: int) -> bool:
        """A head or official at a node of this rank or above (street = 1, community = 2)."""
        return self.superuser or any(
            kind in LEADING_KINDS and NODE_RANK[node_kind] <= rank for kind, node_kind in self.posts
        )


def standing(user, node: GridNode, *, department_id: int | None = None) -> Standing:
    """The user's posts that bear on `node`: territorial posts covering it (department posts
    excluded: they see by assignment, not territory) and its posts in `department_id`."""
    if not _active_user(user):
        return Standing(user_id=None, superuser=False)
    if user.is_superuser:
        return Standing(user_id=user.pk, superuser=True)
    posts = Post.objects.filter(user_id=user.pk, is_active=True).filter(
        (
            Q(node__tree_id=node.tree_id, node__lft__lte=node.lft, node__rght__gte=node.rght)
            & ~Q(kind=PostKind.DEPARTMENT)
        )
        | Q(kind=PostKind.DEPARTMENT, department_id=department_id or -1)
    )
    return Standing(
        user_id=user.pk,
        superuser=False,
        posts=tuple(posts.values_list("kind", "node__kind")),
    )


# --- 403 or 404 -------------------------------------------------------------------------------


def refusal(user, node: GridNode) -> DomainError:
    """The answer to an actor who may not act at `node`: 403 (Forbidden) to one who works at,
    above or below it and so knows it exists, 404 (NotFound) to an outsider."""
    return Forbidden() if reaches(user, node) else NotFound()


def require_post(user, node: GridNode, *, kinds: Iterable[str]) -> None:
    """Refuse an actor without an active post of `kinds` at `node` or above it (see `refusal`)."""
    if not covers(user, node, kinds=kinds):
        raise refusal(user, node)


# --- announcements (大事要闻) and the 联心卡 ------------------------------------------------------

# Heads and officials post announcements for their node and its subtree; the field posts over
# a grid print its 联心卡 (contact card).
ANNOUNCING_KINDS = LEADING_KINDS
CARD_KINDS = FIELD_KINDS


def may_announce(user, node: GridNode) -> bool:
    return covers(user, node, kinds=ANNOUNCING_KINDS)


def require_may_announce(user, node: GridNode) -> None:
    """Refuse an actor who is not a head or official at or above `node` (403 inside, 404 outside)."""
    require_post(user, node, kinds=ANNOUNCING_KINDS)


# --- shaping the tree and staffing it (grids.services) -----------------------------------------

SHAPING_KINDS = frozenset({PostKind.OFFICIAL, PostKind.ADMIN})


def require_may_place(user, parent: GridNode | None) -> None:
    """May the user put a node (new, or moved) under `parent`? An OFFICIAL or ADMIN post over
    `parent` may; a root (no parent) only a superuser, as no post is above a root."""
    if parent is not None:
        require_post(user, parent, kinds=SHAPING_KINDS)
    elif not _active_user(user):
        raise NotFound()
    elif not user.is_superuser:
        raise Forbidden()


def require_may_reshape(user, node: GridNode) -> None:
    """May the user rename, redraw, move or delete `node`? An ADMIN post over the node, or an
    OFFICIAL post over its parent: an official of a street shapes its communities and grids,
    never the street itself, a sibling or anything above it."""
    if node.parent_id is None:
        allowed = covers(user, node, kinds=[PostKind.ADMIN])
    else:
        allowed = covers(user, node.parent, kinds=SHAPING_KINDS)
    if not allowed:
        raise refusal(user, node)


def require_may_grant(user, node: GridNode) -> None:
    """May the user grant or end a post at `node`? An OFFICIAL or ADMIN post over the node, so
    nobody staffs above or outside their own subtree."""
    require_post(user, node, kinds=SHAPING_KINDS)


# --- managing people: accounts and the kinds of post (grids.people) -----------------------------


def _holds_admin(user) -> bool:
    return Post.objects.filter(user_id=user.pk, is_active=True, kind=PostKind.ADMIN).exists()


def may_grant_kind(user, node: GridNode, kind: str) -> bool:
    """Whether the user may grant (or end) a post of `kind` at `node`, beyond covering it.

    - an ADMIN post: only an administrator (a superuser, or an ADMIN post);
    - an OFFICIAL post: an administrator, or an official strictly above the node (an official
      of a street appoints the officials of its communities, never a peer at its own street);
    - any other kind: whoever covers the node with an OFFICIAL or ADMIN post.
    """
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    if kind == PostKind.ADMIN:
        return covers(user, node, kinds=[PostKind.ADMIN])
    if kind == PostKind.OFFICIAL:
        return (
            posts_above(node, kinds=[PostKind.ADMIN]).filter(user_id=user.pk).exists()
            or posts_above(node, kinds=[PostKind.OFFICIAL])
            .filter(user_id=user.pk)
            .exclude(node=node)
            .exists()
        )
    return covers(user, node, kinds=SHAPING_KINDS)


def require_may_grant_kind(user, node: GridNode, kind: str) -> None:
    """Refuse (404 to an outsider, 403 to an insider) a grant or end of a `kind` post at `node`."""
    require_may_grant(user, node)
    if not may_grant_kind(user, node, kind):
        raise Forbidden()


def manages_people(user) -> bool:
    """Whether the user manages anyone's account: a superuser, or an OFFICIAL or ADMIN post."""
    return holds(user, SHAPING_KINDS)


def scope_accounts(user, queryset: QuerySet) -> QuerySet:
    """The accounts (hlgrid.User rows) `user` may see as a manager of people.

    An account is in scope when it holds an active post at a node the user covers with an
    OFFICIAL or ADMIN post; or, holding no active post, when its most recently ended post
    was at such a node (a person whose posts ended stays findable, to be given a post again);
    an account that never held a post only for an administrator. A superuser sees every account.
    """
    if not _active_user(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    managed = scope_queryset(user, Post.objects.all(), node_path="node", post_kinds=SHAPING_KINDS)
    active = Post.objects.filter(user_id=OuterRef("pk"), is_active=True)
    latest = (
        Post.objects.filter(user_id=OuterRef(OuterRef("pk"))).order_by("-ended_at", "-pk").values("pk")[:1]
    )
    condition = Q(Exists(managed.filter(user_id=OuterRef("pk"), is_active=True))) | (
        ~Q(Exists(active)) & Q(Exists(managed.filter(user_id=OuterRef("pk"), pk=Subquery(latest))))
    )
    if _holds_admin(user):
        condition |= ~Q(Exists(Post.objects.filter(user_id=OuterRef("pk"))))
    return queryset.filter(condition)


def account_refusal(user, account) -> DomainError | None:
    """Why `user` may not manage `account` (deactivate, reactivate, reset its password), or None.

    The account must be in scope (else 404), and every post it holds must be one the user
    could end itself (else 403): a lower official cannot lock out someone who also works
    elsewhere or above it. Only a superuser manages a superuser.
    """
    if is_system(user):
        return None
    if not scope_accounts(user, type(account)._default_manager.filter(pk=account.pk)).exists():
        return NotFound()
    if user.is_superuser:
        return None
    if account.is_superuser:
        return Forbidden()
    posts = list(Post.objects.filter(user_id=account.pk, is_active=True).select_related("node"))
    if not posts:
        latest = Post.objects.filter(user_id=account.pk).select_related("node").order_by("-ended_at", "-pk")
        posts = list(latest[:1])
    if not posts:  # never held a post: an administrator's (it is in scope only for one)
        return None
    for post in posts:
        if not may_grant_kind(user, post.node, post.kind):
            return Forbidden()
    return None


def require_may_manage_account(user, account) -> None:
    refused = account_refusal(user, account)
    if refused is not None:
        raise refused


# --- the office's configuration (calendar, categories, departments, key groups, schemes) --------


def _configuring_posts(user):
    """The user's posts that may change a city's configuration: an ADMIN post (held at the
    city), or an OFFICIAL post at the city itself: the office that owns the whole city. A
    street's or a community's official does not: one street's change would apply to all."""
    return Post.objects.filter(user_id=user.pk, is_active=True).filter(
        Q(kind=PostKind.ADMIN) | Q(kind=PostKind.OFFICIAL, node__kind=NodeKind.CITY)
    )


def may_configure(user, city: GridNode | None = None) -> bool:
    """May the user change the configuration of `city` (of some city, without one)? A superuser
    may change every city's; the others only their own city's (grids.cities)."""
    if not _active_user(user):
        return False
    if user.is_superuser:
        return True
    posts = _configuring_posts(user)
    if city is not None:
        posts = posts.filter(node__tree_id=city.tree_id)
    return posts.exists()


def configurable_cities(user, cities: QuerySet) -> QuerySet:
    """Those of `cities` (CITY nodes) whose configuration the user may change."""
    if not _active_user(user):
        return cities.none()
    if user.is_superuser:
        return cities
    return cities.filter(tree_id__in=_configuring_posts(user).values("node__tree_id"))


def scope_to_cities(user, queryset: QuerySet, *, path: str = "city") -> QuerySet:
    """Restrict `queryset` (configuration rows, through their `city` at `path`; "" for CITY
    nodes themselves) to the cities the user holds an active post in: one city's people never
    see another's departments, categories, key groups, schemes or periods."""
    if not _active_user(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    trees = Post.objects.filter(user_id=user.pk, is_active=True).values("node__tree_id")
    return queryset.filter(**{f"{_prefix(path)}tree_id__in": trees})


def may_view_configuration(user, city: GridNode | None = None) -> bool:
    """May the user read the configuration pages (of `city`)? Those who may change it, and every
    official (a street's official reads the categories' limits and the calendar its clocks run
    on), of their own city."""
    if city is None or not _active_user(user) or user.is_superuser:
        return holds(user, [PostKind.OFFICIAL, PostKind.ADMIN])
    return Post.objects.filter(
        user_id=user.pk,
        is_active=True,
        kind__in=[PostKind.OFFICIAL, PostKind.ADMIN],
        node__tree_id=city.tree_id,
    ).exists()


def require_may_configure(user, city: GridNode | None = None) -> None:
    """Refuse a change of the configuration: 403 to an official who may read it, 404 to others
    (and to everybody of another city: its configuration does not exist for them)."""
    if may_configure(user, city):
        return
    raise Forbidden() if may_view_configuration(user, city) else NotFound()


def require_may_view_configuration(user) -> None:
    if not may_view_configuration(user):
        raise NotFound()
