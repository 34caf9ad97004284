"""Absolute links for e-mail and print, from SITE_URL: the worker that sends a mail has no
request to take the address from, and a relative link in a mail cannot be clicked."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def absolute_reverse(viewname: str, *args, **kwargs) -> str:
    return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))
