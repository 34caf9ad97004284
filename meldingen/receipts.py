"""Receipt codes for the anonymous mailbox.

A code is 16 characters from Crockford's base32 alphabet (80 random bits), shown as four
groups of four. Only an Argon2id hash is stored, salted with an installation-wide random salt
so that a code can still be looked up with one hash (GlobaLeaks does the same per tenant).
"""

from __future__ import annotations

import secrets

from argon2.low_level import Type, hash_secret_raw

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
CODE_LENGTH = 16
# Look-alikes a person may type for the characters in the alphabet.
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# Argon2id, OWASP's minimum (19 MiB, 2 passes): about 20-40 ms here. Intended cost.
TIME_COST = 2
MEMORY_COST = 19 * 1024
PARALLELISM = 1


def generate() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise(typed: str) -> str | None:
    """The 16 significant characters of a typed code, or None if it can't be one."""
    cleaned = "".join(ch for ch in (typed or "").upper() if ch.isalnum()).translate(_TYPED)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def _salt() -> bytes:
    from .models import Instelling

    setting, _created = Instelling.objects.get_or_create(
        sleutel="receipt_salt", defaults={"waarde": secrets.token_hex(16)}
    )
    return bytes.fromhex(setting.waarde)


def hash_code(normalised: str) -> str:
    digest = hash_secret_raw(
        normalised.encode(),
        _salt(),
        time_cost=TIME_COST,
        memory_cost=MEMORY_COST,
        parallelism=PARALLELISM,
        hash_len=32,
        type=Type.ID,
    )
    return digest.hex()
