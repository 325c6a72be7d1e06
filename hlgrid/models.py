from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from hlgrid.crypto import EncryptedTextField, lookup_hash, mask_phone


class User(AbstractUser):
    """An account. What it may see comes from its `grids.Post`s, never from flags here."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    # A work phone, often a personal mobile: stored encrypted like residents' phones, found by
    # its keyed hash (exact number), shown masked except where it is a published work contact
    # (the 联心卡 and 我的网格 give the grid's workers' numbers to its residents).
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # Set when an official sets or resets the password: the user must choose its own at the
    # next login (hlgrid.middleware.PasswordChangeRequiredMiddleware) before anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username

    def stamp_phone_hash(self) -> None:
        """Set the lookup hash from the phone; bulk_create bypasses save(), so its callers call this."""
        self.phone_hash = lookup_hash(self.phone) if self.phone else ""

    def save(self, *args, **kwargs):
        self.stamp_phone_hash()
        fields = kwargs.get("update_fields")
        if fields is not None and "phone" in fields:
            kwargs["update_fields"] = {*fields, "phone_hash"}
        super().save(*args, **kwargs)

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
    # A sweeper's lease (rows named "lock:<sweeper>", hlgrid.sweeps.sweeper_lock): held until
    # this moment by the sweep running it, so a second sweep skips it; NULL when free.
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sweep state")
        verbose_name_plural = _("sweep states")

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    HOLIDAY = "HOLIDAY", _("Day off")
    WORKDAY = "WORKDAY", _("Working day")


# The notifier's rows (SMS, WeChat Work): declared in their package, registered here.
from hlgrid.notifier.models import Delivery, DeliveryCounter, OptOut  # noqa: E402, F401


class IdempotentRequest(models.Model):
    """The first answer to a create sent with an Idempotency-Key (hlgrid.idempotency).

    `key` is namespaced by its caller (e.g. `visit:<user>:<sha256 of the client's key>`). The
    row is inserted in the transaction that creates the object, so a concurrent retry blocks on
    the unique index until the first commits, then reads the stored answer.
    """

    key = models.CharField(max_length=160, unique=True)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=201)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")

    def __str__(self) -> str:
        return self.key
