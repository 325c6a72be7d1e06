"""What changes state for Open311: issuing and switching API keys, and a client's request
becoming a petition through the residents' public intake (petitions.services).

A request enters exactly as a resident's web report does (source RESIDENT, the same routing
into a grid, the same clocks and notifications): the civic apps that speak Open311 are the
residents' own tools. What the petition has no column for is kept beside it
(Open311Submission). Keys are random, shown once, and stored as a keyed hash only.
"""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from hlgrid.crypto import lookup_hash
from hlgrid.errors import Forbidden, InvalidInput, NotFound
from open311 import selectors
from open311.georeport import NOT_XML
from open311.models import Open311Catalogue, Open311Client, Open311Submission
from petitions import services as petitions
from petitions.models import Petition
from residents.selectors import building_public_search

KEY_PREFIX = "o311_"
NAME_MAX = 100
DESCRIPTION_MAX = 2000  # the intake's limit (the standard allows up to 4000)
# Our intake's field names, as the standard's parameters.
FIELD_NAMES = {"location": "lat", "reporter_phone": "phone", "reporter_name": "first_name"}


def _key_hash(key: str) -> str:
    return lookup_hash("open311:" + key)


def open311_client_create(*, actor, name: str) -> tuple[Open311Client, str]:
    """Issue a key for a client: (client, the key in clear, shown this once)."""
    access.require_may_configure(actor)
    name = (name or "").strip()
    if not name:
        raise InvalidInput.field("name", _("Name the client (the app or organisation)."))
    if len(name) > NAME_MAX:
        raise InvalidInput.field("name", _("At most %(n)d characters.") % {"n": NAME_MAX})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        name=name, key_hash=_key_hash(key), key_prefix=key[:12], created_by=access.recorded(actor)
    )
    return client, key


def open311_client_set_active(*, actor, client_id: int, active: bool) -> Open311Client:
    """Revoke (or restore) a client's key; its past submissions stay."""
    access.require_may_configure(actor)
    with transaction.atomic():
        client = Open311Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFound()
        client.is_active = bool(active)
        client.save(update_fields=["is_active"])
    return client


def open311_catalogue_refresh(*, actor, now: datetime | None = None) -> datetime:
    """When the service list last changed (the discovery document's changeset): its fingerprint
    is kept with the time it was first seen, so the changeset moves exactly when the list does.
    Bookkeeping on a reader's behalf: the discovery view passes grids.access.SYSTEM."""
    if actor is None:
        raise Forbidden()
    fingerprint = selectors.catalogue_fingerprint()
    now = now or timezone.now()
    # Almost every call finds the list unchanged: a plain read answers it without a row lock.
    seen = Open311Catalogue.objects.filter(pk=1, fingerprint=fingerprint).values_list("changed_at", flat=True)
    if seen:
        return seen[0]
    with transaction.atomic():
        Open311Catalogue.objects.get_or_create(pk=1, defaults={"fingerprint": fingerprint, "changed_at": now})
        current = Open311Catalogue.objects.select_for_update().get(pk=1)
        if current.fingerprint != fingerprint:
            current.fingerprint, current.changed_at = fingerprint, now
            current.save(update_fields=["fingerprint", "changed_at"])
    return current.changed_at


def open311_client_authenticate(*, api_key: str | None) -> Open311Client:
    """The active client holding this key, or 403 (the standard's answer to a bad api_key)."""
    key = (api_key or "").strip()
    client = None
    if key and len(key) <= 200:
        client = Open311Client.objects.filter(key_hash=_key_hash(key), is_active=True).first()
    if client is None:
        raise Forbidden(_("Invalid api_key received -- can't proceed with create_request."))
    return client


def _text(value, *, field: str, limit: int) -> str:
    """Stripped text without control characters (PostgreSQL refuses NUL, XML most others)."""
    text = NOT_XML.sub("", value if isinstance(value, str) else str(value or "")).strip()
    if len(text) > limit:
        raise InvalidInput.field(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _coordinate(value, *, field: str) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput.field(field, _("Enter a number in decimal degrees (WGS84).")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput.field(field, _("Enter a number in decimal degrees (WGS84)."))
    return number


def _name(first: str, last: str) -> str:
    """Chinese names are written family name first and without a space."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _renamed(error: InvalidInput) -> InvalidInput:
    errors = {FIELD_NAMES.get(field, field): messages for field, messages in error.errors.items()}
    renamed = InvalidInput(error.detail, errors=errors)
    renamed.status_code = error.status_code
    return renamed


def _point_of_address(address_string: str) -> tuple[float, float]:
    """The point of the one building of the register an address names (see the caller)."""
    address = (address_string or "").strip()[:200]
    if not address:
        raise InvalidInput.field(
            "lat",
            _("Give lat and long, or an address_string: requests are routed to a grid by their position."),
        )
    found = building_public_search(query=address, limit=2)
    if not found:
        raise InvalidInput.field(
            "address_string", _("No building of the register has this address: give lat and long.")
        )
    if len(found) > 1:
        raise InvalidInput.field(
            "address_string",
            _("This address names several buildings: give a fuller address (its number), or lat and long."),
        )
    return found[0]["latitude"], found[0]["longitude"]


def _category_at(code: str, latitude: float, longitude: float, jurisdiction_id: str):
    """The service_code's category in the city of the point: a request is routed by its
    position, and each city has its own categories (the same codes may recur). A
    `jurisdiction_id` that names another city than the point's is refused."""
    from grids.locator import locate

    located = locate(latitude, longitude)
    if located is None:
        raise InvalidInput.field("lat", _("This location is outside the service area."))
    if jurisdiction_id:
        city = selectors.jurisdiction(jurisdiction_id)
        if city.tree_id != located.tree_id:
            raise InvalidInput.field(
                "lat", _("This location is outside jurisdiction %(code)s.") % {"code": city.code}
            )
    category = selectors.service_category(code, located)
    if category is None:
        raise NotFound(_("service_code %(code)s is not served at this location.") % {"code": code[:32]})
    return category


def open311_request_submit(
    *,
    client: Open311Client,
    service_code: str | None,
    lat=None,
    long=None,
    address_string: str = "",
    description: str = "",
    email: str = "",
    phone: str = "",
    first_name: str = "",
    last_name: str = "",
    media_url: str = "",
    account_id: str = "",
    jurisdiction_id: str = "",
    now: datetime | None = None,
) -> Petition:
    """POST requests: a petition through the public intake, and its submission row, together.

    The standard's location is lat & long, address_string or address_id; petitions are routed
    by a point. Without lat & long, an address_string that names exactly one building of the
    register (its address, name or number with the grid's, community's or street's name) gives
    that building's point; one that names none or several is refused with the reason, so the
    client can ask its user for a position. The address_string is kept as the address.
    """
    if client is None:
        raise Forbidden()
    code = (service_code or "").strip()
    if not code:
        raise InvalidInput.field("service_code", _("service_code was not provided."))
    if selectors.service_category(code) is None:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": code[:32]})
    latitude = _coordinate(lat, field="lat")
    longitude = _coordinate(long, field="long")
    if latitude is None or longitude is None:
        latitude, longitude = _point_of_address(address_string)
    category = _category_at(code, latitude, longitude, jurisdiction_id)
    description = _text(description, field="description", limit=DESCRIPTION_MAX) or category.name
    first = _text(first_name, field="first_name", limit=30)
    last = _text(last_name, field="last_name", limit=30)
    email = _text(email, field="email", limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput.field("email", _("Enter a valid e-mail address.")) from None
    media_url = _text(media_url, field="media_url", limit=500)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise InvalidInput.field("media_url", _("Enter a valid http(s) URL.")) from None
    account_id = _text(account_id, field="account_id", limit=64)
    try:
        with transaction.atomic():
            petition = petitions.public_petition_report(
                description=description,
                latitude=latitude,
                longitude=longitude,
                category=category,
                address=_text(address_string, field="address_string", limit=200),
                reporter_name=_name(first, last),
                reporter_phone=phone or "",
                now=now,
            )
            Open311Submission.objects.create(
                client=client, petition=petition, account_id=account_id, email=email, media_url=media_url
            )
            Open311Client.objects.filter(pk=client.pk).update(last_used_at=now or timezone.now())
    except InvalidInput as error:
        raise _renamed(error) from None
    return petition
