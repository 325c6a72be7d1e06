"""Who may do what with compounds, firms, star boards and renovations, asked through
grids.access (the one permission policy).

- Reading: field staff and administrators (`READ_KINDS`): a grid's worker and head read the
  compounds with buildings in their grid, heads and officials read everything under their node.
- Editing a compound, a firm, an inspection or a renovation: heads, officials and
  administrators over the compound's community (a firm: over its street) (`EDIT_KINDS`).
- Recording a residents' satisfaction sample: any field staff who sees the compound (a worker
  takes them on visits).
- Computing a street's star board: heads and officials over the street; publishing it: an
  official (or administrator) over the street only.

Whoever cannot see the object is answered 404, as if nothing were there; someone who sees it
but lacks the post gets 403. `actor=None` is refused; the demo passes `grids.access.SYSTEM`.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, PostKind
from hlgrid.errors import Forbidden, NotFound

READ_KINDS = (PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)
EDIT_KINDS = (PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)
PUBLISH_KINDS = (PostKind.OFFICIAL, PostKind.ADMIN)


def require_actor(actor) -> None:
    if actor is None:
        raise Forbidden(_("An action needs someone who acts."))


def require_visible(actor, visible: bool) -> None:
    require_actor(actor)
    if not visible:
        raise NotFound()


def require_edit(actor, node: GridNode, message=None) -> None:
    """A head, official or administrator over `node`; else 403 to staff who know the node, 404."""
    require_actor(actor)
    if access.covers(actor, node, kinds=EDIT_KINDS):
        return
    if not access.reaches(actor, node):
        raise NotFound()
    raise Forbidden(message or _("Only heads and officials over this community may do this."))


def may_edit(actor, node: GridNode) -> bool:
    return actor is not None and access.covers(actor, node, kinds=EDIT_KINDS)


def require_publish(actor, street: GridNode) -> None:
    require_actor(actor)
    if access.covers(actor, street, kinds=PUBLISH_KINDS):
        return
    if not access.reaches(actor, street):
        raise NotFound()
    raise Forbidden(_("Only an official of the street publishes its star board."))


def may_publish(actor, street: GridNode) -> bool:
    return actor is not None and access.covers(actor, street, kinds=PUBLISH_KINDS)
