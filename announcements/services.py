"""Every change to announcements: publish, update, withdraw (keyword-only, explicit actor).

Who may: a head or official at or above the node (grids.access.require_may_announce); an
existing announcement is changed only by the one who published it (a superuser may change any),
and only while that person still holds such a post over its node. An announcement outside the
actor's scope is a 404, as everywhere.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from announcements import hooks
from announcements.models import BODY_MAX, TITLE_MAX, Announcement
from grids import access
from grids.models import GridNode
from hlgrid import inputs
from hlgrid import photos as photo_cleaner
from hlgrid.errors import Forbidden, InvalidInput, NotFound, TransitionNotAllowed


def _text(field: str, value, limit: int) -> str:
    text = inputs.required(field, value)
    if len(text) > limit:
        raise InvalidInput.field(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _expires(value: datetime | None, *, now: datetime) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= now:
        raise InvalidInput.field("expires_at", _("The end of display must be in the future."))
    return value


def _clean_photo(photo) -> photo_cleaner.CleanPhoto:
    """The one photo cleaner; its refusal is named after this form's single `photo` field."""
    try:
        return photo_cleaner.clean_all([photo], limit=1)[0]
    except InvalidInput as refused:
        messages = [m for problems in refused.errors.values() for m in problems] or [refused.detail]
        raise InvalidInput(messages[0], errors={"photo": messages}) from None


def _store_photo(announcement: Announcement, photo) -> None:
    cleaned = _clean_photo(photo)
    announcement.photo.save(cleaned.content.name, cleaned.content, save=False)
    announcement.photo_content_type = cleaned.content_type


def _authorize_own(actor, announcement: Announcement) -> None:
    if actor is None:
        raise NotFound()
    if not access.covers(actor, announcement.node):
        raise NotFound()
    access.require_may_announce(actor, announcement.node)
    if not (actor.is_superuser or announcement.published_by_id == actor.pk):
        raise Forbidden(_("Only the person who published an announcement may change it."))


def _load(announcement: Announcement) -> Announcement:
    return Announcement.objects.select_for_update().select_related("node").get(pk=announcement.pk)


def announcement_publish(
    *,
    actor,
    node: GridNode,
    title: str,
    body: str,
    photo=None,
    expires_at: datetime | None = None,
) -> Announcement:
    """Post an announcement for `node` (residents of every grid below it read it)."""
    if actor is None:
        raise NotFound()
    access.require_may_announce(actor, node)
    now = timezone.now()
    announcement = Announcement(
        node=node,
        title=_text("title", title, TITLE_MAX),
        body=_text("body", body, BODY_MAX),
        expires_at=_expires(expires_at, now=now),
        published_by=access.recorded(actor),
        published_at=now,
    )
    # The photo is checked (and re-encoded) before anything is written.
    cleaned = _clean_photo(photo) if photo else None
    with transaction.atomic():
        if cleaned is not None:
            announcement.photo.save(cleaned.content.name, cleaned.content, save=False)
            announcement.photo_content_type = cleaned.content_type
        announcement.save()
        # The hook point of the relay to micro-grid WeChat groups (announcements.hooks).
        hooks.announce_published(announcement)
    return announcement


def announcement_update(
    *,
    actor,
    announcement: Announcement,
    title: str,
    body: str,
    photo=None,
    remove_photo: bool = False,
    expires_at: datetime | None = None,
) -> Announcement:
    """Change one's own live announcement: its words, its photo, its end of display."""
    now = timezone.now()
    with transaction.atomic():
        announcement = _load(announcement)
        _authorize_own(actor, announcement)
        if announcement.is_withdrawn:
            raise TransitionNotAllowed(_("This announcement was withdrawn."))
        announcement.title = _text("title", title, TITLE_MAX)
        announcement.body = _text("body", body, BODY_MAX)
        announcement.expires_at = _expires(expires_at, now=now)
        if photo:
            _store_photo(announcement, photo)
        elif remove_photo:
            announcement.photo = ""
            announcement.photo_content_type = ""
        announcement.save()
    return announcement


def announcement_withdraw(*, actor, announcement: Announcement) -> Announcement:
    """Take one's own announcement down (it stays, marked withdrawn)."""
    with transaction.atomic():
        announcement = _load(announcement)
        _authorize_own(actor, announcement)
        if announcement.is_withdrawn:
            raise TransitionNotAllowed(_("This announcement was already withdrawn."))
        announcement.withdrawn_at = timezone.now()
        announcement.withdrawn_by = access.recorded(actor)
        announcement.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
    return announcement
