from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from grids import access, selectors, svg
from grids.models import NodeKind


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
    }
    return render(request, "grids/node.html", context)
