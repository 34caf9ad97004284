"""The inzage review form: one small form per passage (prefixed by its key), and the final
confirmation with the confidant's password. See meldingen/inzage.py for the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vpcase.accounts.forms import ConfirmPasswordForm

from .inzage import (
    MAX_NOTE,
    Keuze,
    Passage,
    Reden,
    Uitkomst,
    redacted_parts,
    same_words,
    with_marker,
)


class PassageForm(forms.Form):
    keuze = forms.ChoiceField(
        label=_("In the export"),
        choices=Keuze.choices,
        initial=Keuze.VOLLEDIG,
        widget=forms.RadioSelect,
    )
    tekst = forms.CharField(
        label=_("Copy to black out"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Replace each part to black out with […] (or [...]). Only remove text: do not add "
            "or change words."
        ),
    )
    reden = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("— choose a reason —")), *Reden.choices],
        help_text=_("Needed when you leave out or black out."),
    )
    toelichting = forms.CharField(
        label=_("Note for the reporter"),
        required=False,
        max_length=MAX_NOTE,
        help_text=_("With “Other reason”: a short reason, printed in the export."),
    )
    digest = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, passage: Passage, **kwargs):
        self.passage = passage
        kwargs["prefix"] = f"p-{passage.key}"
        super().__init__(*args, **kwargs)
        self.fields["tekst"].initial = passage.tekst

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if self.is_bound and cleaned.get("digest") != self.passage.digest:
            raise forms.ValidationError(
                _(
                    "This passage is new or was changed after you opened this page. Read it "
                    "again and make your choice."
                ),
                code="changed",
            )
        keuze = cleaned.get("keuze")
        # A browser always posts the textarea; a missing one means the copy was not touched.
        posted = self.data.get(self.add_prefix("tekst"))
        tekst = self.passage.tekst if posted is None else posted
        edited = same_words(tekst) != same_words(self.passage.tekst)
        if keuze == Keuze.VOLLEDIG and edited:
            self.add_error(
                "keuze",
                _(
                    "You edited the copy of this passage but chose “Include as is”. Choose "
                    "“Black out parts” to use your edit, or undo it."
                ),
            )
        if keuze == Keuze.ZWARTLAKKEN:
            parts = redacted_parts(self.passage.tekst, tekst)
            if parts is None:
                self.add_error(
                    "tekst",
                    _(
                        "The copy may only remove text: each removed part replaced by […], and "
                        "nothing added or changed. Compare it with the passage above."
                    ),
                )
            cleaned["delen"] = parts or 0
        if keuze in (Keuze.WEGLATEN, Keuze.ZWARTLAKKEN):
            if not cleaned.get("reden"):
                self.add_error("reden", _("Choose why this passage is not given in full."))
            elif cleaned["reden"] == Reden.ANDERS and not cleaned.get("toelichting", "").strip():
                self.add_error("toelichting", _("Give a short reason."))
        return cleaned

    def uitkomst(self) -> Uitkomst:
        data = self.cleaned_data
        keuze = data["keuze"]
        if keuze == Keuze.VOLLEDIG:
            return Uitkomst(self.passage, keuze, tekst=self.passage.tekst)
        reden = data["reden"]
        toelichting = data["toelichting"].strip() if reden == Reden.ANDERS else ""
        if keuze == Keuze.WEGLATEN:
            return Uitkomst(self.passage, keuze, reden=reden, toelichting=toelichting)
        return Uitkomst(
            self.passage,
            keuze,
            tekst=with_marker(self.data.get(self.add_prefix("tekst"), "")),
            delen=data["delen"],
            reden=reden,
            toelichting=toelichting,
        )

    @property
    def open_copy(self) -> bool:
        """Show the copy unfolded: the confidant is blacking out or has an error in it."""
        return self.is_bound and (
            self.data.get(self.add_prefix("keuze")) == Keuze.ZWARTLAKKEN
            or bool(self.errors.get("tekst"))
            or bool(self.errors.get("keuze"))
        )


class InzageConfirmForm(ConfirmPasswordForm):
    gecontroleerd = forms.BooleanField(
        label=_(
            "I have read every passage and checked it for data about other people; what "
            "concerns the reporter is given in full."
        ),
        error_messages={"required": _("Confirm that you have checked every passage.")},
    )
