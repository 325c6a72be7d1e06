from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hlgrid.crypto import mask_phone


class User(AbstractUser):
    """An account. What it may see comes from its `grids.Post`s, never from flags here."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Set when an official sets or resets the password: the user must choose its own at the
    # next login (hlgrid.middleware.PasswordChangeRequiredMiddleware) before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username


class TreeLock(models.Model):
    """One row per tree (grids, party). Writers lock it; `version` tells caches to rebuild.

    django-mptt takes no locks: two concurrent moves would corrupt lft/rght. Every
    tree write first UPDATEs this row inside its transaction, which serialises writers
    on PostgreSQL (row lock) and SQLite (write lock) alike.
    """

    name = models.CharField(max_length=32, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tree lock")
        verbose_name_plural = _("tree locks")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SweepState(models.Model):
    """The last run of a periodic sweep, for /healthz and operators."""

    name = models.CharField(max_length=32, primary_key=True)
    last_started_at = models.DateTimeField(null=True)
    last_finished_at = models.DateTimeField(null=True)
    last_duration_ms = models.PositiveIntegerField(default=0)
    last_result = models.JSONField(default=dict)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sweep state")
        verbose_name_plural = _("sweep states")

    def __str__(self) -> str:
        return self.name
