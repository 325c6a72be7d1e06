"""Everything that changes the grid tree, departments' posts and who holds which post.

Every tree write runs inside hlgrid.trees.tree_write("grids"), which serialises
writers (django-mptt takes no locks) and bumps the version stamp that tells
every process's point locator to rebuild.

Every service takes `actor` and checks it through grids.access (`require_may_reshape`,
`require_may_place`, `require_may_grant`; tree checks run under the lock, on fresh rows):
officials shape and staff only below themselves, administrators anywhere, outsiders get
404 and insiders without the post 403. Scripts and the demo act as `access.SYSTEM`.
"""

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grids import access, cities, geo, territory, versions
from grids.models import CHILD_KIND, POST_NODE_KINDS, Department, GridNode, NodeKind, Post, PostKind
from grids.signals import city_created
from hlgrid.changes import node_changed
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed
from hlgrid.trees import tree_stamp, tree_write

TREE = "grids"


def _validate_kind(*, kind: str, parent: GridNode | None) -> None:
    if kind not in NodeKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if parent is None:
        if kind != NodeKind.CITY:
            raise InvalidInput.field("parent", _("Only a city may be a root node."))
        return
    expected = CHILD_KIND.get(parent.kind)
    if expected is None:
        raise InvalidInput.field("parent", _("A grid cannot have child nodes."))
    if kind != expected:
        raise InvalidInput.field(
            "kind",
            _("A child of a %(parent)s must be a %(expected)s, not a %(kind)s.")
            % {
                "parent": NodeKind(parent.kind).label,
                "expected": NodeKind(expected).label,
                "kind": NodeKind(kind).label,
            },
        )


def _validate_boundary(*, boundary, parent: GridNode | None, exclude_id: int | None = None) -> dict:
    """Check the polygon against its parent and siblings; return the summary columns."""
    if boundary is None:
        return dict.fromkeys(("min_lng", "min_lat", "max_lng", "max_lat", "centroid_lng", "centroid_lat"))
    geometry = geo.parse_boundary(boundary)
    if parent is not None and parent.boundary:
        geo.check_inside(geometry, geo.parse_boundary(parent.boundary))
    min_lng, min_lat, max_lng, max_lat = geometry.bounds
    # Only siblings whose bounding boxes meet ours can overlap.
    siblings = GridNode.objects.filter(
        parent=parent,
        boundary__isnull=False,
        min_lng__lte=max_lng,
        max_lng__gte=min_lng,
        min_lat__lte=max_lat,
        max_lat__gte=min_lat,
    )
    if exclude_id is not None:
        siblings = siblings.exclude(pk=exclude_id)
    geo.check_no_overlap(
        geometry, [(s.name, geo.parse_boundary(s.boundary)) for s in siblings.only("name", "boundary")]
    )
    return geo.summary(geometry)


def _validate_code(*, code: str, exclude_id: int | None = None) -> str:
    code = (code or "").strip()
    if not code:
        raise InvalidInput.field("code", _("A code is required."))
    clash = GridNode.objects.filter(code=code)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise InvalidInput.field("code", _("The code %(code)s is already used.") % {"code": code})
    return code


def _stamp(node: GridNode) -> None:
    """Tell every process's locator that this node's city changed (grids.locator), and whoever
    keeps derived data of the city (grids.versions): a node renamed, redrawn or moved changes
    what its city's pages and figures show, and a move changes whose territory holds what."""
    from grids.locator import city_stamp

    tree_stamp(city_stamp(node.tree_id))
    tree_id = node.tree_id
    transaction.on_commit(lambda: versions.city_changed(tree_id))


def gridnode_create(
    *, actor, parent: GridNode | None, kind: str, code: str, name: str, boundary: dict | None = None
) -> GridNode:
    with tree_write(TREE):
        if parent is not None:
            parent = GridNode.objects.get(pk=parent.pk)  # fresh lft/rght under the lock
        access.require_may_place(actor, parent)
        name = (name or "").strip()
        if not name:
            raise InvalidInput.field("name", _("A name is required."))
        _validate_kind(kind=kind, parent=parent)
        code = _validate_code(code=code)
        summary = _validate_boundary(boundary=boundary, parent=parent)
        node = GridNode(parent=parent, kind=kind, code=code, name=name, boundary=boundary, **summary)
        node.save()
        _stamp(node)
        if parent is None:
            # the apps above give a new city its first configuration (residents: the key groups)
            city_created.send(sender=GridNode, city=node)
    return node


def gridnode_update(
    *, actor, node: GridNode, name: str | None = None, code: str | None = None, boundary=...
) -> GridNode:
    """Rename, recode or redraw a node. `boundary=...` (the default) leaves it unchanged."""
    with tree_write(TREE):
        node = GridNode.objects.select_related("parent").get(pk=node.pk)
        access.require_may_reshape(actor, node)
        fields = []
        if name is not None:
            if not name.strip():
                raise InvalidInput.field("name", _("A name is required."))
            node.name = name.strip()
            fields.append("name")
        if code is not None and code != node.code:
            node.code = _validate_code(code=code, exclude_id=node.pk)
            fields.append("code")
        if boundary is not ...:
            summary = _validate_boundary(boundary=boundary, parent=node.parent, exclude_id=node.pk)
            if boundary is not None:
                geometry = geo.parse_boundary(boundary)
                for child in node.get_children().exclude(boundary__isnull=True).only("name", "boundary"):
                    try:
                        geo.check_inside(geo.parse_boundary(child.boundary), geometry)
                    except InvalidInput:
                        raise InvalidInput.field(
                            "boundary",
                            _("The new boundary would leave the child node %(name)s outside it.")
                            % {"name": child.name},
                        ) from None
            node.boundary = boundary
            for key, value in summary.items():
                setattr(node, key, value)
            fields += ["boundary", *summary.keys()]
        if fields:
            node.save(update_fields=[*fields, "updated_at"])
            _stamp(node)
    return node


def gridnode_move(*, actor, node: GridNode, target: GridNode, position: str = "last-child") -> GridNode:
    """Move a node under a new parent (position relative to `target`, as django-mptt names it)."""
    if position not in ("first-child", "last-child", "left", "right"):
        raise InvalidInput.field("position", _("Unknown position %(p)s.") % {"p": position})
    with tree_write(TREE):
        node = GridNode.objects.select_related("parent").get(pk=node.pk)
        target = GridNode.objects.select_related("parent").get(pk=target.pk)
        new_parent = target if position.endswith("child") else target.parent
        access.require_may_reshape(actor, node)  # where it is
        access.require_may_place(actor, new_parent)  # and where it goes
        if (
            new_parent is not None
            and new_parent.tree_id == node.tree_id
            and (node.lft <= new_parent.lft and new_parent.rght <= node.rght)
        ):
            raise InvalidInput.field("parent", _("A node cannot be moved inside itself."))
        if new_parent is None or new_parent.tree_id != node.tree_id:
            # its petitions, people and posts were made under its city's configuration
            raise InvalidInput.field("parent", _("A node stays in its city."))
        _validate_kind(kind=node.kind, parent=new_parent)
        if node.boundary is not None:
            _validate_boundary(boundary=node.boundary, parent=new_parent, exclude_id=node.pk)
        GridNode.objects.move_node(node, target, position)
        node.refresh_from_db()
        _stamp(node)
    return node


def gridnode_delete(*, actor, node: GridNode) -> None:
    """Delete a leaf node that nobody holds a post at. Territory is never deleted with people on it."""
    with tree_write(TREE):
        node = GridNode.objects.select_related("parent").get(pk=node.pk)
        access.require_may_reshape(actor, node)
        if not node.is_leaf_node():
            raise TransitionNotAllowed(_("Delete or move the child nodes first."))
        if Post.objects.filter(node=node, is_active=True).exists():
            raise TransitionNotAllowed(_("End the posts held at this node first."))
        _stamp(node)
        try:
            with transaction.atomic():
                node.delete()
        except ProtectedError as exc:
            kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
            raise TransitionNotAllowed(
                _("Records still belong to this node (%(kinds)s): move them first.")
                % {"kinds": ", ".join(kinds)}
            ) from None


def _require_may_edit_children(actor, node: GridNode) -> None:
    """The map editor of `node` redraws its subtree: it needs an OFFICIAL or ADMIN post over `node`
    (the same as creating a child of it); an outsider gets 404, an insider without the post 403."""
    access.require_may_place(actor, node)


def gridnode_geometry_plan(*, actor, node: GridNode, collection, remove=(), absorb=None) -> territory.Plan:
    """What applying a FeatureCollection to `node`'s subtree would do: errors, warnings, the
    nodes created and redrawn, and the points that would fall in another grid. Changes nothing."""
    node = GridNode.objects.select_related("parent").get(pk=node.pk)
    _require_may_edit_children(actor, node)
    return territory.build_plan(node=node, collection=collection, remove=remove, absorb=absorb)


def gridnode_geometry_apply(
    *, actor, node: GridNode, collection, remove=(), absorb=None, move_points: bool = False
) -> territory.Plan:
    """Apply a FeatureCollection to `node`'s subtree in ONE transaction under the tree lock, through
    gridnode_create / gridnode_update / gridnode_delete; the locator sees it at the next lookup.

    Refused whole (InvalidInput with every error) if the plan has errors. With `move_points`, the
    registered points that now fall in another grid are moved there by their own apps' services;
    rows of a merged-away grid always go to the grid that absorbs it.
    """
    with tree_write(TREE):
        node = GridNode.objects.select_related("parent").get(pk=node.pk)
        _require_may_edit_children(actor, node)
        plan = territory.build_plan(node=node, collection=collection, remove=remove, absorb=absorb)
        if not plan.ok:
            raise InvalidInput(
                ngettext(
                    "The change was not applied: %(n)d problem.",
                    "The change was not applied: %(n)d problems.",
                    len(plan.errors),
                )
                % {"n": len(plan.errors)},
                errors={"features": [f"{e['code']}: {e['message']}" for e in plan.errors]},
            )
        redrawn = [i for i in plan.items if i.node is not None and i.changed_geometry]
        # Clear the redrawn boundaries first: a border moved between two grids would otherwise
        # meet the neighbour's old shape, whatever the order.
        for stale in [*(i.node for i in redrawn), *plan.removed]:
            gridnode_update(actor=actor, node=stale, boundary=None)
        by_code = {n.code: n for n in node.get_descendants(include_self=True)}
        for item in sorted(plan.items, key=lambda i: access.NODE_RANK[i.kind]):
            boundary = geo.to_geojson(item.geometry) if item.geometry is not None else None
            if item.node is None:
                by_code[item.code] = gridnode_create(
                    actor=actor,
                    parent=by_code[item.parent_code],
                    kind=item.kind,
                    code=item.code,
                    name=item.name,
                    boundary=boundary,
                )
            else:
                by_code[item.code] = gridnode_update(
                    actor=actor,
                    node=item.node,
                    name=item.name if item.name != item.node.name else None,
                    boundary=boundary if item.changed_geometry else ...,
                )
        sources = {s.name: s for s in territory.point_sources()}
        for points in plan.points:
            moves = {
                pk: by_code[code].pk
                for pk, code in points.moves.items()
                if move_points or points.from_grids.get(pk) in plan.absorbed_into
            }
            if moves:
                sources[points.source].move(actor=actor, moves=moves)
        for removed in plan.removed:
            gridnode_delete(actor=actor, node=removed)
        node_changed(node.pk)
    return plan


def post_assign(*, actor, user, kind: str, node: GridNode, department: Department | None = None) -> Post:
    """Grant `user` a post at `node`; `actor` needs an OFFICIAL or ADMIN post over the node.

    Beyond covering the node (`access.require_may_grant`): an ADMIN post is granted only by an
    administrator, an OFFICIAL post only from strictly above its node (`access.may_grant_kind`);
    the account must be active, and one the actor may see if it ever held a post
    (`access.scope_accounts`: nobody staffs with someone else's people by guessing an id).
    """
    access.require_may_grant(actor, node)
    if kind not in PostKind.values:
        raise InvalidInput.field("kind", _("Unknown post kind %(kind)s.") % {"kind": kind})
    if not access.may_grant_kind(actor, node, kind):
        raise Forbidden(
            _("You may not grant a %(post)s post at %(node)s.")
            % {"post": PostKind(kind).label, "node": node.name}
        )
    _check_account(actor=actor, user=user)
    if node.kind not in POST_NODE_KINDS[kind]:
        raise InvalidInput.field(
            "node",
            _("A %(post)s post cannot be held at a %(node)s.")
            % {"post": PostKind(kind).label, "node": NodeKind(node.kind).label},
        )
    if (kind == PostKind.DEPARTMENT) != (department is not None):
        raise InvalidInput.field(
            "department", _("A department is required for department staff posts, and only for them.")
        )
    if department is not None and not department.is_active:
        raise InvalidInput.field("department", _("This department is no longer active."))
    cities.require_same_city(node, department, field="department", message=_("No such department."))
    try:
        with transaction.atomic():
            return Post.objects.create(
                user=user, kind=kind, node=node, department=department, granted_by=access.recorded(actor)
            )
    except IntegrityError:
        if kind == PostKind.HEAD:
            raise InvalidInput.field("node", _("This node already has a head.")) from None
        raise InvalidInput.field("user", _("The user already holds this post.")) from None


def _check_account(*, actor, user) -> None:
    if access.is_system(actor):
        return
    if user.is_superuser and not actor.is_superuser:
        raise NotFound()
    if (
        Post.objects.filter(user_id=user.pk).exists()
        and not access.scope_accounts(actor, type(user)._default_manager.filter(pk=user.pk)).exists()
    ):
        raise NotFound()
    if not user.is_active:
        raise InvalidInput.field("user", _("This account is deactivated: reactivate it first."))


def post_end(*, actor, post: Post) -> Post:
    """End a post (it stays, as history); `actor` needs an OFFICIAL or ADMIN post over its node,
    and may end only the kinds of post it may grant there (`access.may_grant_kind`)."""
    access.require_may_grant_kind(actor, post.node, post.kind)
    now = timezone.now()
    ended = Post.objects.filter(pk=post.pk, is_active=True).update(
        is_active=False, ended_at=now, ended_by=access.recorded(actor)
    )
    if ended:  # ending an ended post changes nothing, not even who ended it
        post.ended_at, post.ended_by = now, access.recorded(actor)
    post.is_active = False
    return post


def post_move(*, actor, post: Post, node: GridNode, department: Department | None = None) -> Post:
    """Move a post to another node (and department): the old post is ended and a new one of the
    same kind granted, in one transaction, so the history keeps both. The actor must be allowed
    to end the old post and to grant the new one."""
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("node", "user").get(pk=post.pk)
        access.require_may_grant_kind(actor, post.node, post.kind)
        if not post.is_active:
            raise TransitionNotAllowed(_("This post has already ended."))
        if post.node_id == node.pk and post.department_id == (department.pk if department else None):
            raise InvalidInput.field("node", _("The post is already held there."))
        post_end(actor=actor, post=post)
        return post_assign(actor=actor, user=post.user, kind=post.kind, node=node, department=department)
