"""Times in the anonymous mailbox: one rule for both sides (issue 15).

Every request and message is kept to the hour (services.to_the_hour) and shown as the hour
block it falls in, "10 March 2026, 12:00–13:00", for the employee's and the confidant's
messages alike; the thread is ordered by the order written, never by these times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def hour_block(value: datetime | None) -> str:
    """`value`'s date and the hour it falls in, as a <time> element."""
    if value is None:
        return ""
    start = timezone.localtime(value).replace(minute=0, second=0, microsecond=0)
    end = timezone.localtime(start + timedelta(hours=1))
    return format_html(
        '<time datetime="{}">{}, {}–{}</time>',
        start.isoformat(),
        formats.date_format(start, "DATE_FORMAT"),
        formats.time_format(start, "H:i"),
        formats.time_format(end, "H:i"),
    )
