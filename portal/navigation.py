"""The navigation each role is shown: only the sections its posts can open.

Every section names the post kinds that may use it; a user sees a section when it holds an
active post of one of those kinds (a superuser sees everything). Volunteers hold no post:
the time bank shows for them by their volunteer record. Two queries per page (three for an
account without a post), evaluated only when a template reads the menu.
"""

from django.utils.functional import SimpleLazyObject

from grids.models import Post, PostKind

WORKER, HEAD, OFFICIAL, DEPARTMENT, ASSESSOR, ADMIN = (
    PostKind.WORKER,
    PostKind.HEAD,
    PostKind.OFFICIAL,
    PostKind.DEPARTMENT,
    PostKind.ASSESSOR,
    PostKind.ADMIN,
)
EVERY_POST = {WORKER, HEAD, OFFICIAL, DEPARTMENT, ASSESSOR, ADMIN}

# section → the post kinds that may open it (None: every account).
SECTIONS = {
    "grid_tree": EVERY_POST,
    "my_day": {WORKER},
    "residents": {WORKER, HEAD, OFFICIAL, ADMIN},
    "coverage": {WORKER, HEAD, OFFICIAL, ASSESSOR, ADMIN},
    "petitions": {WORKER, HEAD, OFFICIAL, DEPARTMENT, ADMIN},
    # Taking a petition in (接诉登记): the field staff of grids.access.FIELD_KINDS.
    "petition_intake": {WORKER, HEAD, OFFICIAL},
    "inbox": None,
    "assessment": {WORKER, HEAD, OFFICIAL, ASSESSOR, ADMIN},
    "party": {WORKER, HEAD, OFFICIAL, ADMIN},
    "mediation": {WORKER, HEAD, OFFICIAL, ADMIN},
    "property": {WORKER, HEAD, OFFICIAL, ADMIN},
    "deliberation": {WORKER, HEAD, OFFICIAL, ADMIN},
    "announcements": {WORKER, HEAD, OFFICIAL, ADMIN},
    "dashboard": {HEAD, OFFICIAL, ASSESSOR, ADMIN},
    # The office's own administration (grids.access.manages_people, may_view_configuration).
    "people": {OFFICIAL, ADMIN},
    "roster": {WORKER, HEAD, OFFICIAL, ADMIN},
    "settings": {OFFICIAL, ADMIN},
}


def menu_for(user) -> dict[str, bool]:
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        # Every section; the time bank is a volunteer's own page, so only for a volunteer.
        volunteer = is_volunteer(user)
        return {**dict.fromkeys(SECTIONS, True), "time_bank": volunteer, "activities": volunteer}
    kinds = set(
        Post.objects.filter(user_id=user.pk, is_active=True).values_list("kind", flat=True).distinct()
    )
    menu = {name: allowed is None or bool(kinds & allowed) for name, allowed in SECTIONS.items()}
    menu["time_bank"] = is_volunteer(user)
    # Activities are open to every account; they are a menu item of their own for people whose
    # work is there (volunteers, in-service Party members) rather than under the Party chain.
    menu["activities"] = menu["time_bank"] or (not kinds and is_in_service_member(user))
    return menu


def is_volunteer(user) -> bool:
    from party.models import Volunteer

    return Volunteer.objects.filter(user_id=user.pk).exists()


def is_in_service_member(user) -> bool:
    from party.models import InServiceMember

    return InServiceMember.objects.filter(user_id=user.pk).exists()


def navigation(request):
    """Context processor: `nav.<section>` is True for the sections the user may open.

    A request Django refused before the authentication middleware ran (a bad Host header) has
    no user; its error page shows no menu."""
    user = getattr(request, "user", None)
    return {"nav": SimpleLazyObject(lambda: menu_for(user) if user is not None else {})}
