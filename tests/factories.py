from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

if TYPE_CHECKING:
    from meldingen.models import Verzoek

DEFAULT_PASSWORD = "vijf-kikkers-in-een-sloot-42"


class OrganisatieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisatie

    naam = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="nl_NL")
    role = Role.CONFIDANT

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def organisaties(self, create, extracted, **kwargs):
        if create and extracted:
            for org in extracted:
                # A test confidant has published their entry; a new account starts hidden
                # (tests/meldingen/test_defaults.py).
                Lidmaatschap.objects.create(user=self, organisatie=org, zichtbaar=True)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """A confirmed TOTP device unless totp=False."""
        if create and extracted is not False:
            TOTPDevice.objects.create(user=self, name="vpcase", confirmed=True)


class AdminFactory(UserFactory):
    role = Role.ADMIN


class ConfidantFactory(UserFactory):
    role = Role.CONFIDANT


class HRFactory(UserFactory):
    role = Role.HR


class MeldingFactory(factory.django.DjangoModelFactory):
    """A case made through the service, as the app makes them (number, timeline, audit)."""

    class Meta:
        model = "meldingen.Melding"

    behandelaar = factory.SubFactory(ConfidantFactory)
    organisatie = factory.SubFactory(OrganisatieFactory)
    kanaal = "persoonlijk"
    relatie = "collega"
    melder_rol = "medewerker"
    melder_naam = factory.Faker("name", locale="nl_NL")
    samenvatting = factory.Faker("paragraph", locale="nl_NL")
    categorieen = ("pesten",)

    @classmethod
    def _create(cls, model_class, *args, behandelaar, organisatie, categorieen, **kwargs):
        from meldingen import services

        if not behandelaar.organisaties.filter(pk=organisatie.pk).exists():
            Lidmaatschap.objects.create(user=behandelaar, organisatie=organisatie)
        return services.melding_create(
            user=behandelaar, organisatie=organisatie, categorieen=categorieen, **kwargs
        )


class GesprekFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meldingen.Gesprek"

    melding = factory.SubFactory(MeldingFactory)
    datum = factory.LazyFunction(timezone.localdate)
    duur_minuten = 45
    vorm = "fysiek"
    notities = factory.Faker("paragraph", nb_sentences=8, locale="nl_NL")
    afspraken = "Over twee weken opnieuw spreken."
    interventies = ("luisterend_oor",)

    @classmethod
    def _create(cls, model_class, *args, melding, interventies, **kwargs):
        from meldingen import services

        return services.gesprek_add(
            user=melding.behandelaar, melding=melding, interventies=interventies, **kwargs
        )


class ToegangFactory(factory.django.DjangoModelFactory):
    """A colleague's access row as stored, without the service's checks: for set-ups that
    need access in a state the service would not give (e.g. already revoked)."""

    class Meta:
        model = "meldingen.Toegang"

    melding = factory.SubFactory(MeldingFactory)
    user = factory.SubFactory(ConfidantFactory)
    verleend_door = factory.SelfAttribute("melding.behandelaar")


class VerzoekMetCode(NamedTuple):
    verzoek: Verzoek
    code: str


class VerzoekFactory(factory.django.DjangoModelFactory):
    """An anonymous request made through the service, as the public form makes it: the
    receipt code stored only as its hash, the first message, the hour it is announced at.
    `VerzoekFactory.create_with_code(...)` also gives the plain receipt code, which only the
    employee is ever shown."""

    class Meta:
        model = "meldingen.Verzoek"

    organisatie = factory.SubFactory(OrganisatieFactory)
    gewenste_vertrouwenspersoon = None
    categorie = "pesten"
    bericht = "Help alstublieft."
    contactwijze = "postvak"
    contactgegevens = ""
    voorkeurstijden = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from meldingen.services import verzoek_submit

        submitted = verzoek_submit(**kwargs)
        # Kept on the instance for create_with_code only; never stored.
        submitted.verzoek._receipt_code = submitted.code
        return submitted.verzoek

    @classmethod
    def create_with_code(cls, **kwargs) -> VerzoekMetCode:
        verzoek = cls.create(**kwargs)
        return VerzoekMetCode(verzoek=verzoek, code=verzoek._receipt_code)


class ActiviteitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rapportage.Activiteit"

    organisatie = factory.SubFactory(OrganisatieFactory)
    datum = factory.LazyFunction(timezone.localdate)
    soort = "voorlichting"
    bereik = 20
    vastgelegd_door = factory.SubFactory(ConfidantFactory)


class SignaalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "rapportage.Signaal"

    organisatie = factory.SubFactory(OrganisatieFactory)
    datum = factory.LazyFunction(timezone.localdate)
    thema = "pesten"
    gericht_aan = "mt"
    tekst = "Signaal"
    vastgelegd_door = factory.SubFactory(ConfidantFactory)


class JaarverslagFactory(factory.django.DjangoModelFactory):
    """The draft report of an organisation's year (one per organisation and year)."""

    class Meta:
        model = "rapportage.Jaarverslag"
        django_get_or_create = ("organisatie", "jaar")

    organisatie = factory.SubFactory(OrganisatieFactory)
    jaar = 2025
