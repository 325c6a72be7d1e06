"""Who may do what with the four lists, asked through grids.access (the one permission policy).

- Grid staff (workers, heads, officials, administrators) over a need's grid record needs and
  wishes, match them to resources, claim them for a unit paired with the grid or a social
  organisation of the area, mark a wish fulfilled and confirm it on the resident's behalf after a
  visit, and record an organisation's activities in their grids.
- Heads, officials and administrators over an item assign who answers for it (责任清单).
- Officials and administrators over an alliance's node keep its units' resources and turn a need
  into a joint project (party's own rule for projects); over a community or street they register
  social organisations and volunteer teams.
- An in-service member claims a need or a wish of the grid it reported to, for itself (its own
  account), and marks a wish it claimed fulfilled.
- The resident confirms with the wish's confirmation code, without an account.

Whoever has no post at or above the node is answered 404; someone who sees it but lacks the
post gets 403 (party.policy.require_post).
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode
from party import policy as party_policy

STAFF_KINDS = party_policy.STAFF_KINDS
LEADING_KINDS = party_policy.LEADING_KINDS
SETUP_KINDS = party_policy.SETUP_KINDS
require_actor = party_policy.require_actor


def require_staff(actor, grid: GridNode) -> None:
    party_policy.require_post(actor, grid, STAFF_KINDS, _("Only the grid's staff may do this."))


def require_leading(actor, node: GridNode) -> None:
    party_policy.require_post(
        actor, node, LEADING_KINDS, _("Only heads, officials and administrators over it may assign duties.")
    )


def require_setup(actor, node: GridNode) -> None:
    party_policy.require_post(
        actor, node, SETUP_KINDS, _("Only officials and administrators over it may set this up.")
    )


def may_staff(user, node: GridNode) -> bool:
    return access.covers(user, node, kinds=STAFF_KINDS)


def may_lead(user, node: GridNode) -> bool:
    return access.covers(user, node, kinds=LEADING_KINDS)


def may_setup(user, node: GridNode) -> bool:
    return access.covers(user, node, kinds=SETUP_KINDS)


def is_own(actor, member) -> bool:
    """Whether the actor is the in-service member's own account."""
    return member is not None and member.user_id is not None and member.user_id == getattr(actor, "pk", None)
