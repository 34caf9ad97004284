"""vpcase.widgets.Select and vpcase.choices replace slow Django internals on hot pages;
they must give the same output as what they replace."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from meldingen.models import Melding, Status
from vpcase.widgets import Select

CHOICES = [
    ("", "Alle"),
    ("a&b", 'Eén <"twee">'),
    (3, "drie"),
    ("Groep", [("g1", "in groep"), ("g2", "ook")]),
]


@pytest.mark.parametrize("value", ["", "a&b", 3, "3", "g2", None, "onbekend"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "aria-describedby": "x_help"}])
def test_select_renders_what_django_renders(value, attrs):
    ours = Select(choices=CHOICES, attrs={"class": "c", "required": True, "disabled": False})
    django = forms.Select(
        choices=CHOICES, attrs={"class": "c", "required": True, "disabled": False}
    )
    normalise = lambda html: "".join(html.split())  # noqa: E731 - whitespace only differs
    assert normalise(ours.render("x", value, attrs)) == normalise(django.render("x", value, attrs))


def test_select_in_a_bound_form_keeps_the_choice():
    class F(forms.Form):
        status = forms.ChoiceField(choices=Status.choices, widget=Select)

    html = F({"status": Status.AFGESLOTEN}).as_div()
    assert f'<option value="{Status.AFGESLOTEN}" selected>' in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_choice_display_matches_djangos_in_each_language(language):
    """Compared with Django's own Model._get_FIELD_display for every value of every field."""
    from django.apps import apps

    from vpcase.choices import OWN_APPS

    checked = 0
    with translation.override(language):
        for label in OWN_APPS:
            for model in apps.get_app_config(label).get_models():
                for field in model._meta.concrete_fields:
                    if not field.choices:
                        continue
                    method = getattr(model, f"get_{field.name}_display")
                    assert method.__name__ == "get_display", (model, field.name)
                    for value in [v for v, _text in field.flatchoices] + ["onbekend"]:
                        obj = model(**{field.attname: value})
                        ours = getattr(obj, f"get_{field.name}_display")()
                        assert ours == obj._get_FIELD_display(field), (model, field.name, value)
                        checked += 1
    assert checked > 50
    with translation.override("nl"):
        assert Melding(status=Status.LOPEND).get_status_display() == "In behandeling"
    with translation.override("en"):
        assert Melding(status=Status.LOPEND).get_status_display() == "In progress"
