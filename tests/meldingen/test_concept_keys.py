"""meldingen's draft keys. The formats are written once, in meldingen/concept_keys.py; they are
pinned here because every stored draft carries its key: a format that changed would orphan
the drafts saved under the old one, and retention would no longer find them."""

from __future__ import annotations

import pytest

from meldingen import concept_keys
from tests.factories import GesprekFactory
from vpcase.concepten.keys import valid_key

pytestmark = pytest.mark.django_db


def test_the_key_formats_stay_as_stored(melding_a):
    gesprek = GesprekFactory(melding=melding_a)
    uuid = str(melding_a.public_id)
    assert concept_keys.melding_new() == "melding:nieuw"
    assert concept_keys.melding(melding_a) == f"melding:{uuid}"
    assert concept_keys.gesprek_new(melding_a) == f"gesprek:nieuw:{uuid}"
    assert concept_keys.gesprek(gesprek) == f"gesprek:{gesprek.pk}"
    assert concept_keys.of_case(melding_a, [gesprek.pk]) == [
        f"melding:{uuid}",
        f"gesprek:nieuw:{uuid}",
        f"gesprek:{gesprek.pk}",
    ]
    for key in (*concept_keys.of_case(melding_a, [gesprek.pk]), concept_keys.melding_new()):
        assert valid_key(key), key
