import time

from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def other_language(current: str) -> str:
    return "en" if current == "nl" else "nl"


def navigation(request: HttpRequest) -> dict:
    other = other_language(get_language())
    return {
        "other_language": other,
        "other_language_url": translate_url(request.get_full_path(), other),
        # When this page was made; the draft autosave sends it back (vpcase.concepten).
        "render_ms": int(time.time() * 1000),
    }
