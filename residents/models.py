"""Where people live (buildings, units, households), residents and their personal data,
key people (五类人群) and grid workers' visits; and the access log of every unmasked view.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk UPDATE and DELETE: the rows are a record, not state."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.__name__} rows cannot be changed")

    def delete(self):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.__name__} rows cannot be deleted")


class AccessLog(models.Model):
    """One row per unmasked view of a person's data (who, whom, which field, when, from where).

    Used by every app that reveals personal data (see residents.services.access_log_record).
    Append-only: the model refuses to save an existing row or delete one, and its queryset
    refuses bulk updates and deletes; the admin shows rows read-only.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_logs",
        verbose_name=_("who"),
    )
    subject_type = models.CharField(_("subject type"), max_length=64)
    subject_id = models.CharField(_("subject id"), max_length=64)
    subject_label = models.CharField(_("whom"), max_length=128, blank=True)
    field = models.CharField(_("field"), max_length=64)
    at = models.DateTimeField(_("when"), db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=256, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="accesslog_subject"),
            models.Index(fields=["actor", "at"], name="accesslog_actor"),
        ]

    def __str__(self) -> str:
        whom = self.subject_label or self.subject_id
        return f"{self.actor_id} · {whom} · {self.field} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("access log rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("access log rows cannot be deleted")
