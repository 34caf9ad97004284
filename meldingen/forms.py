from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vpcase.accounts.models import Organisatie, User

from .models import (
    MAX_DURATION_MINUTES,
    MAX_NOTE_LENGTH,
    Afhandeling,
    Categorie,
    Geslacht,
    Gespreksvorm,
    Grondslag,
    Interventie,
    Kanaal,
    MelderRol,
    Melding,
    Relatie,
    Status,
)

EARLIEST = date(2000, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LongTextField(forms.CharField):
    """Text up to MAX_NOTE_LENGTH. No maxlength attribute: a browser would silently cut a
    pasted note; the server says how long it is instead, and keeps all of it in the form."""

    default_error_messages = {
        "too_long": _(
            "This text has %(show_value)d characters; at most %(limit_value)d fit. Shorten it, "
            "or put the rest in a second conversation. Nothing you typed was thrown away."
        ),
    }

    def __init__(self, *, rows: int = 8, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)
        self.validators.append(MaxLengthValidator(MAX_NOTE_LENGTH, self.error_messages["too_long"]))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _not_in_future(value: date | None) -> date | None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))
    if value and value < EARLIEST:
        raise forms.ValidationError(_("This date is too far in the past."))
    return value


class MeldingForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisatie.objects.none(),
        error_messages={"invalid_choice": _("Choose one of the organisations you serve.")},
    )
    geopend_op = forms.DateField(label=_("Opened on"), widget=DateInput())
    kanaal = forms.ChoiceField(label=_("How did the reporter come to you?"), choices=Kanaal.choices)
    categorieen = forms.MultipleChoiceField(
        label=_("Type of behaviour"),
        choices=Categorie.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick everything that applies."),
    )
    relatie = forms.ChoiceField(
        label=_("Relation to the person the report is about"), choices=Relatie.choices
    )
    melder_rol = forms.ChoiceField(label=_("Reporter's role"), choices=MelderRol.choices)
    geslacht = forms.ChoiceField(
        label=_("Gender of the reporter"),
        choices=[("", _("Not recorded")), *Geslacht.choices],
        required=False,
        help_text=_("Only record this when it is useful, e.g. for sexual harassment trends."),
    )
    melder_naam = forms.CharField(
        label=_("Reporter's name or pseudonym"),
        max_length=200,
        required=False,
        help_text=_("Encrypted. A pseudonym is fine."),
    )
    melder_contact = LongTextField(
        label=_("Contact details"), rows=2, help_text=_("Encrypted. Phone or e-mail, if agreed.")
    )
    samenvatting = LongTextField(
        label=_("Summary"), rows=6, help_text=_("Encrypted. What is the report about?")
    )

    def __init__(self, *args, user: User, melding: Melding | None = None, **kwargs):
        self.user = user
        self.melding = melding
        super().__init__(*args, **kwargs)
        if melding is None:
            self.fields["organisatie"].queryset = Organisatie.objects.filter(
                lidmaatschappen__user=user, actief=True
            ).order_by("naam")
            self.fields["geopend_op"].initial = timezone.localdate()
        else:
            # The organisation of an existing case does not change.
            del self.fields["organisatie"]

    def clean_geopend_op(self):
        return _not_in_future(self.cleaned_data["geopend_op"])


class GesprekForm(forms.Form):
    datum = forms.DateField(label=_("Date"), widget=DateInput())
    duur_minuten = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        error_messages={
            "min_value": _("A conversation lasts at least 1 minute."),
            "max_value": _("A conversation lasts at most %(limit_value)s minutes."),
        },
    )
    vorm = forms.ChoiceField(
        label=_("Form"), choices=Gespreksvorm.choices, widget=forms.RadioSelect
    )
    interventies = forms.MultipleChoiceField(
        label=_("What did you do?"),
        choices=Interventie.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notities = LongTextField(label=_("Notes"), rows=12, help_text=_("Encrypted."))
    afspraken = LongTextField(
        label=_("Agreements and next steps"), rows=4, help_text=_("Encrypted.")
    )
    volgende_afspraak = forms.DateField(
        label=_("Next appointment"), widget=DateInput(), required=False
    )

    def __init__(self, *args, melding: Melding, **kwargs):
        self.melding = melding
        super().__init__(*args, **kwargs)
        self.fields["datum"].initial = timezone.localdate()

    def clean_datum(self):
        return _not_in_future(self.cleaned_data["datum"])

    def clean(self):
        cleaned = super().clean()
        datum, volgende = cleaned.get("datum"), cleaned.get("volgende_afspraak")
        if datum and volgende and volgende < datum:
            self.add_error(
                "volgende_afspraak", _("The next appointment is before this conversation.")
            )
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Status.OPEN, Status.OPEN.label), (Status.LOPEND, Status.LOPEND.label)],
    )


class CloseForm(forms.Form):
    afhandeling = forms.ChoiceField(
        label=_("Outcome"), choices=Afhandeling.choices, widget=forms.RadioSelect
    )
    gesloten_op = forms.DateField(label=_("Closed on"), widget=DateInput())
    bewaarplicht = forms.BooleanField(
        label=_("Legal hold: keep the narrative until I lift this"),
        required=False,
        help_text=_("For example while a formal complaint is pending."),
    )
    bewaarplicht_reden = LongTextField(
        label=_("Reason for the legal hold"), rows=2, help_text=_("Encrypted.")
    )

    def __init__(self, *args, melding: Melding, **kwargs):
        self.melding = melding
        super().__init__(*args, **kwargs)
        self.fields["gesloten_op"].initial = timezone.localdate()

    def clean_gesloten_op(self):
        value = _not_in_future(self.cleaned_data["gesloten_op"])
        if value and value < self.melding.geopend_op:
            raise forms.ValidationError(_("A case cannot close before it was opened."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("bewaarplicht") and not cleaned.get("bewaarplicht_reden", "").strip():
            self.add_error("bewaarplicht_reden", _("Give the reason for the legal hold."))
        return cleaned


class LegalHoldForm(forms.Form):
    bewaarplicht = forms.BooleanField(
        label=_("Legal hold: keep the narrative until I lift this"), required=False
    )
    bewaarplicht_reden = LongTextField(label=_("Reason for the legal hold"), rows=2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("bewaarplicht") and not cleaned.get("bewaarplicht_reden", "").strip():
            self.add_error("bewaarplicht_reden", _("Give the reason for the legal hold."))
        return cleaned


class ToegangForm(forms.Form):
    collega = forms.ModelChoiceField(
        label=_("Colleague confidant"),
        queryset=User.objects.none(),
        error_messages={"invalid_choice": _("Choose a confidant of this organisation.")},
    )

    geldig_tot = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Access ends after this day, e.g. the day you are back. Without a date it lasts "
            "until you revoke it. Ask the reporter whether they agree to a colleague reading."
        ),
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collega"].queryset = colleagues

    def clean_geldig_tot(self):
        value = self.cleaned_data.get("geldig_tot")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later day."))
        return value


class DoorbrekingForm(forms.Form):
    grondslag = forms.ChoiceField(
        label=_("Legal ground"), choices=Grondslag.choices, widget=forms.RadioSelect
    )
    datum = forms.DateField(label=_("Date"), widget=DateInput())
    toelichting = LongTextField(
        label=_("Justification"),
        rows=6,
        required=True,
        help_text=_(
            "Encrypted. Why was confidentiality broken, towards whom, and what was shared?"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["datum"].initial = timezone.localdate()

    def clean_datum(self):
        return _not_in_future(self.cleaned_data["datum"])


class FilterForm(forms.Form):
    """The case list's filters (GET). Invalid values give a 400 with the message."""

    nummer = forms.CharField(label=_("Case number"), max_length=20, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("actief", _("Open or in progress")), *Status.choices],
    )
    categorie = forms.ChoiceField(
        label=_("Type of behaviour"),
        required=False,
        choices=[("", _("All")), *Categorie.choices],
    )
    organisatie = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisatie.objects.none(),
        empty_label=_("All"),
    )
    van = forms.DateField(label=_("Opened from"), required=False, widget=DateInput())
    tot = forms.DateField(label=_("Opened until"), required=False, widget=DateInput())
    zoek = forms.CharField(
        label=_("Search names and summaries"),
        max_length=100,
        required=False,
        help_text=_("Searches your own cases only, by decrypting them; can take a moment."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = Organisatie.objects.filter(
            lidmaatschappen__user=user
        ).order_by("naam")

    def clean(self):
        cleaned = super().clean()
        van, tot = cleaned.get("van"), cleaned.get("tot")
        if van and tot and tot < van:
            self.add_error("tot", _("The end date is before the start date."))
        return cleaned


class HandoverForm(forms.Form):
    """The admin picks a successor per organisation for a leaving confidant's cases."""

    def __init__(self, *args, groups: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            name = f"opvolger_{group['organisatie_id']}"
            self.fields[name] = forms.ModelChoiceField(
                label=group["naam"],
                queryset=User.objects.filter(pk__in=[u.pk for u in group["opvolgers"]]),
                required=False,
                empty_label=_("Do not hand over now"),
                error_messages={"invalid_choice": _("Choose a confidant of this organisation.")},
            )
            group["field_name"] = name
