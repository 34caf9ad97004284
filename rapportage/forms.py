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
    reactie = LongTextField(
        label=_("Management's response"),
        rows=4,
        help_text=_(
            "What management did with the signal or advice, if you know it. Printed under the "
            "signal when it is in the annual report. Encrypted."
        ),
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
    """The narrative, in the order of the report. An empty summary or confidants' section
    is offered a draft (verslagtekst.concepten) as its initial value: a proposal the
    confidant edits and saves, never stored by itself."""

    samenvatting = LongTextField(
        label=_("In brief (management summary)"),
        rows=6,
        help_text=_(
            "The first page for readers in a hurry. When it is empty, vpcase proposes a text "
            "from the published figures; it is saved only when you save."
        ),
    )
    inleiding = LongTextField(label=_("Introduction"), rows=5)
    vertrouwenspersonen = LongTextField(
        label=_("The confidants and their appointment"),
        rows=5,
        help_text=_(
            "Who the confidants are, whether they are internal or external, who appointed them "
            "and for how long, and how employees reach them."
        ),
    )
    ontwikkelingen = LongTextField(label=_("Developments and trends"), rows=5)
    signalen_tekst = LongTextField(label=_("Signals and advice"), rows=5)
    ontwikkeling = LongTextField(
        label=_("Development and cooperation"),
        rows=6,
        help_text=_(
            "For example: training and refresher courses, peer consultation (intervisie), "
            "registration in the LVV register, and how you worked with HR, the company doctor, "
            "the complaints committee and the works council."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": _(
                    "Training: …\nIntervisie: …\nLVV register: …\nCooperation with HR, the "
                    "company doctor, the complaints committee and the works council: …"
                ),
            }
        ),
    )
    aanbevelingen = LongTextField(
        label=_("Introduction to the recommendations"),
        rows=3,
        help_text=_("Optional. The recommendations themselves are items: see “Recommendations”."),
    )


class AanbevelingForm(forms.Form):
    """One of this year's recommendations; `id` is an item of this report, or empty for a
    new one (the service ignores any other id)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    tekst = LongTextField(label=_("Recommendation"), rows=3)


AanbevelingFormSet = forms.formset_factory(
    AanbevelingForm, extra=2, can_delete=True, can_order=True, max_num=50, validate_max=True
)


class OpvolgingForm(forms.Form):
    """The follow-up of each of last year's recommendations: one field per item."""

    def __init__(self, *args, vorige, **kwargs):
        super().__init__(*args, **kwargs)
        self.vorige = list(vorige)
        for n, item in enumerate(self.vorige, start=1):
            self.fields[f"opvolging_{item.pk}"] = LongTextField(
                label=_("Follow-up of recommendation %(n)s") % {"n": n},
                rows=3,
                initial=item.opvolging,
                help_text=item.tekst,
            )

    def opvolgingen(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"opvolging_{item.pk}"] for item in self.vorige}


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
