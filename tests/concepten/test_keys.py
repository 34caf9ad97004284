"""The draft-key registry: a key is accepted only when a registered kind matches it whole."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from vpcase.concepten import keys
from vpcase.concepten.keys import KeyKind

pytestmark = pytest.mark.once("pure computation on strings")

UUID = "0b6f5d2e-8c1a-4f3e-9d7b-2a4c6e8f0a1b"


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for this test; the installed apps' kinds come back after it."""
    monkeypatch.setattr(keys, "_registry", {})
    return keys


def test_a_kind_builds_and_matches_its_own_keys_only():
    kind = KeyKind("thing", "thing:{uuid}:{id}")
    assert kind.build(uuid=UUID, id=7) == f"thing:{UUID}:7"
    assert kind.matches(f"thing:{UUID}:7")
    for other in (
        f"thing:{UUID}:7\n",
        f"thing:{UUID}:x",
        f"thing:{UUID.upper()}:7",
        f"xthing:{UUID}:7",
        "thing:../../etc:7",
        f"thing.{UUID}:7",
    ):
        assert not kind.matches(other), other
    with pytest.raises(ValueError):
        kind.build(uuid="not-a-uuid", id=7)


def test_the_template_is_literal_text_apart_from_its_placeholders():
    assert KeyKind("dots", "a.b:{id}").matches("a.b:1")
    assert not KeyKind("dots", "a.b:{id}").matches("axb:1")
    with pytest.raises(ImproperlyConfigured):
        KeyKind("bad", "thing:{name}")


def test_only_registered_kinds_are_valid(registry):
    kind = KeyKind("thing", "thing:{id}")
    assert not registry.valid_key("thing:1")
    registry.register(kind)
    assert registry.valid_key("thing:1")
    assert not registry.valid_key("thing:")
    assert not registry.valid_key("")
    assert not registry.valid_key("thing:" + "1" * keys.MAX_KEY_LENGTH)  # longer than the column


def test_a_name_is_registered_once(registry):
    registry.register(KeyKind("thing", "thing:{id}"))
    registry.register(KeyKind("thing", "thing:{id}"))  # the same again: no-op
    assert len(registry.registered()) == 1
    with pytest.raises(ImproperlyConfigured):
        registry.register(KeyKind("thing", "other:{id}"))


def test_the_installed_apps_registered_their_kinds():
    # meldingen registers in its AppConfig.ready(); the core module itself names none.
    assert {kind.name for kind in keys.registered()} >= {
        "melding_nieuw",
        "melding",
        "gesprek_nieuw",
        "gesprek",
    }
    assert keys.valid_key("melding:nieuw")
    assert not keys.valid_key("../../etc")
