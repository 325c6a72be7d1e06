"""大事要闻: short notices that heads and officials post for a node and its subtree.

Residents read, for the grid they locate into, the live announcements posted at that grid or at
any node above it (its community, its street, the city). An announcement is live from
`published_at` until it expires or is withdrawn; a withdrawn one stays for the record.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 80
BODY_MAX = 1000


def photo_path(instance, filename: str) -> str:
    return f"announcements/{timezone.now():%Y/%m}/{filename}"


class AnnouncementQuerySet(models.QuerySet):
    def live(self, *, now=None):
        now = now or timezone.now()
        return self.filter(withdrawn_at__isnull=True, published_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class Announcement(models.Model):
    node = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="announcements", verbose_name=_("node")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    # Cleaned by hlgrid.photos (EXIF stripped, re-encoded); served by announcements.views.photo.
    photo = models.FileField(_("photo"), upload_to=photo_path, blank=True)
    photo_content_type = models.CharField(max_length=32, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["node", "-published_at"], name="announcement_node_recent")]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.withdrawn_at is None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )


class Relay(models.Model):
    """A head's relay of a notice (an announcement of its grid, or its own short text) to the
    chat groups of its building or unit."""

    account = models.ForeignKey(
        "residents.HeadAccount",
        on_delete=models.PROTECT,
        related_name="relays",
        verbose_name=_("head account"),
    )
    grid = models.ForeignKey(
        "grids.GridNode", on_delete=models.PROTECT, related_name="+", editable=False, verbose_name=_("grid")
    )
    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="head_relays",
        verbose_name=_("announcement"),
    )
    text = models.TextField(_("text"))
    groups = models.PositiveIntegerField(_("groups reached"), default=0)
    created_at = models.DateTimeField(_("relayed"), auto_now_add=True)

    class Meta:
        verbose_name = _("relay")
        verbose_name_plural = _("relays")
        indexes = [models.Index(fields=["account", "created_at"], name="relay_account_time")]

    def __str__(self) -> str:
        return self.text[:40]
