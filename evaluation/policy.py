"""Who runs the assessment: the organisation department's posts, asked through grids.access.

The kinds of post live here so that services, selectors, views and the API ask the one
policy (`grids.access`) the same question; no module of the app queries posts itself.
"""

from django.utils.translation import gettext as _

from grids import access
from grids.models import PostKind
from hlgrid.errors import Forbidden

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
