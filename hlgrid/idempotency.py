"""At most once per Idempotency-Key, for any create on the ground floor and above.

The offline outbox sends every create with a key generated on the phone. The same key with the
same request (same fingerprint) answers the first answer and creates nothing; the same key with
another request is refused (422). A failed create rolls its key back, so a corrected retry may
reuse it.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from hlgrid.errors import InvalidInput
from hlgrid.models import IdempotentRequest

MAX_KEY_LENGTH = 128
# A retry comes within minutes, but a visit made offline may arrive up to
# residents.services.MAX_VISIT_AGE_DAYS (14) days later: its key must still be known then.
KEEP_DAYS = 15


class IdempotencyConflict(InvalidInput):
    status_code = 422


def client_key(idempotency_key: str | None) -> str:
    """The client's Idempotency-Key, stripped ("" when there is none); at most 128 characters."""
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput.field("Idempotency-Key", _("The Idempotency-Key is too long (at most 128)."))
    return key


def scoped_key(*, scope: str, owner, key: str) -> str:
    """The stored key: one namespace per kind of create and per owner, hashed to fit its column."""
    return f"{scope}:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"


def request_fingerprint(data: dict, files: dict[str, list]) -> str:
    """A hash of a request's meaning (fields and file contents), independent of multipart framing."""
    digest = hashlib.sha256()
    digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in sorted(files):
        for upload in files[name]:
            upload.seek(0)
            digest.update(name.encode())
            digest.update(hashlib.sha256(upload.read()).digest())
            upload.seek(0)
    return digest.hexdigest()


def submit_once(
    *,
    stored_key: str,
    fingerprint: str,
    create: Callable[[], dict],
    store: type[Model] = IdempotentRequest,
    link: Callable[[], dict] | None = None,
) -> tuple[int, dict, bool]:
    """`create()` (which creates and returns the answer) at most once per stored key:
    (status, answer, created).

    The key row is inserted first, in the transaction that creates the object: a concurrent
    request with the same key blocks on the unique index until the first commits, then gets an
    IntegrityError and answers with the stored first answer. `store` is the model that keeps
    the keys (petitions keep theirs beside the petition they created); `link()` gives the
    fields to set on the key row once the object exists (e.g. {"petition": petition}).
    """
    existing = store.objects.filter(key=stored_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                record = store.objects.create(key=stored_key, request_hash=fingerprint)
                answer = create()
                record.response = answer
                extra = link() if link else {}
                for name, value in extra.items():
                    setattr(record, name, value)
                record.save(update_fields=["response", *extra])
            return 201, answer, True
        except IntegrityError:
            existing = store.objects.filter(key=stored_key).first()
            if existing is None:
                raise
    if existing.request_hash != fingerprint:
        raise IdempotencyConflict(_("This Idempotency-Key was used with a different request."))
    return existing.status_code, existing.response, False


def idempotency_sweep(*, now) -> dict:
    """The periodic sweep's part: forget keys too old to be retried."""
    expired = IdempotentRequest.objects.filter(created_at__lt=now - timedelta(days=KEEP_DAYS)).delete()[0]
    return {"expired": expired}
