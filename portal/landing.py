"""Where a user lands after logging in: where its work is.

worker → "My day"; head, official or admin → its node's dashboard; department staff
→ its petition queue; assessor → the current assessment period; a volunteer without a
post → its time bank; an in-service Party member without a post → the activities it can
join. A user holding several posts lands by the first of those that
applies, in that order.
"""

from django.urls import NoReverseMatch, reverse

from grids.models import PostKind
from grids.selectors import user_posts
from portal.navigation import is_in_service_member, is_volunteer
from residents.heads import head_account_of

DASHBOARD_KINDS = {PostKind.HEAD, PostKind.OFFICIAL, PostKind.ADMIN}


def _first(*candidates) -> str | None:
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def landing_url(user) -> str | None:
    posts = list(user_posts(user=user))
    kinds = {post.kind for post in posts}
    if PostKind.WORKER in kinds:
        return _first(("residents:my_day", ()))
    dashboard_posts = [p for p in posts if p.kind in DASHBOARD_KINDS]
    if dashboard_posts or (user.is_superuser and not posts):
        top = min(dashboard_posts, key=lambda p: (p.node.level, p.node.tree_id, p.node.lft), default=None)
        return _first(("dashboards:node", (top.node_id,)) if top else ("dashboards:index", ()))
    if PostKind.DEPARTMENT in kinds:
        return _first(("petitions:inbox", ()))
    if PostKind.ASSESSOR in kinds:
        return _first(("evaluation:current", ()), ("evaluation:index", ()), ("dashboards:index", ()))
    if not posts and head_account_of(user) is not None:
        # A 楼栋长/单元长 holds no post: its home is its building's or unit's page.
        return _first(("residents:head_home", ()))
    if not posts and is_volunteer(user):
        # People without a post (volunteers, in-service Party members) work in the time bank.
        return _first(("party:volunteer", ()))
    if not posts and is_in_service_member(user):
        return _first(("party:activities", ()))
    return None
