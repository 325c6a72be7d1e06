"""Who runs the assessment: the organisation department's posts, asked through grids.access.

The kinds of post live here so that services, selectors, views and the API ask the one
policy (`grids.access`) the same question; no module of the app queries posts itself.
"""

from django.utils.translation import gettext as _

from grids import access, cities
from grids.models import NodeKind, Post, PostKind
from hlgrid.errors import Forbidden, NotFound

ASSESSOR_KINDS = (PostKind.ASSESSOR, PostKind.ADMIN)
# Heads and officials see their subtree's published results.
VIEWER_KINDS = (PostKind.HEAD, PostKind.OFFICIAL)


def is_assessor(user) -> bool:
    """Holds an assessor (or admin) post somewhere; SYSTEM and superusers hold every post."""
    return access.holds(user, ASSESSOR_KINDS)


def require_assessor(actor, city=None) -> None:
    """Refuse (403) anyone, `None` included, who holds no assessor post (404 to an assessor of
    another city than `city`: its schemes and periods do not exist for them)."""
    if not is_assessor(actor):
        raise Forbidden(_("Only the organisation department's assessors may do this."))
    if city is not None and not assessed_cities(actor).filter(pk=city.pk).exists():
        raise NotFound()


def assessed_cities(user):
    """The cities whose schemes and periods `user` runs: where it holds an assessor post."""
    if access.is_system(user) or getattr(user, "is_superuser", False):
        return cities.cities()
    return cities.cities().filter(
        tree_id__in=Post.objects.filter(user_id=user.pk, is_active=True, kind__in=ASSESSOR_KINDS).values(
            "node__tree_id"
        )
    )


def assessor_city(actor, city=None):
    """The city a new scheme or period goes to (grids.cities.city_for_new, for assessors)."""
    require_assessor(actor)  # None included: refused before its cities are asked for
    return cities.city_for_new(actor, city, allowed=assessed_cities(actor), require=require_assessor)


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
