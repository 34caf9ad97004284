"""No request body, note, code or password reaches a log handler."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import translation
from django.utils.module_loading import import_string
from freezegun import freeze_time

from vpcase.logfilter import (
    EMPLOYEE_PATH,
    AnonymousTimeFilter,
    ConfidentialFilter,
    forget_posted,
    redact,
    remember_posted,
)

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


# --- Issue 13: no line gives the time of an anonymous employee's request ----------------------

anonymous_logger = logging.getLogger("vpcase.test.anonymous")


def noisy_view(request):
    anonymous_logger.warning("Something odd on %s", request.path)
    anonymous_logger.error("Something failed on %s", request.path)
    return HttpResponse("ok")


def broken_view(request):
    raise RuntimeError("broken")


urlpatterns += [
    path("o/noisy/", noisy_view),
    path("dashboard/noisy/", noisy_view),
    path("postvak/broken/", broken_view),
]

MOMENT = "2026-03-04 14:23:12"  # UTC


@pytest.fixture
def project_lines(settings):
    """What the project's console handler writes: its filters and its format."""
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    keep = Keep()
    for name in settings.LOGGING["handlers"]["console"]["filters"]:
        keep.addFilter(import_string(settings.LOGGING["filters"][name]["()"])())
    keep.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    root.addHandler(keep)
    yield lines
    root.removeHandler(keep)


def local(moment: str, fmt: str = "%H:%M:%S") -> str:
    stamp = datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp()
    return time.strftime(fmt, time.localtime(stamp))


@override_settings(ROOT_URLCONF="tests.test_logging")
def test_lines_about_the_anonymous_side_carry_the_hour_at_most(project_lines, db):
    client = Client(raise_request_exception=False)
    with freeze_time(MOMENT):
        client.get("/dashboard/noisy/")
        client.get("/o/noisy/")
        client.get("/o/does-not-exist/")
        client.get("/en/postvak/does-not-exist/")
        client.get("/dashboard/does-not-exist/")
        client.get("/postvak/broken/")
    text = "\n".join(project_lines)
    exact, hour = local(MOMENT), local("2026-03-04 14:00:00")
    # A staff page's lines keep their time.
    assert f"{exact},000 WARNING vpcase.test.anonymous Something odd on /dashboard/noisy/" in text
    assert f"{exact},000 WARNING django.request Not Found: /dashboard/does-not-exist/" in text
    # On the anonymous side, warnings are not written; errors are, with the hour only.
    assert "odd on /o/noisy/" not in text and "Not Found: /o/" not in text
    assert "Not Found: /en/postvak/" not in text
    assert f"{hour},000 ERROR vpcase.test.anonymous Something failed on /o/noisy/" in text
    assert f"{hour},000 ERROR django.request Internal Server Error: /postvak/broken/" in text
    assert "RuntimeError: broken" in text
    on_the_anonymous_side = [line for line in project_lines if "/o/" in line or "postvak" in line]
    assert on_the_anonymous_side and not any(exact in line for line in on_the_anonymous_side)


def server_line(request_line: str, status: str, level: int) -> logging.LogRecord:
    """A record as `manage.py runserver` (django.core.servers.basehttp) writes it."""
    stamp = datetime.fromisoformat(MOMENT).replace(tzinfo=UTC).timestamp()
    return logging.makeLogRecord(
        {
            "name": "django.server",
            "msg": '"%s" %s %s',
            "args": (request_line, status, "0"),
            "levelno": level,
            "levelname": logging.getLevelName(level),
            "created": stamp,
            "msecs": 0.0,
            "server_time": local(MOMENT, "%d/%b/%Y %H:%M:%S"),
        }
    )


@pytest.mark.parametrize("first", ["anonymous_time", "confidential"])
def test_the_development_servers_lines_about_the_anonymous_side(first):
    filters = [AnonymousTimeFilter(), ConfidentialFilter()]
    if first == "confidential":  # the order of the filters does not matter
        filters.reverse()

    def passes(record):
        return all(f.filter(record) for f in filters)

    assert not passes(server_line("POST /postvak/gesprek/ HTTP/1.1", "302", logging.INFO))
    assert not passes(server_line("GET /o/demo/contact/?x=1 HTTP/1.1", "400", logging.WARNING))
    assert not passes(server_line("GET /static/css/vpcase.css HTTP/1.1", "404", logging.WARNING))
    staff = server_line("GET /dashboard/ HTTP/1.1", "404", logging.WARNING)
    assert passes(staff) and staff.server_time == local(MOMENT, "%d/%b/%Y %H:%M:%S")
    error = server_line("POST /en/o/demo/contact/ HTTP/1.1", "500", logging.ERROR)
    assert passes(error)
    assert error.server_time == local("2026-03-04 14:00:00", "%d/%b/%Y %H:%M:%S")


def test_the_development_server_keeps_no_access_log(settings):
    assert settings.LOGGING["loggers"]["django.server"]["level"] == "WARNING"
    handlers = settings.LOGGING["loggers"]["django.server"]["handlers"]
    assert all("anonymous_time" in settings.LOGGING["handlers"][h]["filters"] for h in handlers)
    assert all("anonymous_time" in h["filters"] for h in settings.LOGGING["handlers"].values())


def test_every_anonymous_page_is_known_to_the_filter():
    from meldingen.urls_publiek import urlpatterns as public

    for language in ("nl", "en"):
        with translation.override(language):
            for pattern in public:
                args = ["demo"] * len(pattern.pattern.converters)
                path_ = reverse(f"publiek:{pattern.name}", args=args)
                assert EMPLOYEE_PATH.match(path_), path_
    assert not EMPLOYEE_PATH.match(reverse("meldingen:inbox"))
