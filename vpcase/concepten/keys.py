"""Draft keys: which form a draft belongs to.

A feature app writes each kind of key once, as a KeyKind with a template such as
``"note:{id}"``, builds its keys with it, and registers its kinds in its AppConfig.ready().
valid_key() accepts a posted key only when a registered kind matches it whole, so a post can
name no other draft. This module knows no kind itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

MAX_KEY_LENGTH = 100  # Concept.sleutel

# What a placeholder in a template may stand for.
PLACEHOLDERS = {
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "id": r"\d+",
}
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


@dataclass(frozen=True)
class KeyKind:
    """One kind of draft key. `template` is literal text with placeholders from PLACEHOLDERS,
    e.g. ``"note:new:{uuid}"``; it is the only place the format is written."""

    name: str
    template: str
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts, last = [], 0
        for match in _PLACEHOLDER.finditer(self.template):
            if match.group(1) not in PLACEHOLDERS:
                raise ImproperlyConfigured(
                    f"Draft key {self.name!r}: unknown placeholder {match.group(0)!r}"
                )
            parts += [re.escape(self.template[last : match.start()]), PLACEHOLDERS[match.group(1)]]
            last = match.end()
        parts.append(re.escape(self.template[last:]))
        object.__setattr__(self, "pattern", re.compile("".join(parts)))

    def build(self, **values: object) -> str:
        key = self.template.format(**{name: str(value) for name, value in values.items()})
        if not self.matches(key):
            raise ValueError(f"Not a {self.name} draft key: {key!r}")
        return key

    def matches(self, key: str) -> bool:
        return len(key) <= MAX_KEY_LENGTH and self.pattern.fullmatch(key) is not None


_registry: dict[str, KeyKind] = {}


def register(*kinds: KeyKind) -> None:
    """Called from a feature app's AppConfig.ready(). Registering the same kind again is a
    no-op; another kind under a name already taken is a configuration error."""
    for kind in kinds:
        known = _registry.get(kind.name)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"Draft key kind {kind.name!r} is registered twice.")
        _registry[kind.name] = kind


def registered() -> tuple[KeyKind, ...]:
    return tuple(_registry.values())


def valid_key(key: str) -> bool:
    return any(kind.matches(key or "") for kind in _registry.values())
