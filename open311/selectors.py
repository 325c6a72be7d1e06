"""What the GeoReport v2 endpoints read: the service list (our active leaf categories), a
service definition, and the public view of petitions as service requests.

Every answer is built in a fixed number of queries. What a request shows is public (the
standard's GET calls take no key): the description, the category, the place (coordinates
rounded, see COORDINATE_DECIMALS), the status and the dates; never the reporter's contact,
never staff notes, and only petitions of the sources the city publishes
(settings.OPEN311_PUBLIC_SOURCES, the residents' own reports by default).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hlgrid.errors import InvalidInput, NotFound
from open311.georeport import NOT_XML
from petitions.models import Category, Level, LimitUnit, Petition, Status

# At most this many requests in one answer, and this window by default (the standard's limits).
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
# Published coordinates are rounded to about 100 m: the place of the problem, not a doorstep.
COORDINATE_DECIMALS = 3

OPEN, CLOSED = "open", "closed"

# Every status of ours as (open/closed, status_notes). DRAFT is not a request yet: never shown.
STATUS_MAP = {
    Status.RECEIVED: (OPEN, gettext_lazy("Received, awaiting verification")),
    Status.VERIFIED: (OPEN, gettext_lazy("Verified, awaiting classification")),
    Status.ESCALATED: (OPEN, gettext_lazy("Handed up, awaiting assignment")),
    Status.HANDLING: (OPEN, gettext_lazy("Being handled")),
    Status.PAUSED: (OPEN, gettext_lazy("Handling paused")),
    Status.RESOLVED: (CLOSED, gettext_lazy("Resolved, awaiting the reporter's callback")),
    Status.CLOSED: (CLOSED, gettext_lazy("Resolved and closed")),
    Status.REJECTED: (CLOSED, gettext_lazy("Not accepted")),
    Status.MERGED: (CLOSED, gettext_lazy("Duplicate request, handled with another one")),
}
HIDDEN_STATUSES = [Status.DRAFT]
STATUSES_OF = {
    OPEN: [s for s, (kind, _note) in STATUS_MAP.items() if kind == OPEN],
    CLOSED: [s for s, (kind, _note) in STATUS_MAP.items() if kind == CLOSED],
}


# --- services -------------------------------------------------------------------------------------
def jurisdiction(raw: str | None):
    """The city a GeoReport call is about: `jurisdiction_id` is a city's code (HL, TM, ...).
    The standard asks for it only where an endpoint serves several jurisdictions: where one
    city is served, it is that city whatever the id; with several, one that names no city is
    not served (404) and a missing one is a clear error that names the codes (400)."""
    from grids import cities

    raw = (raw or "").strip()[:32]
    if NOT_XML.search(raw):
        raise InvalidInput.field("jurisdiction_id", _("Control characters are not allowed."))
    served = cities.cities()
    found = list(served[:2])
    if raw:
        city = served.filter(code=raw).first()
        if city is not None:
            return city
        if len(found) == 1:
            return found[0]  # one city: any id names it (the standard's examples send a domain)
        raise NotFound(_("jurisdiction_id %(code)s is not served here.") % {"code": raw})
    if len(found) == 1:
        return found[0]
    codes = ", ".join(served.values_list("code", flat=True))
    raise InvalidInput.field(
        "jurisdiction_id", _("jurisdiction_id is required here: one of %(codes)s.") % {"codes": codes}
    )


def _categories(city=None) -> QuerySet:
    found = Category.objects.filter(is_active=True, children__isnull=True)
    if city is not None:
        found = found.filter(city__tree_id=city.tree_id)
    return found.select_related("parent", "department").order_by("code")


def _limit(category: Category) -> str:
    unit = _("working days") if category.handle_unit == LimitUnit.WORKDAYS else _("hours")
    return f"{category.handle_limit} {unit}"


def service_description(category: Category) -> str:
    """What a client shows beside the service name: who handles it and within what time."""
    handler = category.department.name if category.department_id else Level(category.level).label
    return _("Handled by %(handler)s within %(limit)s.") % {"handler": handler, "limit": _limit(category)}


def service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": service_description(category),
        # No category asks sub-questions: no attributes, so no definition call is needed.
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(category.keyword_list),
        "group": category.parent.name if category.parent_id else "",
    }


def service_list(city) -> list[dict]:
    return [service_row(c) for c in _categories(city)]


def service_category(code: str, city=None) -> Category | None:
    """The active leaf category of a service_code in `city` (any city's without one: the code
    is known at all), None for an unknown or retired one."""
    if not code or len(code) > 32 or NOT_XML.search(code):
        return None  # no code holds such characters (and PostgreSQL refuses a NUL in a query)
    return _categories(city).filter(code=code).first()


def service_definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": []}


def catalogue_fingerprint() -> str:
    """A hash of what the service list says (codes, names, keywords, groups, departments)."""
    rows = list(_categories().values_list("code", "name", "keywords", "parent__name", "department__name"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# --- requests -------------------------------------------------------------------------------------
def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset of the configured time zone: 2026-12-01T19:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def public_status(petition: Petition) -> tuple[str, str] | None:
    """(open/closed, status_notes) of a petition; None for one that is not a request yet."""
    found = STATUS_MAP.get(petition.status)
    if found is None:
        return None
    kind, note = found
    return kind, str(note)


def agency_responsible(petition: Petition) -> str:
    """The department, else the node of the handling level (grid, its community, its street)."""
    if petition.department_id:
        return petition.department.name
    node = petition.grid
    climbs = {Level.COMMUNITY: 1, Level.STREET: 2}.get(petition.level, 0)
    for _step in range(climbs):
        if node.parent_id is None:
            break
        node = node.parent
    return node.name


def _updated(petition: Petition) -> datetime:
    if petition.status == Status.CLOSED and petition.closed_at:
        return petition.closed_at
    if petition.status == Status.RESOLVED and petition.resolved_at:
        return petition.resolved_at
    return petition.updated_at


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, COORDINATE_DECIMALS)


def request_row(petition: Petition) -> dict:
    kind, note = public_status(petition)
    submission = getattr(petition, "open311_submission", None)
    return {
        "service_request_id": petition.pk,
        "status": kind,
        "status_notes": note,
        "service_name": petition.category.name if petition.category_id else None,
        "service_code": petition.category.code if petition.category_id else None,
        "description": petition.description,
        "agency_responsible": agency_responsible(petition),
        "service_notice": None,
        "requested_datetime": w3c(petition.received_at or petition.created_at),
        "updated_datetime": w3c(_updated(petition)),
        "expected_datetime": w3c(petition.handle_due_at),
        "address": petition.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": _rounded(petition.latitude),
        "long": _rounded(petition.longitude),
        "media_url": (submission.media_url or None) if submission is not None else None,
    }


def public_requests() -> QuerySet:
    """The petitions the endpoint publishes, with what a row needs in the same query."""
    return (
        Petition.objects.filter(source__in=settings.OPEN311_PUBLIC_SOURCES)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("category", "department", "grid__parent__parent", "open311_submission")
        # Never shown, and decrypting them would cost a Fernet call per row.
        .defer("reporter_name", "reporter_phone", "open311_submission__email")
    )


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    tree_id: int | None = None  # a jurisdiction_id's city (every city's requests without one)


def request_window(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The standard's window: the last 90 days by default; one bound given, 90 days from it."""
    if start is None and end is None:
        return now - DEFAULT_WINDOW, now
    if start is None:
        return end - DEFAULT_WINDOW, end
    if end is None:
        return start, start + DEFAULT_WINDOW
    return start, end


def request_list(query: RequestQuery, *, now: datetime | None = None) -> list[dict]:
    """GET requests: by ids (which overrides every other argument), else by codes, statuses and
    the requested_datetime window; newest first, at most MAX_REQUESTS."""
    rows = public_requests()
    if query.tree_id is not None:
        rows = rows.filter(grid__tree_id=query.tree_id)
    if query.ids:
        rows = rows.filter(pk__in=query.ids)
    else:
        start, end = request_window(query.start, query.end, now=now or timezone.now())
        rows = rows.filter(received_at__gte=start, received_at__lte=end)
        if query.service_codes:
            rows = rows.filter(category__code__in=query.service_codes)
        if query.statuses:
            rows = rows.filter(status__in=[s for kind in query.statuses for s in STATUSES_OF[kind]])
    return [request_row(p) for p in rows.order_by("-received_at", "-id")[:MAX_REQUESTS]]


def request_get(pk: int) -> Petition | None:
    return public_requests().filter(pk=pk).first()
