from django.http import HttpRequest

from . import selectors


def verzoeken(request: HttpRequest) -> dict:
    """The navigation badge on "Requests": counted in one query, and only when a page shows
    it (the template calls it; for anyone but a confidant it costs no query at all)."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"verzoeken_ongelezen": lambda: selectors.unread_request_count(user=user)}
