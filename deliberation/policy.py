"""Who may do what in deliberation, asked through grids.access (the one permission policy).

- Grid staff (workers, heads, officials, administrators) over a node raise topics there (from
  a visit or a petition too), record attendance and the ballots cast at a meeting.
- Heads, officials and administrators over the node screen topics, call meetings, record
  minutes, open and close votes, record and publish resolutions (`LEADING_KINDS`).
- Only a resolution's owner reports it done.

Whoever has no post at or above the node is answered 404, as if nothing were there; someone
who sees the node but lacks the post gets 403. `actor=None` is refused; the demo loader and
the sweep pass `grids.access.SYSTEM`.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, PostKind
from hlgrid.errors import Forbidden, NotFound

STAFF_KINDS = (PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)
LEADING_KINDS = (PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)


def require_actor(actor) -> None:
    if actor is None:
        raise Forbidden(_("An action needs someone who acts."))


def require_post(actor, node: GridNode, kinds, message=None) -> None:
    """The actor holds a post of `kinds` at `node` or above; else 404 (sees nothing) or 403."""
    require_actor(actor)
    if access.covers(actor, node, kinds=kinds):
        return
    if not access.covers(actor, node, kinds=STAFF_KINDS):
        raise NotFound()
    raise Forbidden(message)


def require_staff(actor, node: GridNode) -> None:
    require_post(actor, node, STAFF_KINDS, _("Only the grid's staff may do this."))


def require_leading(actor, node: GridNode) -> None:
    require_post(actor, node, LEADING_KINDS, _("Only heads and officials over this node may do this."))


def may_lead(actor, node: GridNode) -> bool:
    return access.covers(actor, node, kinds=LEADING_KINDS)


def require_owner(actor, resolution) -> None:
    """Only the owner reports a resolution done; to an outsider it is not there (404)."""
    require_actor(actor)
    if is_owner(actor, resolution):
        return
    if not access.covers(actor, resolution.node, kinds=STAFF_KINDS):
        raise NotFound()
    raise Forbidden(_("Only the owner of a resolution reports it done."))


def is_owner(actor, resolution) -> bool:
    if actor is None:
        return False
    return access.is_system(actor) or (actor.pk is not None and actor.pk == resolution.owner_id)
