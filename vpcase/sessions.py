"""The session store: Django's database sessions, with a shorter life for the anonymous mailbox.

The mailbox cookie must die with the browser: no Max-Age, no Expires, so that a browser that
is closed without "Leave the mailbox" forgets it (SESSION_EXPIRE_AT_BROWSER_CLOSE, and the
mailbox never calls set_expiry). On the server the session row of an open mailbox expires
after the mailbox's idle limit (MAILBOX_IDLE_TIMEOUT), not after a staff session's 8 hours:
each request moves it on, and the view checks the same limit itself.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore

# The session key under which the mailbox keeps the open request (meldingen.views.publiek).
MAILBOX_KEY = "_vpcase_postvak"


class SessionStore(DbSessionStore):
    def get_session_cookie_age(self) -> int:
        if MAILBOX_KEY in self._get_session():
            return settings.MAILBOX_IDLE_TIMEOUT
        return super().get_session_cookie_age()
