"""Read queries over petitions, whistles and notifications, always scoped to the asking user.

The light shown is always computed from the stored times (hlgrid.lights), never read from
the column the sweep maintains, so a late sweep shows no wrong light. Who may do what is
asked of grids.access, the one permission policy.
"""

import math
import re
from datetime import datetime

from django.apps import apps
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from grids import access
from grids.access import get_scoped_or_404, scope_queryset
from grids.models import Department, GridNode, NodeKind, Post, PostKind
from grids.subtree import in_subtree
from hlgrid.crypto import lookup_hash, mask_name
from hlgrid.errors import InvalidInput
from hlgrid.lights import light_at, light_at_expression, rank_expression
from petitions.models import (
    ACTIVE_STATUSES,
    RISK_FIELDS,
    Attachment,
    AttachmentKind,
    Category,
    CheckIn,
    HandlingRequest,
    Level,
    Notification,
    Petition,
    PetitionEvent,
    PetitionJoin,
    RequestStatus,
    Satisfaction,
    Status,
    Whistle,
)
from petitions.services.common import DUPLICATE_RADIUS_M, LEVEL_RANK, is_handler, may_grant
from petitions.services.intake import TRACKING_ALPHABET, TRACKING_LENGTH, normalise_tracking_code
from petitions.services.joins import RATEABLE_STATUSES, distance_m
from petitions.services.judgement import REJUDGE_STATUSES
from petitions.services.takeover import TAKE_OVER_STATUSES, may_take_over

# Department staff see what is assigned to their department, not the whole city they sit at.
TERRITORIAL = [PostKind.WORKER, PostKind.HEAD, PostKind.OFFICIAL, PostKind.ASSESSOR, PostKind.ADMIN]


def petition_scope(*, user, queryset: QuerySet | None = None, now: datetime | None = None) -> QuerySet:
    queryset = Petition.objects.all() if queryset is None else queryset
    scoped = scope_queryset(
        user, queryset, node_path="grid", department_path="department", post_kinds=TERRITORIAL
    )
    return scoped.annotate(current_light=light_at_expression(now or timezone.now()))


def petition_list(
    *,
    user,
    light: str | None = None,
    status: str | None = None,
    active: bool | None = None,
    mine: bool = False,
    grid_id: int | None = None,
    query: str = "",
    source: str | None = None,
    urgency: str | None = None,
    risk: str | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """The caller's petitions, red first, then by due time (the worker inbox and the queues);
    `query` finds them by code, phone or words (`petition_search_filter`), `source` by channel,
    `urgency` and `risk` by the judgement at verification (研判)."""
    queryset = petition_scope(
        user=user,
        queryset=Petition.objects.select_related(
            "grid", "category", "category__parent", "assignee", "department"
        ),
        now=now,
    )
    if active:
        queryset = queryset.filter(status__in=ACTIVE_STATUSES)
    if status:
        queryset = queryset.filter(status=status)
    if light:
        queryset = queryset.filter(current_light=light)
    if mine:
        queryset = queryset.filter(
            Q(assignee=user) | Q(department__posts__user=user, department__posts__is_active=True)
        )
    if grid_id:
        queryset = queryset.filter(grid_id=grid_id)
    if source:
        queryset = queryset.filter(source=source)
    if urgency:
        queryset = queryset.filter(urgency=urgency)
    if risk:
        queryset = queryset.filter(**{RISK_FIELDS[risk]: True})
    if query:
        queryset = queryset.filter(petition_search_filter(query))
    return queryset.annotate(light_rank=rank_expression("current_light")).order_by(
        "light_rank", "due_at", "-id"
    )


def petition_get(*, user, pk, now: datetime | None = None) -> Petition:
    return get_scoped_or_404(
        user,
        Petition.objects.select_related(
            "grid", "grid__parent", "category", "category__parent", "assignee", "department", "merged_into"
        )
        .prefetch_related("attachments")
        .annotate(current_light=light_at_expression(now or timezone.now())),
        node_path="grid",
        department_path="department",
        post_kinds=TERRITORIAL,
        pk=pk,
    )


def petition_events(*, petition: Petition) -> QuerySet:
    return PetitionEvent.objects.filter(petition=petition).select_related("actor").order_by("at", "id")


def near_box(queryset: QuerySet, latitude: float, longitude: float) -> QuerySet:
    """The rows whose point lies in the box around (latitude, longitude) that holds the circle
    of DUPLICATE_RADIUS_M: filtered in SQL; the exact distance is then `distance_m`."""
    dlat = DUPLICATE_RADIUS_M / 111_320
    dlng = dlat / max(math.cos(math.radians(latitude)), 0.01)
    return queryset.filter(
        latitude__range=(latitude - dlat, latitude + dlat),
        longitude__range=(longitude - dlng, longitude + dlng),
    )


def possible_duplicates(*, user, petition: Petition, limit: int = 10) -> list[Petition]:
    """Same category, still open, within ~50 m: a bounding box in SQL, the exact distance here."""
    if petition.latitude is None or petition.longitude is None:
        return []
    candidates = (
        near_box(petition_scope(user=user), petition.latitude, petition.longitude)
        .filter(status__in=ACTIVE_STATUSES)
        .exclude(pk=petition.pk)
        .select_related("category", "category__parent", "grid")
        .order_by("received_at")
    )
    if petition.category_id:
        candidates = candidates.filter(category_id=petition.category_id)
    result = []
    for other in candidates[: limit * 3]:
        if (
            distance_m(petition.latitude, petition.longitude, other.latitude, other.longitude)
            <= DUPLICATE_RADIUS_M
        ):
            other.distance_m = round(
                distance_m(petition.latitude, petition.longitude, other.latitude, other.longitude)
            )
            result.append(other)
    return result[:limit]


# Digit runs that could be a phone, an ID or a door number are hidden in the public summary.
_LONG_NUMBER = re.compile(r"\d{5,}")
PUBLIC_SUMMARY_LENGTH = 40


def public_summary(description: str) -> str:
    """A short, public line of a report's description: no long numbers, at most 40 characters."""
    text = " ".join(_LONG_NUMBER.sub("***", description or "").split())
    return text if len(text) <= PUBLIC_SUMMARY_LENGTH else text[: PUBLIC_SUMMARY_LENGTH - 1] + "…"


def public_nearby(*, latitude: float, longitude: float, category_id: int, limit: int = 5) -> list[dict]:
    """The open reports of one category within DUPLICATE_RADIUS_M of a point, nearest first,
    for a resident about to report the same problem (no account, so no scope): the category,
    a short description, the day received, the status, how many photos and joiners — never
    the reporter, the phone, the address, the tracking code or a staff name. One query."""
    photos = (
        Attachment.objects.filter(petition=OuterRef("pk"), kind=AttachmentKind.INTAKE)
        .order_by()
        .values("petition")
        .annotate(n=Count("id"))
        .values("n")
    )
    joins = (
        PetitionJoin.objects.filter(petition=OuterRef("pk"))
        .order_by()
        .values("petition")
        .annotate(n=Count("id"))
        .values("n")
    )
    candidates = (
        near_box(Petition.objects.all(), latitude, longitude)
        .filter(status__in=ACTIVE_STATUSES, category_id=category_id, merged_into__isnull=True)
        .select_related("category", "category__parent")
        .annotate(
            photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0),
            joined_count=Coalesce(Subquery(joins, output_field=IntegerField()), 0),
        )
        .order_by("-received_at", "-id")
        .only(
            "pk",
            "status",
            "description",
            "received_at",
            "latitude",
            "longitude",
            "category__name",
            "category__parent__name",
        )[:50]
    )
    rows = []
    for other in candidates:
        metres = distance_m(latitude, longitude, other.latitude, other.longitude)
        if metres <= DUPLICATE_RADIUS_M:
            rows.append(
                {
                    "id": other.pk,
                    "category": str(other.category) if other.category_id else "",
                    "summary": public_summary(other.description),
                    "received_on": timezone.localdate(other.received_at) if other.received_at else None,
                    "status": other.status,
                    "status_display": other.get_status_display(),
                    "photo_count": other.photo_count,
                    "joined_count": other.joined_count,
                    "distance_m": round(metres),
                }
            )
    rows.sort(key=lambda r: r["distance_m"])
    return rows[:limit]


def join_summary(*, petition: Petition) -> dict:
    """For the staff on the petition's page: how many residents joined it, and their ratings."""
    return PetitionJoin.objects.filter(petition=petition).aggregate(
        count=Count("id"),
        rated=Count("id", filter=Q(rated_at__isnull=False)),
        satisfied=Count("id", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        unsatisfied=Count("id", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    )


def allowed_actions(*, user, petition: Petition) -> list[str]:
    """The verbs this user may use on this petition now (the page shows only these)."""
    roles = access.standing(user, petition.grid, department_id=petition.department_id)
    handler = is_handler(roles, petition)
    head_grant = may_grant(roles, petition)
    s = petition.status
    verbs = []
    if s == Status.DRAFT and roles.field_staff:
        verbs.append("submit")
    if s == Status.RECEIVED and roles.field_staff:
        verbs += ["verify", "reject", "merge"]
    if s == Status.VERIFIED and roles.field_staff:
        verbs += ["merge", "classify", "escalate"]
    if s == Status.ESCALATED and roles.head_at_rank(LEVEL_RANK[petition.level]):
        verbs += ["classify"]
        if petition.level == Level.COMMUNITY:
            verbs.append("escalate")
    if s == Status.HANDLING:
        if handler or roles.head:
            verbs += ["note", "resolve", "pause", "extend"]
        if roles.field_staff and petition.level in (Level.GRID, Level.COMMUNITY):
            verbs.append("escalate")
        if petition.level == Level.DEPARTMENT and (PostKind.DEPARTMENT in roles.kinds or roles.superuser):
            verbs.append("return")
    if s == Status.PAUSED and (handler or roles.head):
        verbs += ["note", "resume"]
    if s == Status.RESOLVED and roles.field_staff:
        verbs.append("callback")
    if head_grant and s == Status.HANDLING:
        verbs.append("grant")
    if s in TAKE_OVER_STATUSES and may_take_over(roles, petition):
        verbs.append("take_over")
    if s in REJUDGE_STATUSES and roles.field_staff:
        verbs.append("rejudge")
    return verbs


def pending_requests(*, petition: Petition) -> list[HandlingRequest]:
    return list(
        HandlingRequest.objects.filter(petition=petition, status=RequestStatus.PENDING).select_related(
            "requested_by"
        )
    )


def lights_board(*, user, root: GridNode, now: datetime | None = None) -> list[dict]:
    """Per child of `root` (or per grid at the bottom): open petitions by computed light. Two queries."""
    now = now or timezone.now()
    children = list(
        scope_queryset(
            user,
            root.get_children() if root.kind != NodeKind.GRID else GridNode.objects.filter(pk=root.pk),
            node_path="",
        )
    )
    rows = {c.pk: {"node": c, "GREEN": 0, "YELLOW": 0, "RED": 0, "PAUSED": 0, "total": 0} for c in children}
    if not children:
        return []
    # One grouped query over the subtree; each grid's counts are added to the child containing it.
    counts = (
        petition_scope(user=user, now=now)
        .filter(in_subtree(root, "grid"), status__in=ACTIVE_STATUSES)
        .values("grid__lft", "current_light", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    spans = [(c.lft, c.rght, c.pk) for c in children]
    for row in counts:
        for lft, rght, pk in spans:
            if lft <= row["grid__lft"] <= rght:
                key = "PAUSED" if row["status"] == Status.PAUSED else row["current_light"]
                rows[pk][key] += row["n"]
                rows[pk]["total"] += row["n"]
                break
    return sorted(rows.values(), key=lambda r: (-r["RED"], -r["YELLOW"], r["node"].code))


def light_totals(board: list[dict]) -> dict:
    return {k: sum(r[k] for r in board) for k in ("GREEN", "YELLOW", "RED", "PAUSED", "total")}


def public_petition(*, tracking_code: str) -> Petition | None:
    """A petition by tracking code, for its reporter (a merged duplicate shows its parent) or
    for a resident who joined it (我也遇到了: the joiner's own code shows the shared petition).

    The answer carries `asked_code` (the code asked for), `intake_code` (whose report photos
    are shown), `join` (the joiner's row, or None), `can_rate` and `my_satisfaction`."""
    code = normalise_tracking_code(tracking_code)
    if not code:
        return None
    found = (
        Petition.objects.select_related("grid", "category", "category__parent", "merged_into")
        .filter(tracking_code=code)
        .exclude(status=Status.DRAFT)
        .first()
    )
    join = None
    if found is None:
        join = (
            PetitionJoin.objects.select_related(
                "petition",
                "petition__grid",
                "petition__category",
                "petition__category__parent",
                "petition__merged_into",
            )
            .filter(tracking_code=code)
            .first()
        )
        if join is None:
            return None
        found = join.petition
    shown = found.merged_into if found.merged_into_id else found
    if shown is not found:
        shown = Petition.objects.select_related("grid", "category", "category__parent").get(pk=shown.pk)
    shown.current_light = light_at(
        due_at=shown.due_at, warn_at=shown.warn_at, stored=shown.light, now=timezone.now()
    )
    shown.asked_code = code if join is not None else found.tracking_code
    # A joiner sees the photos of the report they joined; a reporter those of their own.
    shown.intake_code = found.tracking_code
    shown.join = join
    shown.merged_from = found if shown is not found else None
    if join is None:
        shown.can_rate = shown.status == Status.RESOLVED
        shown.my_satisfaction = shown.satisfaction
    else:
        shown.can_rate = join.rated_at is None and shown.status in RATEABLE_STATUSES
        shown.my_satisfaction = join.satisfaction
    return shown


def public_petition_written(*, petition: Petition) -> Petition:
    """The tracking page of a report just written, from what its transaction wrote (the service
    leaves the rows on `petition.written`: its events and attachments) instead of reading it all
    back: the same fields as `public_petition` gives for the report's own code."""
    written = petition.written
    petition.current_light = light_at(
        due_at=petition.due_at, warn_at=petition.warn_at, stored=petition.light, now=timezone.now()
    )
    petition.asked_code = petition.intake_code = petition.tracking_code
    petition.join = petition.merged_from = None
    petition.can_rate = petition.status == Status.RESOLVED
    petition.my_satisfaction = petition.satisfaction
    petition.public_steps = [e for e in written["events"] if e.action in PUBLIC_ACTIONS]
    petition.public_photos = [a for a in written["attachments"] if a.kind == AttachmentKind.INTAKE]
    return petition


def attachment_get(*, user, pk) -> Attachment:
    """A petition's photo for the staff who may see the petition."""
    return get_scoped_or_404(
        user,
        Attachment.objects.all(),
        node_path="petition__grid",
        department_path="petition__department",
        post_kinds=TERRITORIAL,
        pk=pk,
    )


def public_attachments(*, petition: Petition) -> QuerySet:
    """The photos a reporter sees on the tracking page of `petition` (from `public_petition`):
    the photos of their own report, and how the problem was fixed. A merged report shows its
    parent's resolution photos, never the photos other residents sent with the parent; a
    joiner sees the photos of the report they chose to join."""
    own = Q(petition__tracking_code=petition.intake_code, kind=AttachmentKind.INTAKE)
    fixed = Q(petition=petition, kind=AttachmentKind.RESOLUTION)
    return Attachment.objects.filter(own | fixed).order_by("created_at", "id")


def public_attachment_get(*, tracking_code: str, pk) -> Attachment | None:
    petition = public_petition(tracking_code=tracking_code)
    if petition is None:
        return None
    try:
        return public_attachments(petition=petition).get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        return None


PUBLIC_ACTIONS = [
    "intake",
    "verify",
    "reject",
    "merge",
    "merged_in",
    "classify",
    "escalate",
    "pause",
    "resume",
    "extend",
    "resolve",
    "reopen",
    "close",
    "return",
]


def public_timeline(*, petition: Petition) -> QuerySet:
    """The steps a reporter sees: transitions only, no staff names or internal notes."""
    return PetitionEvent.objects.filter(petition=petition, action__in=PUBLIC_ACTIONS).order_by("at", "id")


def notification_list(*, user) -> QuerySet:
    return Notification.objects.filter(recipient=user).select_related("petition", "whistle")


def category_list(*, active_only: bool = True, tree_id: int | None = None, user=None) -> QuerySet:
    """The categories of the city of `tree_id` (a petition's grid's), or of `user`'s cities."""
    queryset = Category.objects.select_related("parent", "department")
    if active_only:
        queryset = queryset.filter(is_active=True)
    if tree_id is not None:
        queryset = queryset.filter(city__tree_id=tree_id)
    if user is not None:
        queryset = access.scope_to_cities(user, queryset)
    return queryset.order_by("code")


def category_leaves(*, tree_id: int | None = None, user=None) -> QuerySet:
    return category_list(tree_id=tree_id, user=user).filter(children__isnull=True)


def departments_of(node) -> QuerySet:
    """The active departments of the node's city (a petition is handed only to its own)."""
    return Department.objects.filter(is_active=True, city__tree_id=node.tree_id).order_by("code")


def _street_whistles(user) -> QuerySet:
    """The whistles of the streets the user covers by territory (not by department)."""
    return scope_queryset(user, Whistle.objects.all(), node_path="street", post_kinds=TERRITORIAL)


def whistle_scope(*, user) -> QuerySet:
    """Whistles of the user's streets, plus those that summoned the user's department."""
    territorial = _street_whistles(user)
    summoned = CheckIn.objects.filter(
        whistle=OuterRef("pk"),
        department__posts__user_id=user.pk,
        department__posts__is_active=True,
        department__posts__kind=PostKind.DEPARTMENT,
    )
    return Whistle.objects.filter(Q(pk__in=territorial.values("pk")) | Q(Exists(summoned)))


def whistle_list(*, user, now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    checkins = CheckIn.objects.select_related("department", "checked_in_by").annotate(
        current_light=light_at_expression(now)
    )
    return (
        whistle_scope(user=user)
        .select_related("street", "petition", "blown_by")
        .prefetch_related(Prefetch("checkins", queryset=checkins))
        .order_by("status", "-blown_at")
    )


def whistle_get(*, user, pk) -> Whistle:
    whistle = whistle_list(user=user).filter(pk=pk).first()
    if whistle is None:
        from django.http import Http404

        raise Http404
    return whistle


def checkin_scope(*, user, now: datetime | None = None) -> QuerySet:
    """Check-ins of the whistles of the user's streets, and its own departments' check-ins: a
    department summoned with others sees its own, not theirs (the whistle's page shows them all)."""
    territorial = _street_whistles(user)
    own = Post.objects.filter(
        user_id=user.pk, is_active=True, kind=PostKind.DEPARTMENT, department_id=OuterRef("department_id")
    )
    return (
        CheckIn.objects.filter(Q(whistle__in=territorial.values("pk")) | Q(Exists(own)))
        .select_related("department", "whistle")
        .annotate(current_light=light_at_expression(now or timezone.now()))
    )


def user_departments(*, user) -> list[int]:
    return list(
        Post.objects.filter(user=user, is_active=True, kind=PostKind.DEPARTMENT).values_list(
            "department_id", flat=True
        )
    )


def grid_workers(*, grid: GridNode) -> list:
    from hlgrid.models import User

    workers = access.posts_at(grid.pk, kinds=[PostKind.WORKER]).values("user_id")
    return list(User.objects.filter(pk__in=workers).order_by("username"))


def category_settings_list(*, user) -> QuerySet:
    """Every category (inactive too) of the user's cities with the count of its unfinished
    petitions, for the settings page (any official reads it: grids.access.may_view_configuration)."""
    return (
        access.scope_to_cities(user, Category.objects.select_related("parent", "department", "city"))
        .annotate(open_count=Count("petitions", filter=Q(petitions__status__in=ACTIVE_STATUSES)))
        .order_by("city__code", "code")
    )


def category_open_count(category: Category) -> int:
    return Petition.objects.filter(category=category, status__in=ACTIVE_STATUSES).count()


def visit_of(*, user, petition: Petition):
    """The visit a petition was taken in from (its time for the draft page), if the user may see it."""
    if petition.visit_id is None:
        return None
    try:
        from residents.models import Visit  # residents is optional for petitions
    except ImportError:
        return None
    return (
        scope_queryset(user, Visit.objects.all(), node_path="grid", post_kinds=TERRITORIAL)
        .filter(pk=petition.visit_id)
        .select_related("household")
        .first()
    )


def grid_points(grid_ids: list[int]) -> list[tuple[int, int, float | None, float | None]]:
    """The map editor's point source (grids.territory): every petition in these grids, with its
    coordinates (None when it has none). Unscoped: the grids service has checked the actor."""
    return list(
        Petition.objects.filter(grid_id__in=grid_ids)
        .order_by()
        .values_list("pk", "grid_id", "longitude", "latitude")
    )


SEARCH_MAX_LENGTH = 100
SEARCH_MAX_WORDS = 5


def _phone_hashes(text: str) -> list[str] | None:
    """The keyed hashes a phone number may be stored under, or None when `text` is no phone.

    A mobile is stored as its 11 digits; a landline as it was typed (with or without the
    dash after its 3- or 4-digit area code), so each spelling is looked up."""
    from hlgrid.inputs import LANDLINE, MOBILE, phone

    try:
        number = phone(text)
    except InvalidInput:
        return None
    if MOBILE.match(number):
        spellings = {number}
    elif LANDLINE.match(number):
        digits = number.replace("-", "")
        spellings = {digits, f"{digits[:3]}-{digits[3:]}", f"{digits[:4]}-{digits[4:]}"}
    else:
        return None
    return sorted(lookup_hash(s) for s in spellings)


def petition_search_filter(text: str) -> Q:
    """One search box: a tracking code (exact, normalised; a joined resident's code finds the
    petition joined), a phone (exact, through the keyed hash of the reporter's and the
    joiners' phones — no row is decrypted), or words that must all occur in the description.
    A code-shaped text also matches as words. Scope is the caller's queryset's business."""
    text = (text or "").strip()[:SEARCH_MAX_LENGTH]
    if not text:
        return Q()
    hashes = _phone_hashes(text)
    if hashes is not None:
        joined = PetitionJoin.objects.filter(petition=OuterRef("pk"), reporter_phone_hash__in=hashes)
        return Q(reporter_phone_hash__in=hashes) | Q(Exists(joined))
    words = Q()
    for word in text.split()[:SEARCH_MAX_WORDS]:
        words &= Q(description__icontains=word)
    code = normalise_tracking_code(text)
    if len(code) == TRACKING_LENGTH and set(code) <= set(TRACKING_ALPHABET):
        joined = PetitionJoin.objects.filter(petition=OuterRef("pk"), tracking_code=code)
        return Q(tracking_code=code) | Q(Exists(joined)) | words
    return words


def public_grid_map() -> dict:
    """The grids (polygons, names, their community) and the communities' label points for the
    residents' pin map, and where it starts (the middle of the city). Two queries."""
    grids = list(
        GridNode.objects.filter(kind=NodeKind.GRID, boundary__isnull=False)
        .select_related("parent")
        .only("pk", "name", "boundary", "parent__name", "min_lat", "max_lat", "min_lng", "max_lng")
        .order_by("code")
    )
    communities = list(
        GridNode.objects.filter(kind=NodeKind.COMMUNITY, centroid_lat__isnull=False)
        .order_by("code")
        .values("name", "centroid_lat", "centroid_lng")
    )
    features = [
        {
            "type": "Feature",
            "geometry": g.boundary,
            "properties": {"id": g.pk, "name": g.name, "community": g.parent.name if g.parent_id else ""},
        }
        for g in grids
    ]
    if grids:
        lat = (min(g.min_lat for g in grids) + max(g.max_lat for g in grids)) / 2
        lng = (min(g.min_lng for g in grids) + max(g.max_lng for g in grids)) / 2
    else:
        lat, lng = 42.54, 129.0
    return {
        "grids": {"type": "FeatureCollection", "features": features},
        "communities": [
            {"name": c["name"], "lat": c["centroid_lat"], "lng": c["centroid_lng"]} for c in communities
        ],
        "start": {"lat": lat, "lng": lng, "zoom": 13, "grid": None},
    }


# --- 研判: the key person (重点人群) a petition involves -------------------------------------
class KeyMatch:
    """Why a key person is suggested, strongest first."""

    PHONE = "PHONE"
    VISIT = "VISIT"
    HOUSEHOLD = "HOUSEHOLD"
    BUILDING = "BUILDING"

    ORDER = (PHONE, VISIT, HOUSEHOLD, BUILDING)
    # Strong enough to be chosen on the form unless the verifier unticks it.
    PRESELECTED = (PHONE, VISIT, HOUSEHOLD)


KEY_MATCH_LABELS = {
    KeyMatch.PHONE: gettext_lazy("the reporter's phone is theirs or their guardian's"),
    KeyMatch.VISIT: gettext_lazy("the household of the visit"),
    KeyMatch.HOUSEHOLD: gettext_lazy("the household at the address"),
    KeyMatch.BUILDING: gettext_lazy("lives in the building at the address"),
}
# The phone comparison decrypts the phones of the key people of one community: a bound.
KEY_PHONE_SCAN = 3000
KEY_SUGGESTIONS = 5


def _key_memberships(user):
    from residents.models import KeyMembership  # residents is optional for petitions

    return scope_queryset(
        user,
        KeyMembership.objects.filter(is_active=True),
        node_path="grid",
        post_kinds=access.RESIDENT_KINDS,
    )


def _key_row(membership, reason: str) -> dict:
    return {
        "id": membership.pk,
        "name": mask_name(membership.resident.name),
        "group": membership.group.name,
        "reason": reason,
        "reason_label": str(KEY_MATCH_LABELS[reason]),
        "preselected": reason in KeyMatch.PRESELECTED,
    }


def key_person_suggestions(*, user, petition: Petition) -> list[dict]:
    """The key people of the register this petition may involve, strongest match first: the
    reporter's phone (compared through the keyed hash, never shown), the household of the
    visit it came from, the household or the building its address names. Only key people the
    user may see; names masked. At most six queries whatever the register's size."""
    if not apps.is_installed("residents"):
        return []
    from residents.models import Building, Household, Visit

    found: dict[int, tuple[str, object]] = {}
    memberships = _key_memberships(user).select_related("resident", "group")

    if petition.reporter_phone_hash and petition.grid.parent_id:
        community = petition.grid.parent
        near = memberships.filter(in_subtree(community, "grid")).only(
            "pk", "guardian_phone", "resident", "group", "resident__name", "resident__phone", "group__name"
        )
        for membership in near.order_by("pk")[:KEY_PHONE_SCAN]:
            for number in (membership.resident.phone, membership.guardian_phone):
                hashes = _phone_hashes(number) if number else None
                if hashes and petition.reporter_phone_hash in hashes:
                    found.setdefault(membership.pk, (KeyMatch.PHONE, membership))

    households: dict[int, str] = {}
    if petition.visit_id:
        visited = Visit.objects.filter(pk=petition.visit_id).values_list("household_id", flat=True).first()
        if visited:
            households[visited] = KeyMatch.VISIT
    buildings: list[int] = []
    address = (petition.address or "").strip()
    if address:
        text = Value(address, output_field=CharField())
        at_address = (
            Household.objects.filter(grid_id=petition.grid_id)
            .exclude(label="")
            .annotate(text=text)
            .filter(text__contains=F("label"))
        )
        for pk in at_address.values_list("pk", flat=True)[:20]:
            households.setdefault(pk, KeyMatch.HOUSEHOLD)
        buildings = list(
            Building.objects.filter(grid_id=petition.grid_id)
            .annotate(text=text)
            .filter(
                (Q(text__contains=F("address")) & ~Q(address=""))
                | (Q(text__contains=F("name")) & ~Q(name=""))
            )
            .values_list("pk", flat=True)[:5]
        )
    if households or buildings:
        placed = memberships.filter(
            Q(resident__household_id__in=list(households))
            | Q(resident__household__unit__building_id__in=buildings)
        ).order_by("pk")
        for membership in placed[:50]:
            reason = households.get(membership.resident.household_id, KeyMatch.BUILDING)
            found.setdefault(membership.pk, (reason, membership))

    ranked = sorted(found.values(), key=lambda pair: (KeyMatch.ORDER.index(pair[0]), pair[1].pk))
    return [_key_row(membership, reason) for reason, membership in ranked[:KEY_SUGGESTIONS]]


def key_person_summary(*, user, petition: Petition) -> dict | None:
    """The key person linked at verification, as the user may see it (masked), or None."""
    if not petition.key_person_id or not apps.is_installed("residents"):
        return None
    membership = (
        _key_memberships(user).select_related("resident", "group").filter(pk=petition.key_person_id).first()
    )
    if membership is None:
        return None
    return {"id": membership.pk, "name": mask_name(membership.resident.name), "group": membership.group.name}
