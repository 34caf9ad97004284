"""No request body, note, code or password reaches a log handler."""

from __future__ import annotations

import logging

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from vpcase.logfilter import ConfidentialFilter, forget_posted, redact, remember_posted

logger = logging.getLogger("vpcase.test")


def leaky_view(request):
    # What a careless future change might do: the filter must catch it.
    logger.warning("Saving note %s for %s", request.POST.get("notities"), request.path)
    try:
        raise ValueError(f"could not parse {request.POST.get('notities')}")
    except ValueError:
        logger.exception("Parse failure")
    return HttpResponse("ok")


urlpatterns = [path("leaky/", leaky_view)]


@pytest.fixture
def handler():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    keep = Keep()
    keep.addFilter(ConfidentialFilter())
    root = logging.getLogger()
    root.addHandler(keep)
    yield records
    root.removeHandler(keep)


@override_settings(ROOT_URLCONF="tests.test_logging")
def test_posted_values_are_cut_from_every_log_line(handler, db):
    note = "Mijn leidinggevende zei iets heel vervelends"
    Client().post("/leaky/", {"notities": note})
    text = "\n".join(handler)
    assert "Saving note" in text and "Parse failure" in text
    assert note not in text
    assert "[redacted]" in text


def test_codes_are_cut_by_their_shape():
    assert redact("code 7KQD-3MXP-9WTR-H2FB used") == "code [redacted] used"
    assert redact("backup abcd-efgh-jkmn-pqrs") == "backup [redacted]"
    token = remember_posted(["geheim-wachtwoord-1", "kort"])
    try:
        assert redact("pw=geheim-wachtwoord-1 x=kort") == "pw=[redacted] x=kort"
    finally:
        forget_posted(token)


def test_the_project_handlers_use_the_filter(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "confidential" in handler.get("filters", [])
