"""The audit before publication (issue 12, item 2): every publication goes through the exact
attacker, apart from the suppression that made the figures, with every version HR received;
a report that fails is not published and the confidant is told why in plain words."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from rapportage import anonimiteit, disclosure, publicaties, services
from rapportage.cijfers import Cijfers
from rapportage.models import Publicatie
from tests.rapportage.crafted import make_case

pytestmark = pytest.mark.django_db


def only_primary(model, tables, *, never_hide=()):
    """A broken suppression: "< k" only, no complementary hiding."""
    for table in tables:
        for name in table:
            if name not in model.published:
                value = model.values[name]
                small = 1 <= value < model.ks[name]
                model.published[name] = disclosure.BELOW if small else value
    return [], []


@pytest.fixture
def one_manager(org_a, confidant_a):
    """Eleven cases in 2025: ten about a colleague, one about a manager."""
    for i in range(11):
        make_case(
            org_a,
            confidant_a,
            opened=date(2025, 3, 1 + i),
            categories=["pesten"],
            relatie="leidinggevende" if i == 0 else "collega",
            kanaal="persoonlijk",
            rol="medewerker",
        )
    return org_a


def publish_url(org):
    return reverse("rapportage:publish", args=[org.slug, 2025])


def test_a_report_that_fails_the_audit_is_not_published(
    one_manager, confidant_a, confidant_client, monkeypatch
):
    monkeypatch.setattr(disclosure, "protect", only_primary)
    verslag = services.build_now(
        services.jaarverslag_get_or_create(organisatie=one_manager, jaar=2025)
    )
    relatie = Cijfers.from_json(verslag.cijfers).tabel("relatie")
    assert [r.dit_jaar for r in relatie.rijen if r.code == "leidinggevende"] == ["< 5"]
    response = confidant_client.post(publish_url(one_manager))
    assert response.status_code == 409
    page = response.content.decode()
    assert "work out exactly" in page or "precies" in page
    assert "Leidinggevende" in page  # the figure, named as the report names it
    assert not Publicatie.objects.exists()
    with pytest.raises(services.AuditMislukt) as refused:
        services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    assert [(lek.name, lek.low, lek.high) for lek in refused.value.lekken] == [
        ("relatie.2025.leidinggevende", 1, 1)
    ]


def test_the_real_suppression_passes_and_the_page_says_what_hr_sees_instead(
    one_manager, confidant_a, confidant_client
):
    verslag = services.build_now(
        services.jaarverslag_get_or_create(organisatie=one_manager, jaar=2025)
    )
    page = confidant_client.get(publish_url(one_manager)).content.decode()
    assert "•" in page and "&lt; 5" in page
    for zin in anonimiteit_explanation(verslag):
        assert zin in page
    publicatie = services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    # The true counts are kept with the version (encrypted), for later audits.
    waarden = json.loads(publicatie.waarden)
    assert waarden["relatie.2025.leidinggevende"] == 1
    assert waarden["nieuw.2025"] == 11


def anonimiteit_explanation(verslag):
    from django.utils.html import escape

    from rapportage import uitleg

    return [escape(z) for z in uitleg.wat_de_lezer_ziet(Cijfers.from_json(verslag.cijfers))]


def test_a_correction_cannot_be_diffed_against_the_version_it_replaces(org_a, confidant_a):
    """The issue's case: version 1 showed "< 5" for the manager (4 of 12). A late case about a
    manager makes 5 of 13. Alone, version 2 would show manager 5 and colleague 8; next to
    version 1 (colleague unchanged) that says the "< 5" was 4. So version 2 must hide more."""

    def case(opened, relatie):
        make_case(
            org_a,
            confidant_a,
            opened=opened,
            categories=["pesten"],
            relatie=relatie,
            kanaal="persoonlijk",
            rol="medewerker",
        )

    for i in range(12):
        case(date(2025, 3, 1 + i), "leidinggevende" if i < 4 else "collega")
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=org_a, jaar=2025))
    v1 = services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    rijen = {r.code: r.dit_jaar for r in Cijfers.from_json(v1.cijfers).tabel("relatie").rijen}
    assert rijen["leidinggevende"] == "< 5" and not isinstance(rijen["collega"], int)
    services.jaarverslag_withdraw(user=confidant_a, verslag=verslag, reden="Te laat geregistreerd.")
    case(date(2025, 12, 1), "leidinggevende")

    stand = publicaties.stand(org_a, 2025)
    alone = anonimiteit.anonimiseer(stand.ruw, 5)  # what a build without the model would show
    rijen_alone = {r.code: r.dit_jaar for r in alone.tabel("relatie").rijen}
    assert (rijen_alone["leidinggevende"], rijen_alone["collega"]) == (5, 8)
    leaks = {(lek.name, lek.low, lek.high) for lek in stand.controleer(alone)}
    assert ("relatie.2025.leidinggevende@2025v1", 4, 4) in leaks
    assert ("kwartaal.2025.4", 1, 1) in leaks  # the one late case is the only one in Q4

    rijen_v2 = {r.code: r.dit_jaar for r in stand.cijfers.tabel("relatie").rijen}
    assert not (
        isinstance(rijen_v2["leidinggevende"], int) and isinstance(rijen_v2["collega"], int)
    )
    assert stand.controleer(stand.cijfers) == []
    v2 = services.jaarverslag_publish(
        user=confidant_a,
        verslag=services.build_now(verslag),
        toelichting="Een melding van december is toegevoegd.",
    )
    assert v2.versie == 2 and v2.cijfers == stand.cijfers.to_json()
