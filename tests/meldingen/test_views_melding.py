"""A confidant's cases through the browser's forms: create, view, edit, status, close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from meldingen.models import Gebeurtenis, Melding, Status
from tests.conftest import verified_client
from tests.factories import MeldingFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def case_payload(org, **overrides):
    data = {
        "organisatie": org.pk,
        "geopend_op": timezone.localdate().isoformat(),
        "kanaal": "telefoon",
        "categorieen": ["pesten", "discriminatie"],
        "relatie": "leidinggevende",
        "melder_rol": "medewerker",
        "geslacht": "",
        "melder_naam": "Fatima El Amrani",
        "melder_contact": "06-12345678",
        "samenvatting": "Wordt buitengesloten door het team sinds de reorganisatie.",
    }
    data.update(overrides)
    return data


def raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


def test_confidant_opens_case_and_content_is_encrypted_at_rest(confidant_client, org_a):
    response = confidant_client.post(reverse("meldingen:create"), case_payload(org_a))
    assert response.status_code == 302
    melding = Melding.objects.get()
    assert response["Location"] == reverse("meldingen:detail", args=[melding.public_id])
    assert melding.nummer == f"{timezone.localdate().year}-0001"
    assert sorted(c.categorie for c in melding.categorieen.all()) == ["discriminatie", "pesten"]
    for column, plain in [
        ("melder_naam", "Fatima El Amrani"),
        ("melder_contact", "06-12345678"),
        ("samenvatting", "buitengesloten"),
    ]:
        stored = raw("meldingen_melding", column, melding.pk)
        assert plain.encode() not in stored
        assert len(stored) > 40  # ciphertext, not an empty value
    assert melding.melder_naam == "Fatima El Amrani"
    assert AuditEvent.objects.filter(action=Action.CASE_CREATED, target_id=str(melding.pk)).exists()
    assert Gebeurtenis.objects.filter(melding=melding, soort="geopend").exists()


def test_case_numbers_count_up_per_organisation_and_year(confidant_client, org_a):
    for _ in range(3):
        confidant_client.post(reverse("meldingen:create"), case_payload(org_a))
    year = timezone.localdate().year
    assert sorted(Melding.objects.values_list("nummer", flat=True)) == [
        f"{year}-0001",
        f"{year}-0002",
        f"{year}-0003",
    ]


def test_case_page_shows_content_and_audits_the_view(confidant_client, melding_a):
    response = confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sanne de Vries" in html and "roept elke dag" in html
    assert (
        AuditEvent.objects.filter(action=Action.CASE_VIEWED, target_id=str(melding_a.pk)).count()
        == 1
    )


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"geopend_op": (timezone.localdate() + timedelta(days=3)).isoformat()}, "toekomst"),
        ({"categorieen": ["pesten", "onzin"]}, "geldige keuze"),
        ({"categorieen": []}, "verplicht"),
        ({"kanaal": "postduif"}, "geldige keuze"),
        ({"samenvatting": "x" * 50_001}, "50000"),
    ],
)
def test_bad_case_input_is_400_and_keeps_text(confidant_client, org_a, overrides, field_message):
    payload = case_payload(org_a, **overrides)
    response = confidant_client.post(reverse("meldingen:create"), payload)
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html.replace(".", "").replace("\xa0", "")
    assert "Fatima El Amrani" in html  # what was typed is still there
    assert not Melding.objects.exists()


def test_a_too_long_summary_is_refused_and_given_back_whole(confidant_client, org_a):
    text = "Dit is een lange zin. " * 2400  # about 52,800 characters
    response = confidant_client.post(
        reverse("meldingen:create"), case_payload(org_a, samenvatting=text)
    )
    assert response.status_code == 400
    assert text.strip() in response.content.decode()
    assert 'maxlength="50000"' not in response.content.decode()


def test_case_for_organisation_not_served_is_rejected(confidant_client, org_b):
    response = confidant_client.post(reverse("meldingen:create"), case_payload(org_b))
    assert response.status_code == 400
    assert "organisaties die u bedient" in response.content.decode()
    assert not Melding.objects.exists()


def test_edit_case(confidant_client, melding_a, org_a):
    url = reverse("meldingen:edit", args=[melding_a.public_id])
    assert confidant_client.get(url).status_code == 200
    payload = case_payload(org_a, melder_naam="Sanne (pseudoniem)", categorieen=["werkdruk"])
    payload.pop("organisatie")
    response = confidant_client.post(url, payload)
    assert response.status_code == 302
    melding_a.refresh_from_db()
    assert melding_a.melder_naam == "Sanne (pseudoniem)"
    assert [c.categorie for c in melding_a.categorieen.all()] == ["werkdruk"]
    assert melding_a.organisatie == org_a


def test_status_change_and_timeline(confidant_client, melding_a):
    response = confidant_client.post(
        reverse("meldingen:status", args=[melding_a.public_id]), {"status": "lopend"}
    )
    assert response.status_code == 302
    melding_a.refresh_from_db()
    assert melding_a.status == Status.LOPEND
    page = confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    assert "Status gewijzigd" in page.content.decode()


def test_status_cannot_be_set_to_closed_without_the_close_form(confidant_client, melding_a):
    confidant_client.post(
        reverse("meldingen:status", args=[melding_a.public_id]), {"status": "afgesloten"}
    )
    melding_a.refresh_from_db()
    assert melding_a.status == Status.OPEN


def test_close_shows_destruction_date_and_stores_it(confidant_client, melding_a, org_a):
    org_a.bewaartermijn_maanden = 6
    org_a.save()
    url = reverse("meldingen:close", args=[melding_a.public_id])
    page = confidant_client.get(url)
    assert page.status_code == 200
    assert "6 maanden" in page.content.decode()
    today = timezone.localdate()
    response = confidant_client.post(
        url, {"afhandeling": "informeel_opgelost", "gesloten_op": today.isoformat()}
    )
    assert response.status_code == 302
    melding_a.refresh_from_db()
    assert melding_a.status == Status.AFGESLOTEN and melding_a.gesloten_op == today
    from meldingen.selectors import add_months

    assert melding_a.vernietigen_na == add_months(today, 6)
    assert not melding_a.bewaarplicht


def test_close_with_legal_hold_needs_reason(confidant_client, melding_a):
    url = reverse("meldingen:close", args=[melding_a.public_id])
    today = timezone.localdate().isoformat()
    bad = confidant_client.post(
        url, {"afhandeling": "formele_klacht", "gesloten_op": today, "bewaarplicht": "on"}
    )
    assert bad.status_code == 400
    good = confidant_client.post(
        url,
        {
            "afhandeling": "formele_klacht",
            "gesloten_op": today,
            "bewaarplicht": "on",
            "bewaarplicht_reden": "Klachtprocedure loopt",
        },
    )
    assert good.status_code == 302
    melding_a.refresh_from_db()
    assert melding_a.bewaarplicht and melding_a.bewaarplicht_reden == "Klachtprocedure loopt"
    assert b"Klachtprocedure" not in raw("meldingen_melding", "bewaarplicht_reden", melding_a.pk)


def test_close_before_opening_date_is_rejected(confidant_client, melding_a):
    url = reverse("meldingen:close", args=[melding_a.public_id])
    before = (melding_a.geopend_op - timedelta(days=1)).isoformat()
    response = confidant_client.post(url, {"afhandeling": "geholpen", "gesloten_op": before})
    assert response.status_code == 400


def test_reopen_clears_closing(confidant_client, melding_a):
    from meldingen import services

    services.melding_close(
        user=melding_a.behandelaar,
        melding=melding_a,
        afhandeling="geholpen",
        gesloten_op=timezone.localdate(),
        bewaarplicht=False,
    )
    confidant_client.post(
        reverse("meldingen:status", args=[melding_a.public_id]), {"status": "lopend"}
    )
    melding_a.refresh_from_db()
    assert melding_a.status == Status.LOPEND and melding_a.gesloten_op is None
    assert melding_a.vernietigen_na is None


def test_legal_hold_can_be_set_and_lifted(confidant_client, melding_a):
    url = reverse("meldingen:legal_hold", args=[melding_a.public_id])
    confidant_client.post(url, {"bewaarplicht": "on", "bewaarplicht_reden": "Rechtszaak"})
    melding_a.refresh_from_db()
    assert melding_a.bewaarplicht
    confidant_client.post(url, {})
    melding_a.refresh_from_db()
    assert not melding_a.bewaarplicht and melding_a.bewaarplicht_reden == ""


def test_confidentiality_exception_is_recorded_encrypted_and_on_timeline(
    confidant_client, melding_a
):
    url = reverse("meldingen:doorbreking", args=[melding_a.public_id])
    response = confidant_client.post(
        url,
        {
            "grondslag": "strafbaar_feit",
            "datum": timezone.localdate().isoformat(),
            "toelichting": "Aangifte van bedreiging besproken met de melder.",
        },
    )
    assert response.status_code == 302
    d = melding_a.doorbrekingen.get()
    assert b"Aangifte" not in raw("meldingen_doorbreking", "toelichting", d.pk)
    page = confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    assert "Aangifte van bedreiging" in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.CASE_EXCEPTION).exists()


def test_exception_needs_justification(confidant_client, melding_a):
    url = reverse("meldingen:doorbreking", args=[melding_a.public_id])
    response = confidant_client.post(
        url, {"grondslag": "strafbaar_feit", "datum": timezone.localdate().isoformat()}
    )
    assert response.status_code == 400


def test_tampered_ids_are_404(confidant_client, melding_a):
    assert (
        confidant_client.get(
            "/dashboard/meldingen/00000000-0000-0000-0000-000000000000/"
        ).status_code
        == 404
    )
    assert confidant_client.get("/dashboard/meldingen/niet-een-uuid/").status_code == 404
    assert (
        confidant_client.get(
            reverse("meldingen:gesprek_edit", args=[melding_a.public_id, 999999])
        ).status_code
        == 404
    )


def test_other_confidants_case_in_same_org_is_404(org_a, melding_a):
    from tests.factories import ConfidantFactory

    other = ConfidantFactory(organisaties=[org_a])
    client = verified_client(other)
    assert client.get(reverse("meldingen:detail", args=[melding_a.public_id])).status_code == 404


def test_confidant_removed_from_organisation_loses_access(
    confidant_client, confidant_a, melding_a, org_a
):
    confidant_a.lidmaatschappen.filter(organisatie=org_a).delete()
    assert (
        confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id])).status_code
        == 404
    )


def test_history_lists_views(confidant_client, melding_a):
    confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    page = confidant_client.get(reverse("meldingen:history", args=[melding_a.public_id]))
    assert page.status_code == 200
    assert "Melding bekeken" in page.content.decode()


def test_case_list_filters(confidant_client, confidant_a, org_a):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, categorieen=("werkdruk",))
    target = MeldingFactory(
        behandelaar=confidant_a, organisatie=org_a, categorieen=("discriminatie",)
    )
    url = reverse("meldingen:list")
    response = confidant_client.get(url, {"categorie": "discriminatie"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [target]
    response = confidant_client.get(url, {"nummer": target.nummer})
    assert list(response.context["page"].object_list) == [target]
    bad = confidant_client.get(url, {"van": "2026-13-45"})
    assert bad.status_code == 400


def test_free_text_search_decrypts_own_cases_only(
    confidant_client, confidant_a, confidant_b, org_a, org_b
):
    mine = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Joris Zoekbaar")
    MeldingFactory(behandelaar=confidant_b, organisatie=org_b, melder_naam="Joris Zoekbaar")
    confidant_client.post(reverse("meldingen:search"), {"zoek": "zoekbaar"})
    response = confidant_client.get(reverse("meldingen:list"))
    assert list(response.context["page"].object_list) == [mine]


def test_case_list_queries_are_constant(
    confidant_client, confidant_a, org_a, django_assert_max_num_queries
):
    for _ in range(30):
        MeldingFactory(
            behandelaar=confidant_a, organisatie=org_a, categorieen=("pesten", "werkdruk")
        )
    # The session's first page records its CSRF secret once (vpcase.middleware); measure after.
    confidant_client.get(reverse("accounts:profile"))
    with django_assert_max_num_queries(12):  # 10 + the unread-notice and -request badges
        response = confidant_client.get(
            reverse("meldingen:list"), {"status": "actief", "categorie": "pesten"}
        )
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_case_list_and_dashboard_read_keys_as_the_engine_allows(
    confidant_client, confidant_a, org_a
):
    """PostgreSQL: a UNION ALL of index-ordered, LIMITed parts. SQLite refuses LIMIT inside a
    compound statement (both pages were a 500 there): one portable query instead."""
    from django.test.utils import CaptureQueriesContext

    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    for name in ("meldingen:list", "meldingen:dashboard"):
        with CaptureQueriesContext(connection) as queries:
            response = confidant_client.get(reverse(name))
        assert response.status_code == 200
        assert melding.nummer in response.content.decode()
        union = any("UNION ALL" in q["sql"] for q in queries.captured_queries)
        assert union is (connection.vendor == "postgresql"), name


def test_dashboard_shows_open_cases_and_follow_ups(
    confidant_client, melding_a, django_assert_max_num_queries
):
    from tests.factories import GesprekFactory

    GesprekFactory(melding=melding_a, volgende_afspraak=timezone.localdate() + timedelta(days=2))
    confidant_client.get(reverse("accounts:profile"))  # the session's first page: see above
    with django_assert_max_num_queries(17):  # 15 + the unread-notice and -request badges
        response = confidant_client.get(reverse("meldingen:dashboard"))
    html = response.content.decode()
    assert melding_a.nummer in html
    assert melding_a in response.context["opvolging"]


def test_case_numbers_go_past_9999(confidant_a, org_a):
    from meldingen import services

    year = timezone.localdate().year
    last = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    Melding.objects.filter(pk=last.pk).update(nummer=f"{year}-9999")
    assert MeldingFactory(behandelaar=confidant_a, organisatie=org_a).nummer == f"{year}-10000"
    assert services._next_nummer(org_a, year) == f"{year}-10001"


def test_dashboard_names_the_organisation_of_a_case_only_when_there_are_several(
    confidant_client, confidant_a, org_a, org_b
):
    """One organisation: its name is above the table, not repeated in a column of every row.
    Open cases of two: each row says whose it is."""
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    html = confidant_client.get(reverse("meldingen:dashboard")).content.decode()
    column = f'data-label="{gettext("Organisation")}"'
    assert column not in html

    MeldingFactory(behandelaar=confidant_a, organisatie=org_b)
    html = confidant_client.get(reverse("meldingen:dashboard")).content.decode()
    assert html.count(column) == 2
    assert org_a.naam in html and org_b.naam in html
    # The case list always has the column.
    html = confidant_client.get(reverse("meldingen:list")).content.decode()
    assert html.count(column) == 2
