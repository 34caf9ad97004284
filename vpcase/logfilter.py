"""A logging filter that keeps confidential text out of every log handler.

Whatever a request posted (notes, messages, passwords, codes: every value of 6 characters or
more) is remembered for the duration of that request and cut out of any log record emitted
meanwhile, exceptions included; receipt and backup codes are cut out by their shape anywhere;
the request object is never passed on to a formatter. Confidential text is not logged on
purpose anywhere in vpcase (semgrep rules enforce that); this filter is the safety net.
"""

from __future__ import annotations

import contextvars
import logging
import re

REDACTED = "[redacted]"
MIN_LENGTH = 6
_posted: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "vpcase_posted", default=()
)

CODE_PATTERNS = [
    re.compile(
        r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b"
    ),
    re.compile(
        r"\b[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}\b"
    ),
]


def remember_posted(values) -> contextvars.Token:
    kept = tuple(
        sorted(
            {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH},
            key=len,
            reverse=True,
        )
    )
    return _posted.set(kept)


def forget_posted(token: contextvars.Token) -> None:
    _posted.reset(token)


def redact(text: str) -> str:
    for value in _posted.get():
        if value in text:
            text = text.replace(value, REDACTED)
    for pattern in CODE_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


class ConfidentialFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if hasattr(record, "request"):
            record.request = None
        return True
