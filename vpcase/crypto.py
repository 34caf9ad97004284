"""Building django-cryptography ciphers for given keys (for key rotation)."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.apps import apps
from django.utils.encoding import force_bytes
from django_cryptography.core.signing import FernetSigner
from django_cryptography.fields import EncryptedMixin
from django_cryptography.utils.crypto import FernetBytes


def cipher(*, secret_key: str, cryptography_key: str) -> FernetBytes:
    """The cipher django-cryptography uses for these keys: AES with a key derived (PBKDF2,
    as in django_cryptography.conf) from CRYPTOGRAPHY_KEY, HMAC-signed with SECRET_KEY."""
    kdf = PBKDF2HMAC(
        algorithm=hashes.SHA256(), length=32, salt=b"django-cryptography", iterations=30000
    )
    return FernetBytes(
        key=kdf.derive(force_bytes(cryptography_key)), signer=FernetSigner(key=secret_key)
    )


def encrypted_fields() -> list[tuple[type, list]]:
    """Every model with encrypted fields, found by introspection: a new encrypted field can't
    be forgotten by rotation or backup checks."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            found.append((model, fields))
    return found
