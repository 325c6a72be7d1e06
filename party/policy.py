"""Who may do what in the Party app, asked through grids.access (the one permission policy).

The kinds of post per use case live here, so services, selectors, views and the API ask the
policy the same question; no module of the app reads posts itself.

- The chain, the alliances, their member units and in-service members and the joint
  projects are set up by officials and administrators whose posts cover the node
  (`SETUP_KINDS`); progress on a project is reported by heads too (`LEADING_KINDS`).
- Grid staff (workers, heads, officials, administrators) register the volunteers of their
  grids, organise activities, confirm attendance, correct points and record what in-service
  members did (`STAFF_KINDS`).
- A volunteer signs up, cancels and redeems for itself (`require_volunteer`); an in-service
  member reports to its grid and logs its services itself (or grid staff do it for them);
  its unit's contact account and the officials over the alliance read the unit's records.
- Heads, officials and administrators over a window plan its duty (`LEADING_KINDS`);
  officials and administrators over a social worker's home grid take them on and change
  their qualifications; only the social worker on duty records a window service.

Whoever has no post at or above the node is answered 404, as if it did not exist; someone
who sees the node but lacks the post gets 403. `actor=None` is refused: the demo loader and
scripts pass `grids.access.SYSTEM`.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, PostKind
from hlgrid.errors import Forbidden, NotFound

SETUP_KINDS = (PostKind.OFFICIAL, PostKind.ADMIN)
LEADING_KINDS = (PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)
STAFF_KINDS = (PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)


def require_actor(actor) -> None:
    """Refuse a call that names nobody: no caller is trusted by accident."""
    if actor is None:
        raise Forbidden(_("An action needs someone who acts."))


def require_post(actor, node: GridNode, kinds, message=None) -> None:
    """The actor holds a post of `kinds` at `node` or above; else 404 (sees nothing of it) or 403."""
    require_actor(actor)
    if access.covers(actor, node, kinds=kinds):
        return
    if not access.covers(actor, node):
        raise NotFound()
    raise Forbidden(message)


def require_setup(actor, node: GridNode) -> None:
    require_post(actor, node, SETUP_KINDS, _("Only officials and administrators over it may set this up."))


def require_staff(actor, node: GridNode) -> None:
    require_post(actor, node, STAFF_KINDS, _("Only the grid's staff may do this."))


def is_user(actor, user_id: int | None) -> bool:
    """Whether the actor is this account (SYSTEM acts for anyone)."""
    if actor is None:
        return False
    return access.is_system(actor) or (user_id is not None and user_id == actor.pk)


def require_volunteer(actor, volunteer) -> None:
    """Only the volunteer's own account acts for it; to anyone else it is not there (404)."""
    require_actor(actor)
    if not is_user(actor, volunteer.user_id):
        raise NotFound()
