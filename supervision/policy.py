"""Who may do what in supervision, asked through grids.access (the one permission policy).

- Heads and officials (and administrators) over a node issue 督办 there and review the
  accountability cases of the node's subtree (`LEADING_KINDS`).
- The handler of an order (its user, or a staff member of its department) replies.
- Only the issuer closes an order or sends it back.

Whoever sees nothing of the node is answered 404; someone who sees it but lacks the right
gets 403. `actor=None` is refused; the demo loader and the sweep pass `grids.access.SYSTEM`.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import GridNode, PostKind
from hlgrid.errors import Forbidden, NotFound

LEADING_KINDS = (PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN)


def require_actor(actor) -> None:
    if actor is None:
        raise Forbidden(_("An action needs someone who acts."))


def sees(actor, node: GridNode, department_id: int | None = None) -> bool:
    return access.standing(actor, node, department_id=department_id).visible


def require_leading(actor, node: GridNode, department_id: int | None = None) -> None:
    require_actor(actor)
    if access.covers(actor, node, kinds=LEADING_KINDS):
        return
    if not sees(actor, node, department_id):
        raise NotFound()
    raise Forbidden(_("Only heads and officials over this node may do this."))


def may_lead(actor, node: GridNode) -> bool:
    return access.covers(actor, node, kinds=LEADING_KINDS)


def is_handler(actor, order) -> bool:
    if actor is None or getattr(actor, "pk", None) is None:
        return access.is_system(actor)
    if order.handler_id is not None and actor.pk == order.handler_id:
        return True
    return order.department_id is not None and actor.pk in access.department_users(order.department_id)


def is_issuer(actor, order) -> bool:
    if access.is_system(actor):
        return True
    return actor is not None and actor.pk is not None and actor.pk == order.issued_by_id


def require_handler(actor, order) -> None:
    require_actor(actor)
    if is_handler(actor, order):
        return
    if not sees(actor, order.node, order.department_id):
        raise NotFound()
    raise Forbidden(_("Only the handler of a supervision order replies to it."))


def require_issuer(actor, order) -> None:
    require_actor(actor)
    if is_issuer(actor, order):
        return
    if not sees(actor, order.node, order.department_id):
        raise NotFound()
    raise Forbidden(_("Only the issuer of a supervision order closes it or sends it back."))
