import pytest
from django.db import connection

from hlgrid.crypto import (
    EncryptedTextField,
    decrypt,
    encrypt,
    lookup_hash,
    mask_id_number,
    mask_name,
    mask_phone,
)


def test_encryption_round_trips_and_is_randomised():
    token = encrypt("13812345678")
    assert token != "13812345678" and decrypt(token) == "13812345678"
    assert encrypt("13812345678") != token


def test_a_wrong_key_cannot_decrypt(settings):
    token = encrypt("secret")
    settings.FIELD_ENCRYPTION_KEY = "Jd6oQ0Wz9Zb3K8mXh3rYf2oXQm0y3lG5b3mVt0mJ7uE="
    with pytest.raises(ValueError):
        decrypt(token)


def test_lookup_hash_is_stable_keyed_and_not_the_plaintext(settings):
    first = lookup_hash("222406199001011234")
    assert first == lookup_hash("222406199001011234") and "222406" not in first
    settings.FIELD_ENCRYPTION_KEY = "Jd6oQ0Wz9Zb3K8mXh3rYf2oXQm0y3lG5b3mVt0mJ7uE="
    assert lookup_hash("222406199001011234") != first


def test_masks():
    assert mask_id_number("222406199001011234") == "222406********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三丰") == "张**"
    assert mask_phone("") == mask_id_number("") == ""


def test_the_field_stores_ciphertext_only():
    field = EncryptedTextField()
    stored = field.get_prep_value("13812345678")
    assert "13812345678" not in stored
    assert field.from_db_value(stored, None, connection) == "13812345678"
