"""Open311 GeoReport v2: the outside clients (civic apps) allowed to submit requests, and what
each submission carried beside the petition it became.

A client's API key is shown once, when it is issued; only its keyed hash is stored
(hlgrid.crypto.lookup_hash), so a copy of the database does not hold usable keys.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hlgrid.crypto import EncryptedTextField


class Open311Client(models.Model):
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, to tell keys apart on the settings page.
    key_prefix = models.CharField(_("key begins with"), max_length=12, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Open311Submission(models.Model):
    """A request POSTed by a client: the petition it became and the fields the petition has no
    column for (the e-mail, encrypted like the phone; the client's own account id; media_url)."""

    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="submissions")
    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.CASCADE, related_name="open311_submission"
    )
    account_id = models.CharField(_("account id"), max_length=64, blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True, default="")
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.petition_id}"


class Open311Catalogue(models.Model):
    """One row: a fingerprint of the service list and when it last changed, the discovery
    document's `changeset` (clients refresh their cached service list when it moves)."""

    fingerprint = models.CharField(max_length=64)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("Open311 catalogue version")
        verbose_name_plural = _("Open311 catalogue versions")

    def __str__(self) -> str:
        return self.changed_at.isoformat()
