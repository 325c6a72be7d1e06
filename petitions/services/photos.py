"""Petition photos: cleaned by the one photo cleaner (hlgrid.photos), stored as attachments."""

from django.db import transaction
from django.utils.translation import gettext as _

from grids import access
from hlgrid import photos as photo_cleaner
from hlgrid.errors import TransitionNotAllowed
from petitions.models import FINAL_STATUSES, Attachment, AttachmentKind, Petition
from petitions.services.common import authorize, load


def store_photos(petition: Petition, photos, *, kind: str, actor) -> list[Attachment]:
    """Check every photo before storing any, so one bad photo stores nothing."""
    return store_cleaned(petition, photo_cleaner.clean_all(photos), kind=kind, actor=actor)


def store_cleaned(petition: Petition, cleaned, *, kind: str, actor) -> list[Attachment]:
    """Store photos already through `hlgrid.photos.clean_all` (a caller that cleans them
    before its transaction)."""
    stored = []
    for photo in cleaned:
        attachment = Attachment(
            petition=petition, kind=kind, uploaded_by=access.recorded(actor), **photo.meta
        )
        attachment.file.save(photo.content.name, photo.content, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def attachment_add(*, actor, petition: Petition, photo, kind: str = AttachmentKind.INTAKE) -> Attachment:
    with transaction.atomic():
        petition = load(petition)
        authorize(actor, petition, lambda s: s.field_staff or s.department)
        if petition.status in FINAL_STATUSES:
            raise TransitionNotAllowed(_("This petition is finished."))
        return store_photos(petition, [photo], kind=kind, actor=actor)[0]
