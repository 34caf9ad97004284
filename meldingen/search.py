"""The case list's free-text search: how terms are matched, and where the terms are kept.

A search term is often a reporter's name, so it never goes into a URL (browser history, a
proxy's access log, the Referer of the next request). The search form posts it; the session
keeps it, encrypted with the key of the case fields, because the session table is as plain
as a backup of it: only a token that the application's key opens is stored there. Logging out
flushes the session and the term with it.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django_cryptography.core.signing import BadSignature
from django_cryptography.utils.crypto import FernetBytes, InvalidToken

SESSION_KEY = "_vpcase_zoek"
# At most this many words are matched; more make no better search, only a slower one.
MAX_TERMS = 10
MAX_LENGTH = 100


# The combining diacritical marks that NFKD splits off Latin letters (é = e + U+0301).
_MARKS = re.compile("[\u0300-\u036f]")


def normalise(text: str) -> str:
    """Lower case without accents: "José Öztürk" and "jose ozturk" are the same. Run over
    every decrypted note of a search, so plain ASCII text takes the quick way."""
    if text.isascii():
        return text.lower()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.casefold()))


def terms(text: str) -> list[str]:
    """The distinct words of a search, normalised, in order; every one of them must match."""
    words: list[str] = []
    for word in normalise(text).split():
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def remember(session: SessionBase, text: str) -> None:
    text = text.strip()
    if not text:
        forget(session)
        return
    token = FernetBytes().encrypt(text[:MAX_LENGTH].encode())
    session[SESSION_KEY] = base64.urlsafe_b64encode(token).decode("ascii")


def recall(session: SessionBase) -> str:
    """The search kept in this session, or "" (also when the key has changed since)."""
    token = session.get(SESSION_KEY)
    if not token:
        return ""
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        # No older than a session can be (SignatureExpired is a BadSignature).
        return FernetBytes().decrypt(raw, settings.SESSION_COOKIE_AGE).decode()
    except (BadSignature, InvalidToken, binascii.Error, ValueError, UnicodeError):
        forget(session)
        return ""


def forget(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)
