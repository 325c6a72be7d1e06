import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from grids import access, selectors, services, svg, territory
from grids.forms import NodeCreateForm, NodeDeleteForm, NodeMoveForm, NodeRenameForm
from grids.models import GridNode, NodeKind
from hlgrid.errors import DomainError, Forbidden, NotFound
from hlgrid.forms import add_domain_error


@login_required
def tree(request):
    """The grid tree starts at the user's scope: one root goes straight to its page."""
    roots = selectors.scope_roots(user=request.user)
    if len(roots) == 1:
        return redirect("grids:node", pk=roots[0].pk)
    nodes = list(selectors.gridnode_list(user=request.user).filter(pk__in=[r.pk for r in roots]))
    drawing = svg.draw(None, nodes, linked={n.pk for n in nodes})
    return render(request, "grids/tree.html", {"roots": nodes, "map": drawing})


@login_required
def node(request, pk: int):
    node = selectors.gridnode_get(user=request.user, pk=pk)
    children = list(selectors.gridnode_children(user=request.user, node=node))
    if children or node.parent_id is None:
        drawing = svg.draw(node, children or [node], linked={c.pk for c in children})
    else:
        # A grid is drawn among its neighbours (only those in scope are links).
        siblings = list(node.parent.get_children().only(*svg.FIELDS))
        in_scope = set(
            selectors.gridnode_list(user=request.user)
            .filter(pk__in=[s.pk for s in siblings])
            .values_list("pk", flat=True)
        )
        drawing = svg.draw(node.parent, siblings, linked=in_scope - {node.pk})
    context = {
        "node": node,
        "ancestors": selectors.visible_ancestors(user=request.user, node=node),
        "children": children,
        "map": drawing,
        "is_grid": node.kind == NodeKind.GRID,
        # The roster (residents:roster) reads residents: for the posts that may see them.
        "show_roster": access.covers(request.user, node, kinds=access.RESIDENT_KINDS),
        # The printable 联心卡 (grids.card_views): for the field posts over the node.
        "may_print_cards": access.covers(request.user, node, kinds=access.CARD_KINDS),
        "may_shape": node.child_kind is not None
        and access.covers(request.user, node, kinds=access.SHAPING_KINDS),
    }
    return render(request, "grids/node.html", context)


def _refuse(error: DomainError):
    """A service's refusal as the page's answer: 404 to an outsider, 403 to an insider."""
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error.detail)) from None
    raise Http404 from None


def _editable_node(request, pk: int) -> GridNode:
    """A node whose subtree the user may redraw and shape (OFFICIAL or ADMIN over it)."""
    node = selectors.gridnode_get(user=request.user, pk=pk)
    try:
        access.require_may_place(request.user, node)
    except (Forbidden, NotFound) as error:
        _refuse(error)
    return node


@login_required
def edit_map(request, pk: int):
    """The map editor of a node's children: draw, move vertices, split, merge, upload, download."""
    node = _editable_node(request, pk)
    if node.child_kind is None:
        raise Http404
    root = node.get_root()
    neighbours = node.parent.get_children().exclude(pk=node.pk) if node.parent_id else GridNode.objects.none()
    background = {
        "type": "FeatureCollection",
        "features": [
            territory.feature(n, None)
            for n in [root, *neighbours.only("code", "name", "kind", "boundary")]
            if n.boundary and n.pk != node.pk
        ],
    }
    context = {
        "node": node,
        "ancestors": selectors.visible_ancestors(user=request.user, node=node),
        "child_kind": NodeKind(node.child_kind).label,
        "point_sources": ", ".join(source.label() for source in territory.point_sources()),
        "background": background,
        "config": {
            "node": node.pk,
            "code": node.code,
            "geojson": reverse("api:grid-geojson", args=[node.pk]),
            "geometry": reverse("api:grid-geometry", args=[node.pk]),
            "split": reverse("api:grid-split", args=[node.pk]),
            "merge": reverse("api:grid-merge", args=[node.pk]),
            "locate": reverse("api:grid-locate"),
        },
    }
    return render(request, "grids/edit_map.html", context)


@login_required
def geojson(request, pk: int):
    """The node and its subtree as a GeoJSON file (the same as the API's geojson/)."""
    node = selectors.gridnode_get(user=request.user, pk=pk)
    body = json.dumps(territory.subtree_collection(node), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{node.code}.geojson"'
    return response


@login_required
def structure(request, pk: int):
    """Create, rename, move and delete the node's children (and rename the node itself)."""
    node = _editable_node(request, pk)
    may_reshape = True
    try:
        access.require_may_reshape(request.user, node)
    except (Forbidden, NotFound):
        may_reshape = False
    children = list(node.get_children())
    # Where a child may go: the nodes of the node's own kind that the user may place under.
    places = [
        p
        for p in selectors.gridnode_list(user=request.user, kind=node.kind).prefetch_related(None)
        if access.covers(request.user, p, kinds=access.SHAPING_KINDS)
    ]
    post = request.POST if request.method == "POST" else None
    verb = post.get("verb") if post else None
    rename = NodeRenameForm(
        post if verb == "rename" else None, initial={"code": node.code, "name": node.name}, prefix="rename"
    )
    create = NodeCreateForm(post if verb == "create" else None, prefix="create")
    move = NodeMoveForm(post if verb == "move" else None, parents=places)
    delete = NodeDeleteForm(post if verb == "delete" else None)
    forms_by_verb = {"rename": rename, "create": create, "move": move, "delete": delete}
    form = forms_by_verb.get(verb)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if verb == "rename":
                services.gridnode_update(actor=request.user, node=node, code=data["code"], name=data["name"])
                done = _("Saved.")
            elif verb == "create":
                services.gridnode_create(
                    actor=request.user,
                    parent=node,
                    kind=node.child_kind,
                    code=data["code"],
                    name=data["name"],
                )
                done = _("%(name)s was created. Draw its boundary in the map editor.") % {
                    "name": data["name"]
                }
            else:
                child = next((c for c in children if c.pk == data["node"]), None)
                if child is None:
                    raise Http404
                if verb == "move":
                    target = next(p for p in places if p.pk == data["parent"])
                    services.gridnode_move(actor=request.user, node=child, target=target)
                    done = _("%(name)s was moved to %(parent)s.") % {
                        "name": child.name,
                        "parent": target.name,
                    }
                else:
                    services.gridnode_delete(actor=request.user, node=child)
                    done = _("%(name)s was deleted.") % {"name": child.name}
        except (Forbidden, NotFound) as error:
            _refuse(error)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("grids:structure", pk=node.pk)
    context = {
        "node": node,
        "ancestors": selectors.visible_ancestors(user=request.user, node=node),
        "children": children,
        "child_kind": NodeKind(node.child_kind).label if node.child_kind else None,
        "may_reshape": may_reshape,
        "rename": rename,
        "create": create,
        "move": move,
        "delete": delete,
        "failed": verb if form is not None and form.errors else None,
        "failed_node": post.get("node") if post else None,
        "places": places,
    }
    return render(request, "grids/structure.html", context, status=400 if context["failed"] else 200)
