"""{{ sentence|single_period }}: one period after a name that ends in one (vpcase/text.py)."""

from __future__ import annotations

from django import template

from vpcase.text import single_period as _single_period

register = template.Library()


@register.filter(is_safe=True)
def single_period(value: str) -> str:
    return _single_period(str(value))
