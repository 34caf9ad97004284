from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from vpcase.accounts.forms import https_urls
from vpcase.accounts.models import Lidmaatschap, Organisatie, User

from . import afbeeldingen, search, services
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


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


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


def coded_choice(label, choices, *, unknown: bool = False, **kwargs) -> forms.ChoiceField:
    """A coded field (one that the annual report counts) that starts empty: a value nobody
    chose must never end up in a figure. Where a confidant may honestly not know, the choices
    hold an explicit "Unknown" and the message points to it."""
    message = (
        _("Choose one. If you do not know, choose “Unknown”.") if unknown else _("Choose one.")
    )
    return forms.ChoiceField(
        label=label,
        choices=[("", _("— choose —")), *choices],
        error_messages={"required": message},
        **kwargs,
    )


def preselect_only_choice(field: forms.Field) -> None:
    """Preselect the only organisation a confidant serves; with more, they choose."""
    if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
        raise TypeError("An organisation field with a queryset is expected.")
    options = list(field.queryset.values_list("pk", flat=True)[:2])
    if len(options) == 1:
        field.initial = options[0]


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
    kanaal = coded_choice(_("How did the reporter come to you?"), Kanaal.choices)
    categorieen = forms.MultipleChoiceField(
        label=_("Type of behaviour"),
        choices=Categorie.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick everything that applies."),
    )
    relatie = coded_choice(
        _("Relation to the person the report is about"), Relatie.choices, unknown=True
    )
    melder_rol = coded_choice(_("Reporter's role"), MelderRol.choices, unknown=True)
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
            preselect_only_choice(self.fields["organisatie"])
            self.fields["geopend_op"].initial = timezone.localdate()
        else:
            # The organisation of an existing case does not change.
            del self.fields["organisatie"]

    def clean_geopend_op(self):
        return _not_in_future(self.cleaned_data["geopend_op"])


class GesprekForm(forms.Form):
    datum = forms.DateField(label=_("Date"), widget=DateInput())
    tijd = forms.TimeField(
        label=_("Time (optional)"),
        widget=TimeInput(),
        required=False,
        help_text=_(
            "When the conversation began. Without a time it is placed on the timeline at the "
            "moment you log it."
        ),
    )
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
    volgende_afspraak_tijd = forms.TimeField(
        label=_("Time of the next appointment (optional)"),
        widget=TimeInput(),
        required=False,
        help_text=_("Without a time the appointment is for the whole day in your calendar."),
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
        tijd, volgende_tijd = cleaned.get("tijd"), cleaned.get("volgende_afspraak_tijd")
        now = timezone.localtime()
        if datum == now.date() and tijd and tijd > now.time():
            self.add_error("tijd", _("This time is still to come today."))
        if volgende_tijd and not volgende and "volgende_afspraak" not in self.errors:
            self.add_error("volgende_afspraak", _("Give the date of the next appointment as well."))
        if (
            datum
            and volgende
            and (
                volgende < datum
                or (volgende == datum and tijd and volgende_tijd and volgende_tijd <= tijd)
            )
        ):
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
        label=_("Suspend destruction (legal hold)"),
        required=False,
        help_text=_(
            "The narrative is kept after the retention period until you lift this, for "
            "example while a formal complaint is pending."
        ),
    )
    bewaarplicht_reden = LongTextField(
        label=_("Reason for suspending destruction"), rows=2, help_text=_("Encrypted.")
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
            self.add_error("bewaarplicht_reden", _("Give the reason for suspending destruction."))
        return cleaned


class LegalHoldForm(forms.Form):
    bewaarplicht = forms.BooleanField(
        label=_("Suspend destruction (legal hold)"),
        required=False,
        help_text=_("The narrative is kept after the retention period until you lift this."),
    )
    bewaarplicht_reden = LongTextField(label=_("Reason for suspending destruction"), rows=2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("bewaarplicht") and not cleaned.get("bewaarplicht_reden", "").strip():
            self.add_error("bewaarplicht_reden", _("Give the reason for suspending destruction."))
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


class SearchForm(forms.Form):
    """The case list's free-text search. Posted, never a GET parameter: a reporter's name typed
    here must not end up in a URL, the browser's history or a proxy's log (meldingen.search)."""

    zoek = forms.CharField(
        label=_("Search in your cases"),
        max_length=search.MAX_LENGTH,
        required=False,
        # No form history either: browsers remember what was typed into fields.
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_(
            "Names, summaries, conversation notes, exceptions and mailbox messages of the cases "
            "you may open; every word must occur. Not kept in the address bar."
        ),
    )


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


# --- Reply templates (the confidant's own) ------------------------------------------------------


class AntwoordsjabloonForm(forms.Form):
    titel = forms.CharField(
        label=_("Title"),
        max_length=100,
        help_text=_("Only you see it: it is how you pick the template above a reply."),
        error_messages={
            "required": _("Give the template a title."),
            "max_length": _("A title has at most %(limit_value)d characters."),
        },
    )
    tekst = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "The text that goes into the reply. You can still change it before you send the reply."
        ),
        error_messages={"required": _("Write the text of the template.")},
    )

    def clean_titel(self) -> str:
        return self.cleaned_data["titel"].strip()

    def clean_tekst(self) -> str:
        from .forms_publiek import MAX_MESSAGE

        text = self.cleaned_data["tekst"].strip()
        if len(text) > MAX_MESSAGE:
            raise forms.ValidationError(
                _("The text has %(n)d characters; at most %(max)d fit."),
                params={"n": len(text), "max": MAX_MESSAGE},
            )
        return text


class SjabloonInvoegenForm(forms.Form):
    """Pick one of one's own reply templates to put into the reply being written."""

    sjabloon = forms.TypedChoiceField(
        label=_("Reply template"),
        coerce=int,
        error_messages={
            "required": _("Choose a template to insert."),
            "invalid_choice": _("Choose one of your templates."),
        },
    )

    def __init__(self, *args, sjablonen: list, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["sjabloon"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Choose a template")),
            *[(s.pk, s.titel) for s in sjablonen],
        ]


# --- The organisation's public page (meldingen/views/organisatie.py) ------------------------


class ImageField(forms.FileField):
    """An upload that comes out re-encoded (afbeeldingen.Verwerkt), or a form error: too
    large, too many pixels, or not a PNG, JPEG or WebP that Pillow can decode."""

    def __init__(self, *, process, **kwargs):
        self.process = process
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": afbeeldingen.ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        afbeeldingen.check_size(upload)
        return self.process(upload)


class _ImageFormMixin:
    """An image field and a "remove" tick (shown only when there is an image to remove); a
    new upload wins over the tick."""

    image_field: str
    remove_field: str
    fields: dict[str, forms.Field]  # the form's, once it is mixed into one

    def __init__(self, *args, has_image: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_image:
            del self.fields[self.remove_field]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(self.image_field):
            cleaned[self.remove_field] = False
        cleaned.setdefault(self.remove_field, False)
        return cleaned


def _with_size(text):
    """The text with the upload limit in it, translated when shown (not at import)."""
    return lazy(lambda: str(text) % {"size": filesizeformat(afbeeldingen.MAX_BYTES)}, str)()


class PubliekeInfoForm(_ImageFormMixin, forms.ModelForm):
    image_field = "logo"
    remove_field = "logo_verwijderen"

    logo = ImageField(
        process=afbeeldingen.logo,
        label=_("Logo"),
        help_text=_with_size(
            _("Optional. PNG, JPEG or WebP, at most %(size)s. It is stored without its metadata.")
        ),
    )
    logo_verwijderen = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        formfield_callback = https_urls
        model = Organisatie
        fields = services.ORGANISATIE_PAGE_FIELDS
        widgets = {"publieke_tekst": forms.Textarea(attrs={"rows": 4})}


class ProfielForm(_ImageFormMixin, forms.ModelForm):
    image_field = "foto"
    remove_field = "foto_verwijderen"

    foto = ImageField(
        process=afbeeldingen.foto,
        label=_("Photo"),
        help_text=_with_size(
            _(
                "Optional. A square is cut from the middle. PNG, JPEG or WebP, at most "
                "%(size)s. It is stored without its metadata (such as where it was taken)."
            )
        ),
    )
    foto_verwijderen = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Lidmaatschap
        fields = services.OWN_ENTRY_FIELDS
        widgets = {"introductie": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("zichtbaar") and not cleaned.get("introductie", "").strip():
            self.add_error("introductie", services.OwnEntryIncomplete.message)
        return cleaned
