"""Forms of the public, anonymous side. Nothing here asks who the visitor is."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vpcase.accounts.models import User

from .models import Categorie, Contactwijze

MAX_MESSAGE = 10_000
CHOICE_FIELD = "gewenste_vertrouwenspersoon"
OLD_CHOICE_FIELD = "gewenste_vp"


class VerzoekForm(forms.Form):
    gewenste_vertrouwenspersoon = forms.ModelChoiceField(
        label=_("Who would you like to talk to?"),
        queryset=User.objects.none(),
        required=False,
        # An explicit first choice, checked by default, so that a tapped name can be undone;
        # Django leaves it out of radio buttons unless `blank` is set. The request then goes
        # to all the organisation's confidants.
        empty_label=_("No preference"),
        blank=True,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the confidants on this page.")},
    )
    categorie = forms.ChoiceField(
        label=_("What is it about? (optional)"),
        choices=[("", _("I'd rather not say")), *Categorie.choices[:-1]],
        required=False,
    )
    bericht = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Tell as much or as little as you like. Do not write your name unless you want to."
        ),
        error_messages={"required": _("Write a message, however short.")},
    )
    contactwijze = forms.ChoiceField(
        label=_("How would you like the confidant to get in touch?"),
        choices=Contactwijze.choices,
        initial=Contactwijze.POSTVAK,
        widget=forms.RadioSelect,
    )
    contactgegevens = forms.CharField(
        label=_("Your phone number or e-mail address (optional)"),
        max_length=200,
        required=False,
        help_text=_("Only if you chose phone or e-mail. It is stored encrypted."),
    )
    voorkeurstijden = forms.CharField(
        label=_("When can you be reached? (optional)"), max_length=200, required=False
    )
    # A field that people never see and bots fill in.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, data=None, *args, confidants, **kwargs):
        # The field was called `gewenste_vp` until issue 14. A contact page opened before the
        # upgrade still posts that name: read it, so that the employee's choice of confidant is
        # not dropped (and the request shown to every confidant). Remove one release later.
        if data is not None and OLD_CHOICE_FIELD in data and CHOICE_FIELD not in data:
            data = data.copy()
            data[CHOICE_FIELD] = data[OLD_CHOICE_FIELD]
        super().__init__(data, *args, **kwargs)
        self.fields["gewenste_vertrouwenspersoon"].queryset = User.objects.filter(
            pk__in=[m.user_id for m in confidants]
        )
        self.fields["gewenste_vertrouwenspersoon"].label_from_instance = lambda user: user.full_name
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "hp-input"}
        )

    def clean_bericht(self) -> str:
        text = self.cleaned_data["bericht"].strip()
        if len(text) > MAX_MESSAGE:
            raise forms.ValidationError(
                _(
                    "Your message has %(n)d characters; at most %(max)d fit. Shorten it a little, "
                    "or send the rest later through the mailbox."
                ),
                params={"n": len(text), "max": MAX_MESSAGE},
            )
        return text

    def clean(self):
        cleaned = super().clean()
        wijze = cleaned.get("contactwijze")
        if wijze in (Contactwijze.TELEFOON, Contactwijze.EMAIL) and not cleaned.get(
            "contactgegevens"
        ):
            self.add_error(
                "contactgegevens",
                _("Leave a phone number or e-mail address, or choose the anonymous mailbox."),
            )
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your code"),
        max_length=40,
        help_text=_("The 16 characters you received, e.g. 7KQD-3MXP-9WTR-H2FB."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class ReplyForm(forms.Form):
    tekst = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write a message, however short.")},
    )

    def clean_tekst(self) -> str:
        text = self.cleaned_data["tekst"].strip()
        if len(text) > MAX_MESSAGE:
            raise forms.ValidationError(
                _("Your message has %(n)d characters; at most %(max)d fit."),
                params={"n": len(text), "max": MAX_MESSAGE},
            )
        return text
