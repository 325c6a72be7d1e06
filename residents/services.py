"""Everything that changes residents' data, key people and visits; one function per use case."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import models
from django.utils import timezone

from residents.models import AccessLog

USER_AGENT_MAX = AccessLog._meta.get_field("user_agent").max_length
LABEL_MAX = AccessLog._meta.get_field("subject_label").max_length


def _client_ip(request) -> str | None:
    """The caller's address as Django sees it (REMOTE_ADDR; a TLS proxy sets it via the WSGI server)."""
    if request is None:
        return None
    meta = getattr(request, "META", {})
    address = (meta.get("REMOTE_ADDR") or "").strip()
    try:
        validate_ipv46_address(address)
    except ValidationError:
        return None
    return address


def access_log_record(*, actor, subject: models.Model, field: str, request=None) -> AccessLog:
    """Write the access-log row for one unmasked view of `field` of `subject` by `actor`.

    Call it inside the transaction that reveals the value, once per revealed field group
    (e.g. one row for "id_number,phone" when an action shows both).
    """
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    meta = getattr(request, "META", {}) if request is not None else {}
    return AccessLog.objects.create(
        actor=actor,
        subject_type=subject._meta.label,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:LABEL_MAX],
        field=field,
        at=timezone.now(),
        ip=_client_ip(request),
        user_agent=(meta.get("HTTP_USER_AGENT") or "")[:USER_AGENT_MAX],
    )
