"""Server-side drafts ("concepten"), so that nothing a confidant types is lost.

A form that keeps drafts carries a hidden ``_concept`` field naming its draft key. Its text is
saved, encrypted, (1) every few seconds while typing (htmx, see templates/concepten/
_autosave.html), (2) when a post arrives after the session timed out (the browser's session
still knows whose it was), and (3) when a post fails the CSRF check. The form shows the draft
again the next time it is opened, after logging in again if need be.

The app knows no form of its own: a feature app defines its draft-key kinds once and
registers them in its AppConfig.ready() (keys.py); a key of no registered kind is refused.
"""
