"""Personal data at rest: Fernet encryption, keyed lookup hashes and masking.

Fernet tokens are randomised, so an encrypted column can never be searched;
a field that must be looked up exactly or kept unique (the ID number) stores a
keyed HMAC beside it. The HMAC key is derived from FIELD_ENCRYPTION_KEY so one
secret configures both, but the two keys are distinct.
"""

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@functools.cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@functools.cache
def _hmac_key(key: str) -> bytes:
    return hashlib.sha256(b"hlgrid-lookup-hash:" + key.encode()).digest()


def encrypt(plaintext: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("the value cannot be decrypted with FIELD_ENCRYPTION_KEY") from None


def lookup_hash(plaintext: str) -> str:
    """A keyed hash for exact lookups and uniqueness of an encrypted value."""
    return hmac.new(_hmac_key(settings.FIELD_ENCRYPTION_KEY), plaintext.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding only ciphertext; Python code sees the plaintext.

    Empty values are stored as "" (nothing to hide). Filtering on this field is
    meaningless (ciphertexts differ each time): use a lookup_hash column instead.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))


def mask_id_number(value: str) -> str:
    """222406199001011234 -> 222406********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(value: str) -> str:
    """Health details and other free text: shown as a fixed mask, never partially."""
    return "******" if value else ""


def mask_name(value: str) -> str:
    """张三丰 -> 张**: for public pages that must not identify a person."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
