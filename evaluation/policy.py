"""Who runs the assessment: the organisation department's posts, asked through grids.access.

The kinds of post live here so that services, selectors, views and the API ask the one
policy (`grids.access`) the same question; no module of the app queries posts itself.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import NodeKind, PostKind
from hlgrid.errors import Forbidden, NotFound

ASSESSOR_KINDS = (PostKind.ASSESSOR, PostKind.ADMIN)
# Heads and officials see their subtree's published results.
VIEWER_KINDS = (PostKind.HEAD, PostKind.OFFICIAL)


def is_assessor(user) -> bool:
    """Holds an assessor (or admin) post somewhere; SYSTEM and superusers hold every post."""
    return access.holds(user, ASSESSOR_KINDS)


def require_assessor(actor) -> None:
    """Refuse (403) anyone, `None` included, who holds no assessor post."""
    if not is_assessor(actor):
        raise Forbidden(_("Only the organisation department's assessors may do this."))


def may_rate_departments(actor, street) -> bool:
    """The street's own heads and officials rate the departments that worked in it (评价权)."""
    if access.is_system(actor):
        return True
    found = access.standing(actor, street)
    return found.superuser or any(
        kind in access.LEADING_KINDS and node_kind == NodeKind.STREET for kind, node_kind in found.posts
    )


def require_street_rater(actor, street) -> None:
    """Refuse anyone but the street's heads and officials: 404 to an outsider, 403 to the rest."""
    if actor is None:
        raise Forbidden(_("Only the street's heads and officials rate its departments."))
    if street.kind != NodeKind.STREET:
        raise NotFound()
    if not may_rate_departments(actor, street):
        if access.is_system(actor) or access.reaches(actor, street):
            raise Forbidden(_("Only the street's heads and officials rate its departments."))
        raise NotFound()
