from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from grids import selectors, svg
from grids.models import NodeKind


@login_required
def tree(request):
    """The grid tree starts at the user's scope: one root goes straight to its page."""
    roots = selectors.scope_roots(user=request.user)
    if len(roots) == 1:
        return redirect("grids:node", pk=roots[0].pk)
    nodes = list(selectors.gridnode_list(user=request.user).filter(pk__in=[r.pk for r in roots]))
    return render(request, "grids/tree.html", {"roots": nodes, "map": svg.draw(None, nodes)})


@login_required
def node(request, pk: int):
    node = selectors.gridnode_get(user=request.user, pk=pk)
    children = list(selectors.gridnode_children(user=request.user, node=node))
    ancestors = list(node.get_ancestors())
    visible = set(
        selectors.gridnode_list(user=request.user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    context = {
        "node": node,
        "ancestors": [(a, a.pk in visible) for a in ancestors],
        "children": children,
        "map": svg.draw(node, children if children else [node]),
        "is_grid": node.kind == NodeKind.GRID,
    }
    return render(request, "grids/node.html", context)
