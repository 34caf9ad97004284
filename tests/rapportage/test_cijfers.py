"""The typed figures: stored and read back, figures stored before the types, the migration
that took the signal texts out of them."""

from __future__ import annotations

import dataclasses
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from rapportage import document, services
from rapportage.aggregatie import verzamel
from rapportage.cijfers import Cijfers
from rapportage.models import Jaarverslag
from tests.rapportage.crafted import SIGNAL_INCLUDED, raw_cijfers

pytestmark = pytest.mark.django_db

# What the aggregation before the typed figures published for the crafted year 2025, as it
# was stored in Jaarverslag.cijfers then: with the included signal's text, without its id.
OLD = Path(__file__).parent / "data" / "cijfers_2025_oud.json"


def old_figures() -> dict:
    return json.loads(OLD.read_text(encoding="utf-8"))


def without_signal_ids(cijfers: Cijfers) -> Cijfers:
    items = tuple(dataclasses.replace(s, id=None) for s in cijfers.signalen.items)
    return dataclasses.replace(cijfers, signalen=dataclasses.replace(cijfers.signalen, items=items))


def test_stored_and_read_back(crafted):
    cijfers = verzamel(crafted, 2025)
    assert Cijfers.from_json(json.loads(json.dumps(cijfers.to_json()))) == cijfers


def test_figures_stored_before_the_types_still_load(crafted):
    # Stored before the whole-report disclosure model: they load, render as CSV and keep
    # their own values (a report published then says what it said).
    with translation.override(settings.LANGUAGE_CODE):
        legacy = Cijfers.from_json(old_figures())
        csv = document.render_csv(legacy)
    assert legacy.kern.nieuw.dit_jaar == 24 and legacy.tabel("categorie").rijen
    assert "24" in csv and legacy.to_json()["jaar"] == 2025
    assert Cijfers.from_json(legacy.to_json()) == legacy
    assert SIGNAL_INCLUDED not in json.dumps(legacy.to_json())


def test_migration_removes_the_signal_texts_from_stored_figures(crafted):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    Jaarverslag.objects.filter(pk=verslag.pk).update(cijfers=old_figures())
    empty = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2024)  # never built
    migration = importlib.import_module("rapportage.migrations.0003_cijfers_without_signal_texts")
    assert SIGNAL_INCLUDED in raw_cijfers(verslag.pk)  # the leak, as it was

    migration.remove_signal_texts(apps, None)

    column = raw_cijfers(verslag.pk)
    assert SIGNAL_INCLUDED not in column and "jaarafsluiting" not in column
    verslag.refresh_from_db()
    assert Cijfers.from_json(verslag.cijfers) == Cijfers.from_json(old_figures())
    empty.refresh_from_db()
    assert empty.cijfers == {}
