"""The navigation each role is shown: only the sections its posts can open.

Every section names the post kinds that may use it; a user sees a section when it holds an
active post of one of those kinds (a superuser sees everything). Volunteers hold no post:
the time bank shows for them by their volunteer record. Two queries per page at most,
evaluated only when a template reads the menu.
"""

from django.utils.functional import SimpleLazyObject

from grids.models import Post, PostKind

W, H, O, D, A, S = (
    PostKind.WORKER,
    PostKind.HEAD,
    PostKind.OFFICIAL,
    PostKind.DEPARTMENT,
    PostKind.ASSESSOR,
    PostKind.ADMIN,
)

# section → the post kinds that may open it (None: every account).
SECTIONS = {
    "grid_tree": {W, H, O, D, A, S},
    "my_day": {W},
    "residents": {W, H, O, S},
    "coverage": {W, H, O, A, S},
    "petitions": {W, H, O, D, S},
    "inbox": None,
    "assessment": {W, H, O, A, S},
    "party": {W, H, O, S},
    "dashboard": {H, O, A, S},
}


def menu_for(user) -> dict[str, bool]:
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return dict.fromkeys([*SECTIONS, "time_bank"], True)
    kinds = set(
        Post.objects.filter(user_id=user.pk, is_active=True).values_list("kind", flat=True).distinct()
    )
    menu = {name: allowed is None or bool(kinds & allowed) for name, allowed in SECTIONS.items()}
    menu["time_bank"] = _is_volunteer(user)
    return menu


def _is_volunteer(user) -> bool:
    from party.models import Volunteer

    return Volunteer.objects.filter(user_id=user.pk).exists()


def navigation(request):
    """Context processor: `nav.<section>` is True for the sections the user may open."""
    return {"nav": SimpleLazyObject(lambda: menu_for(request.user))}
