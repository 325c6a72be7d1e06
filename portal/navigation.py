"""The navigation each role is shown: only the sections its posts can open.

Every section names the post kinds that may use it; a user sees a section when it holds an
active post of one of those kinds (a superuser sees everything). Volunteers hold no post:
the time bank shows for them by their volunteer record, as the Party member's own pages by
their in-service membership, a social worker's duty by their social worker record and a member
unit's records by its contact account. Two queries per page (the posts, and one for all of
those records), evaluated only when a template reads the menu.
"""

from django.db.models import Exists, OuterRef
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
    # The four lists and 四社联动 (lists); an in-service member has its own claim page (below).
    "lists": {WORKER, HEAD, OFFICIAL, ADMIN},
    "deliberation": {WORKER, HEAD, OFFICIAL, ADMIN},
    # 督办 orders (to answer or issued) and the heads' accountability cases.
    "supervision": {WORKER, HEAD, OFFICIAL, DEPARTMENT, ADMIN},
    "announcements": {WORKER, HEAD, OFFICIAL, ADMIN},
    "dashboard": {HEAD, OFFICIAL, ASSESSOR, ADMIN},
    # The weekly and monthly bulletins (bulletins): those who read the dashboards.
    "bulletins": {HEAD, OFFICIAL, ASSESSOR, ADMIN},
    # The office's own administration (grids.access.manages_people, may_view_configuration).
    "people": {OFFICIAL, ADMIN},
    "roster": {WORKER, HEAD, OFFICIAL, ADMIN},
    "settings": {OFFICIAL, ADMIN},
}


def menu_for(user) -> dict[str, bool]:
    if not user.is_authenticated:
        return {}
    own = own_records(user)
    if user.is_superuser:
        # Every section; the time bank is a volunteer's own page, so only for a volunteer; the
        # other own pages likewise only for whom they belong to.
        volunteer = own["volunteer"]
        return {
            **dict.fromkeys(SECTIONS, True),
            **own,
            "time_bank": volunteer,
            "activities": volunteer,
            "member_claims": False,
        }
    kinds = set(
        Post.objects.filter(user_id=user.pk, is_active=True).values_list("kind", flat=True).distinct()
    )
    menu = {name: allowed is None or bool(kinds & allowed) for name, allowed in SECTIONS.items()}
    menu |= own
    menu["time_bank"] = own["volunteer"]
    # Activities are open to every account; they are a menu item of their own for people whose
    # work is there (volunteers, in-service Party members) rather than under the Party chain.
    menu["activities"] = menu["time_bank"] or (not kinds and own["in_service"])
    # An in-service member without a post claims the needs and small wishes of its grid (lists'
    # member page); no further query: `activities` is true here only for such a member.
    menu["member_claims"] = menu["activities"] and not menu["time_bank"]
    return menu


def own_records(user) -> dict[str, bool]:
    """Which of the Party app's own pages the user has (one query): `volunteer` (the time
    bank), `in_service` (an in-service Party member's page), `social_worker` (a social worker's
    duty and window services) and `member_unit` (the contact of a member unit)."""
    from hlgrid.models import User
    from party.models import InServiceMember, MemberUnit, SocialWorker, Volunteer

    names = ("volunteer", "in_service", "social_worker", "member_unit")
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            own_volunteer=Exists(Volunteer.objects.filter(user_id=OuterRef("pk"))),
            own_in_service=Exists(InServiceMember.objects.filter(user_id=OuterRef("pk"))),
            own_social_worker=Exists(SocialWorker.objects.filter(user_id=OuterRef("pk"), is_active=True)),
            own_member_unit=Exists(MemberUnit.objects.filter(contact_user_id=OuterRef("pk"))),
        )
        .values_list(*(f"own_{name}" for name in names))
        .first()
    )
    return dict(zip(names, row or (False,) * len(names), strict=True))


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
