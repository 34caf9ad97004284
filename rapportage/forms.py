from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldingen.forms import (
    DateInput,
    LongTextField,
    _not_in_future,
    coded_choice,
    preselect_only_choice,
)
from vpcase.accounts.models import Organisatie

from .models import SIGNAAL_THEMA_CHOICES, ActiviteitSoort, GerichtAan


class _OrgForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisatie.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the organisations you serve.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = Organisatie.objects.filter(
            lidmaatschappen__user=user, actief=True
        ).order_by("naam")
        preselect_only_choice(self.fields["organisatie"])


class ActiviteitForm(_OrgForm):
    datum = forms.DateField(label=_("Date"), widget=DateInput())
    soort = coded_choice(_("Type"), ActiviteitSoort.choices)
    bereik = forms.IntegerField(
        label=_("People reached"), min_value=0, max_value=100_000, initial=0
    )
    uren = forms.DecimalField(
        label=_("Hours"),
        min_value=Decimal("0"),
        max_value=Decimal("1000"),
        decimal_places=2,
        initial=Decimal("1"),
    )
    omschrijving = forms.CharField(
        label=_("Short description"),
        max_length=300,
        required=False,
        help_text=_("No names: this may appear in the annual report's overview."),
    )

    def clean_datum(self):
        return _not_in_future(self.cleaned_data["datum"])


class SignaalForm(_OrgForm):
    datum = forms.DateField(label=_("Date"), widget=DateInput())
    thema = coded_choice(_("Theme"), SIGNAAL_THEMA_CHOICES)
    gericht_aan = coded_choice(_("Addressed to"), GerichtAan.choices)
    gevraagd = forms.BooleanField(
        label=_("Solicited: the organisation asked for it"), required=False
    )
    tekst = LongTextField(
        label=_("Signal or advice"), rows=6, required=True, help_text=_("Encrypted.")
    )
    in_jaarverslag = forms.BooleanField(
        label=_("Include this text in the annual report"),
        required=False,
        help_text=_("Only then does it appear in the report HR reads. Write nothing traceable."),
    )

    def clean_datum(self):
        return _not_in_future(self.cleaned_data["datum"])


class KiesVerslagForm(_OrgForm):
    jaar = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jaar"].initial = timezone.localdate().year - 1


class VerslagTekstForm(forms.Form):
    inleiding = LongTextField(label=_("Introduction"), rows=5)
    ontwikkelingen = LongTextField(label=_("Developments and trends"), rows=5)
    signalen_tekst = LongTextField(label=_("Signals and advice"), rows=5)
    aanbevelingen = LongTextField(label=_("Recommendations"), rows=5)


class PublicerenForm(forms.Form):
    """Publishing; a revised version must say what changed (HR reads it next to the file)."""

    toelichting = LongTextField(
        label=_("What changed in this version"),
        rows=4,
        help_text=_(
            "HR reads this next to the download. Say what was corrected, without numbers below "
            "the threshold and without anything that points to a person."
        ),
    )

    def __init__(self, *args, herziening: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if herziening:
            self.fields["toelichting"].required = True
            self.fields["toelichting"].error_messages["required"] = _(
                "Say what changed: HR sees this version replace the one they have."
            )
        else:
            del self.fields["toelichting"]


class IntrekkenForm(forms.Form):
    reden = LongTextField(
        label=_("Why is the report withdrawn?"),
        rows=4,
        required=True,
        help_text=_("Kept in the report's history for the confidants; HR is not shown it."),
        error_messages={"required": _("Give the reason for the withdrawal.")},
    )
