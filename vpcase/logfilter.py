"""Logging filters that keep confidential text, and the moment an anonymous employee did
something, out of every log handler.

Whatever a request posted (notes, messages, passwords, codes: every value of 6 characters or
more) is remembered for the duration of that request and cut out of any log record emitted
meanwhile, exceptions included; receipt and backup codes are cut out by their shape anywhere;
the request object is never passed on to a formatter. Confidential text is not logged on
purpose anywhere in vpcase (semgrep rules enforce that); this filter is the safety net.

AnonymousTimeFilter keeps the time of the anonymous side's requests out of the logs: the
employee's messages are stored to the hour only, and a log line must not say more.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time

REDACTED = "[redacted]"
MIN_LENGTH = 6
_posted: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "vpcase_posted", default=()
)
_anonymous: contextvars.ContextVar[bool] = contextvars.ContextVar("vpcase_anonymous", default=False)
# Requests an anonymous employee's browser makes: the anonymous side (vpcase.middleware's
# PUBLIC_PATH, with or without /en) and the static files its pages load.
EMPLOYEE_PATH = re.compile(r"^(/en)?/(o|postvak)/|^/static/")
# The request line in the development server's lines: "POST /postvak/ HTTP/1.1" 302 0
_REQUEST_LINE = re.compile(r'^"?[A-Z]+ ([^ ?"]*)')

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
        # Decided before the request goes: AnonymousTimeFilter on another handler needs it.
        record.anonymous_side = _about_the_anonymous_side(record)
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


def remember_anonymous(path: str) -> contextvars.Token:
    return _anonymous.set(bool(EMPLOYEE_PATH.match(path)))


def forget_anonymous(token: contextvars.Token) -> None:
    _anonymous.reset(token)


def _about_the_anonymous_side(record: logging.LogRecord) -> bool:
    if _anonymous.get() or getattr(record, "anonymous_side", False):
        return True
    # Django logs a 4xx/5xx response after the middleware has finished, with the request.
    path = getattr(getattr(record, "request", None), "path_info", None)
    if isinstance(path, str) and EMPLOYEE_PATH.match(path):
        return True
    if record.name == "django.server":
        line = _REQUEST_LINE.match(str(record.args[0]) if record.args else str(record.msg))
        return bool(line and EMPLOYEE_PATH.match(line.group(1)))
    return False


class AnonymousTimeFilter(logging.Filter):
    """No log line gives the time of an anonymous employee's request to better than the hour
    (the times of their messages are kept to the hour only).

    A line written while serving the anonymous side (or about such a request, as Django's
    "Not Found: /o/..." and the development server's request lines) is dropped below ERROR:
    a wrong code, a form to correct, a page not found. An error stays, for the operator, with
    its time set back to the start of the hour. The position of that line among the others
    remains; errors are rare. (ConfidentialFilter drops the request from a record, but notes
    first whether it was about the anonymous side, so the two work in any order.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not _about_the_anonymous_side(record):
            return True
        if record.levelno < logging.ERROR:
            return False
        hour = record.created - record.created % 3600
        record.relativeCreated -= (record.created - hour) * 1000
        record.created, record.msecs = hour, 0.0
        if hasattr(record, "server_time"):
            record.server_time = time.strftime("%d/%b/%Y %H:%M:%S", time.localtime(hour))
        return True
