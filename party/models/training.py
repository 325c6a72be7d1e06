"""The general social workers' certificates (资格证书) and training records (三级教育培训:
city, street and community levels, hours). Write only through party.services.training."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from party.models.common import created_by_field
from party.models.windows import SocialWorker


class CertificateKind(models.TextChoices):
    SOCIAL_WORK = "SOCIAL_WORK", _("Social work qualification")
    SENIOR_SOCIAL_WORK = "SENIOR_SOCIAL_WORK", _("Senior social work qualification")
    FIRST_AID = "FIRST_AID", _("First aid")
    MEDIATION = "MEDIATION", _("People's mediator")
    OTHER = "OTHER", _("Other")


class Certificate(models.Model):
    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("social worker")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=64)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    created_by = created_by_field(_("recorded by"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["worker_id", "kind", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="certificate_unique_number"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="certificate_expires_after_issue",
            ),
        ]
        indexes = [models.Index(fields=["expires_on"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class TrainingLevel(models.TextChoices):
    CITY = "CITY", _("City level")
    STREET = "STREET", _("Street level")
    COMMUNITY = "COMMUNITY", _("Community level")


class TrainingRecord(models.Model):
    worker = models.ForeignKey(
        SocialWorker, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("social worker")
    )
    level = models.CharField(_("level"), max_length=16, choices=TrainingLevel.choices)
    title = models.CharField(_("course"), max_length=100)
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    created_by = created_by_field(_("recorded by"))

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["worker_id", "-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=200), name="training_hours_range")
        ]
        indexes = [models.Index(fields=["worker", "held_on"], name="training_worker_day")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.title}"
