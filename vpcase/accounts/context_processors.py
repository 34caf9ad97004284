from django.http import HttpRequest

from .selectors import ongelezen_kennisgevingen


def kennisgevingen(request: HttpRequest) -> dict:
    """The unread-notice count for the navigation badge, counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"kennisgevingen_ongelezen": lambda: ongelezen_kennisgevingen(user=user)}
