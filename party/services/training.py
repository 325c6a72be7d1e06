"""The social workers' certificates and training records (三级教育培训). Officials and
administrators over a worker's home grid keep them (party.policy.require_setup), like the
worker's qualifications for service items."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids import access
from hlgrid.errors import InvalidInput
from party import policy
from party.models import Certificate, CertificateKind, SocialWorker, TrainingLevel, TrainingRecord

EXPIRY_WARNING_DAYS = 60


def expiring_soon(certificate: Certificate, *, today: datetime.date | None = None) -> bool:
    """Expired, or expiring within EXPIRY_WARNING_DAYS."""
    today = today or timezone.localdate()
    return certificate.expires_on is not None and certificate.expires_on <= today + datetime.timedelta(
        days=EXPIRY_WARNING_DAYS
    )


def certificate_record(
    *,
    actor,
    worker: SocialWorker,
    kind: str,
    number: str,
    issued_on: datetime.date,
    expires_on: datetime.date | None = None,
    certificate: Certificate | None = None,
) -> Certificate:
    """Record a certificate, or correct one (`certificate`)."""
    policy.require_setup(actor, worker.grid)
    number = (number or "").strip()
    if kind not in CertificateKind.values:
        raise InvalidInput.field("kind", _("Unknown kind %(kind)s.") % {"kind": kind})
    if not number or len(number) > 64:
        raise InvalidInput.field("number", _("Give the certificate's number (up to 64 characters)."))
    if issued_on > timezone.localdate():
        raise InvalidInput.field("issued_on", _("A certificate is not issued in the future."))
    if expires_on is not None and expires_on <= issued_on:
        raise InvalidInput.field("expires_on", _("A certificate expires after it is issued."))
    if certificate is not None and certificate.worker_id != worker.pk:
        raise InvalidInput.field("certificate", _("This certificate is another worker's."))
    row = certificate or Certificate(worker=worker, created_by=access.recorded(actor))
    row.kind, row.number, row.issued_on, row.expires_on = kind, number, issued_on, expires_on
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise InvalidInput.field("number", _("This certificate number is already on record.")) from None
    return row


def certificate_remove(*, actor, certificate: Certificate) -> None:
    policy.require_setup(actor, certificate.worker.grid)
    certificate.delete()


def training_record(
    *,
    actor,
    worker: SocialWorker,
    level: str,
    title: str,
    held_on: datetime.date,
    hours,
    record: TrainingRecord | None = None,
) -> TrainingRecord:
    """Record a training attended (city, street or community level), or correct one."""
    policy.require_setup(actor, worker.grid)
    title = (title or "").strip()
    if level not in TrainingLevel.values:
        raise InvalidInput.field("level", _("Unknown level %(level)s.") % {"level": level})
    if not title or len(title) > 100:
        raise InvalidInput.field("title", _("Give the course (up to 100 characters)."))
    if held_on > timezone.localdate():
        raise InvalidInput.field("held_on", _("A training is recorded once it is held."))
    try:
        hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise InvalidInput.field("hours", _("The hours are a number.")) from None
    if not Decimal("0.5") <= hours <= Decimal("200"):
        raise InvalidInput.field("hours", _("The hours are between 0.5 and 200."))
    if record is not None and record.worker_id != worker.pk:
        raise InvalidInput.field("record", _("This record is another worker's."))
    row = record or TrainingRecord(worker=worker, created_by=access.recorded(actor))
    row.level, row.title, row.held_on, row.hours = level, title, held_on, hours
    row.save()
    return row


def training_remove(*, actor, record: TrainingRecord) -> None:
    policy.require_setup(actor, record.worker.grid)
    record.delete()
