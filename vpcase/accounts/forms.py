from __future__ import annotations

import copy

from django import forms
from django.contrib.auth import password_validation
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from .models import Organisatie, Role, User, validate_short_name
from .services import normalise_email

# Fields whose values are secrets: never echoed back into a form, never logged.
SECRET_FIELDS = frozenset(
    {
        "password",
        "password1",
        "password2",
        "old_password",
        "new_password1",
        "new_password2",
        "otp_token",
        "current_password",
        "csrfmiddlewaretoken",
    }
)


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class OTPTokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        ),
    )

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())


class OTPEnrolForm(forms.Form):
    otp_token = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits that your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())


class NewPasswordForm(forms.Form):
    """Choose a password (invitation). Validated by AUTH_PASSWORD_VALIDATORS."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    field_order = ["old_password", "password1", "password2"]

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Your current password is not correct."))
        return value


class ConfirmPasswordForm(forms.Form):
    """Re-authentication before a sensitive action (sudo mode)."""

    current_password = forms.CharField(
        label=_("Your own password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is really you."),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("This password is not correct."))
        return value


def https_urls(field, **kwargs):
    """Model URL fields as form fields that assume https:// when no scheme is typed."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ShortNameField(forms.SlugField):
    """The organisation's short name: typed capitals and spaces around it are forgiven, and a
    wrong character gets a message that says what is allowed (not Django's "valid slug")."""

    default_validators = [validate_short_name]

    def to_python(self, value):
        return super().to_python(value).lower()


class OrganisatieForm(forms.ModelForm):
    class Meta:
        formfield_callback = https_urls
        model = Organisatie
        field_classes = {"slug": ShortNameField}
        fields = [
            "naam",
            "slug",
            "bewaartermijn_maanden",
            "anonimiteitsdrempel",
            "aantal_medewerkers",
            "actief",
            "publieke_tekst",
            "klachtenregeling_url",
            "gedragscode_url",
            "klachtencommissie_url",
        ]
        widgets = {"publieke_tekst": forms.Textarea(attrs={"rows": 4})}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        qs = Organisatie.objects.filter(slug=slug)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise forms.ValidationError(_("Another organisation already uses this short name."))
        return slug


class OrganisatieChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def _check_values(self, value):
        # An id beyond what the id column holds is simply not one of the choices. Said here,
        # before the IN query: SQLite's driver raises OverflowError (a 500) for an integer
        # wider than 64 bits, where PostgreSQL only finds nothing.
        low, high = connections[self.queryset.db].ops.integer_field_range("BigAutoField")
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # not a number: the parent's own error
            if not low <= number <= high:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class AccountCreateForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(Role.CONFIDANT.value, Role.CONFIDANT.label), (Role.HR.value, Role.HR.label)],
        widget=forms.RadioSelect,
    )
    organisaties = OrganisatieChoiceField(
        label=_("Organisations"),
        queryset=Organisatie.objects.filter(actief=True),
        help_text=_("The organisations this person serves (confidant) or reads reports of (HR)."),
    )

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("There is already an account with this e-mail address."))
        return email


class AccountEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    organisaties = OrganisatieChoiceField(
        label=_("Organisations"),
        queryset=Organisatie.objects.all(),
        required=False,
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class PasswordResetForm(NewPasswordForm):
    """A new password, allowed only with the second factor: the e-mail link alone (a mailbox
    someone else can read) does not take over an account."""

    otp_token = copy.deepcopy(OTPTokenForm.base_fields["otp_token"])
    field_order = ["otp_token", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].widget.attrs.pop("autofocus", None)

    def clean_otp_token(self) -> str:
        return "".join(self.cleaned_data["otp_token"].split())
