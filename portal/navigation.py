"""The navigation each role is shown: only the sections its posts can open.

Every section names the post kinds that may use it; a user sees a section when it holds an
active post of one of those kinds (a superuser sees everything). Volunteers hold no post:
the time bank shows for them by their volunteer record, as the Party member's own pages by
their in-service membership, a social worker's duty by their social worker record and a member
unit's records by its contact account. One query per page (the kinds of post, those records
and the badges' unread counts), evaluated only when a template reads the menu.
"""

import functools

from django.db import connection
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


class Menu(dict):
    """The sections the user may open (name → shown), with the badges of the menu.

    `unread` holds the user's unread counts of the apps whose menu items carry a badge
    (petitions' inbox, mediation's and deliberation's notices); `key` names one rendering
    of the menu: two users with the same sections, badges and staff flag get the same HTML,
    so base.html keeps it in the per-process template cache under that key instead of
    rendering some forty links and icons on every page."""

    def __init__(self, sections=(), *, unread=None, staff=False):
        super().__init__(sections)
        self.unread = unread or {}
        self.staff = staff

    @property
    def key(self) -> str:
        shown = ",".join(sorted(name for name, visible in self.items() if visible))
        badges = ",".join(f"{name}={n}" for name, n in sorted(self.unread.items()))
        return f"{shown}|{badges}|{int(self.staff)}"

    def __getattr__(self, name):
        # `nav.unread_mediation` in a template: the badge's count (0 when none)
        if name.startswith("unread_"):
            return self.unread.get(name.removeprefix("unread_"), 0)
        raise AttributeError(name)


def menu_for(user) -> Menu:
    if not user.is_authenticated:
        return Menu()
    row = _menu_row(user)
    own = {name: row[f"own_{name}"] for name in OWN_RECORDS}
    unread = {name: row[f"unread_{name}"] for name in UNREAD}
    if user.is_superuser:
        # Every section; the time bank is a volunteer's own page, so only for a volunteer; the
        # other own pages likewise only for whom they belong to.
        volunteer = own["volunteer"]
        sections = {
            **dict.fromkeys(SECTIONS, True),
            **own,
            "time_bank": volunteer,
            "activities": volunteer,
            "member_claims": False,
        }
        return Menu(sections, unread=unread, staff=user.is_staff)
    kinds = {kind for kind in EVERY_POST if row[f"post_{kind}"]}
    menu = {name: allowed is None or bool(kinds & allowed) for name, allowed in SECTIONS.items()}
    menu |= own
    menu["time_bank"] = own["volunteer"]
    # Activities are open to every account; they are a menu item of their own for people whose
    # work is there (volunteers, in-service Party members) rather than under the Party chain.
    menu["activities"] = menu["time_bank"] or (not kinds and own["in_service"])
    # An in-service member without a post claims the needs and small wishes of its grid (lists'
    # member page); no further query: `activities` is true here only for such a member.
    menu["member_claims"] = menu["activities"] and not menu["time_bank"]
    return Menu(menu, unread=unread, staff=user.is_staff)


OWN_RECORDS = ("volunteer", "in_service", "social_worker", "member_unit")
UNREAD = ("petitions", "mediation", "deliberation")


USER = object()  # in _menu_query's parameters: the user's id


@functools.cache
def _menu_query() -> tuple[str, list[str], list]:
    """The SQL of the menu's row, its columns, and its parameters (USER: the user's id).

    Written by hand, once per process: the ORM takes 5 ms to compile these thirteen
    subqueries, which would be the costliest part of rendering most pages."""
    from deliberation.models import Notice as DeliberationNotice
    from mediation.models import Notice as MediationNotice
    from party.models import InServiceMember, MemberUnit, SocialWorker, Volunteer
    from petitions.models import Notification

    columns, params = [], []

    def column(name: str, sql: str, *values) -> None:
        columns.append((name, sql))
        params.extend(values)

    def col(model, field: str) -> str:
        return model._meta.get_field(field).column

    def rows(model, where: str) -> str:
        return f"SELECT 1 FROM {model._meta.db_table} WHERE {where}"

    for kind in sorted(EVERY_POST):
        where = f"{col(Post, 'user')} = %s AND {col(Post, 'is_active')} = %s AND {col(Post, 'kind')} = %s"
        column(f"post_{kind}", f"EXISTS({rows(Post, where)})", USER, True, kind)
    for name, model, user_field in (
        ("volunteer", Volunteer, "user"),
        ("in_service", InServiceMember, "user"),
        ("member_unit", MemberUnit, "contact_user"),
    ):
        column(f"own_{name}", f"EXISTS({rows(model, f'{col(model, user_field)} = %s')})", USER)
    where = f"{col(SocialWorker, 'user')} = %s AND {col(SocialWorker, 'is_active')} = %s"
    column("own_social_worker", f"EXISTS({rows(SocialWorker, where)})", USER, True)
    for name, model in (
        ("petitions", Notification),
        ("mediation", MediationNotice),
        ("deliberation", DeliberationNotice),
    ):
        where = f"{col(model, 'recipient')} = %s AND {col(model, 'read_at')} IS NULL"
        column(f"unread_{name}", f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE {where})", USER)
    sql = "SELECT " + ", ".join(f"{expression} AS {name}" for name, expression in columns)
    return sql, [name for name, _ in columns], params


def _menu_row(user) -> dict:
    """Everything the menu depends on, in one query: which kinds of post the user holds, its
    own records (the Party app's own pages) and its unread counts."""
    sql, names, params = _menu_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if value is USER else value for value in params])
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True))


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
    return {"nav": SimpleLazyObject(lambda: menu_for(user) if user is not None else Menu())}
