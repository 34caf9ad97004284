"""A case's next appointment as an iCalendar file (RFC 5545) for the confidant's own calendar.

Calendars get synced to phones and to third-party services, and shared with colleagues as
free/busy, so the file says as little as it can: a fixed title with the case number, the
moment, and CLASS:PRIVATE. No reporter's name, no notes, no link.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from .models import Melding

# How long a timed appointment is shown in the calendar; the confidant can stretch it there.
APPOINTMENT_LENGTH = timedelta(hours=1)
PRODID = "-//vpcase//Afspraak vertrouwenspersoon//NL"
# Lines longer than this many octets are folded (RFC 5545, 3.1).
MAX_LINE = 75


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """One content line as physical lines of at most MAX_LINE octets, never splitting a
    UTF-8 character; continuation lines start with a space."""
    parts, current, limit = [], "", MAX_LINE
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current, limit = "", MAX_LINE - 1
        current += char
    parts.append(current)
    return [parts[0], *(" " + p for p in parts[1:])]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_uid(melding: Melding) -> str:
    """The same for the same case and day, so that downloading it again (after moving the
    hour, say) updates the calendar entry instead of adding one; derived from the case's key
    without showing it."""
    day = melding.volgende_afspraak
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'vpcase:{melding.public_id}:{day}')}@vpcase"


def appointment_ics(*, melding: Melding, now: datetime) -> str:
    """The case's next appointment (which it must have) as a calendar with one event, with
    CRLF line endings. A time is given in UTC; without one it is a whole-day entry that does
    not block the day."""
    day, hour = melding.volgende_afspraak, melding.volgende_afspraak_tijd
    if day is None:
        raise ValueError("The case has no next appointment.")
    if hour is None:
        when = [
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            "DURATION:P1D",
            "TRANSP:TRANSPARENT",
        ]
    else:
        start = timezone.make_aware(datetime.combine(day, hour))
        minutes = int(APPOINTMENT_LENGTH.total_seconds() // 60)
        length = f"PT{minutes // 60}H" if minutes % 60 == 0 else f"PT{minutes}M"
        when = [f"DTSTART:{_utc(start)}", f"DURATION:{length}", "TRANSP:OPAQUE"]
    summary = gettext("Confidant appointment, case %(nummer)s") % {"nummer": melding.nummer}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment_uid(melding)}",
        f"DTSTAMP:{_utc(now)}",
        *when,
        f"SUMMARY:{_text(summary)}",
        "CLASS:PRIVATE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(f"{physical}\r\n" for line in lines for physical in _fold(line))
