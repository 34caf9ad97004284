"""Published means frozen (issue 12, items 4 and 5).

A publication is a frozen copy of the figures and the PDF; a build changes only the draft; a
correction is an explicit withdrawal and a new version with a note; HR's old links answer 410;
earlier years' figures come from what HR already has; publishing asks first and refuses a
stale PDF.
"""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from rapportage import aggregatie, anonimiteit, publicaties, services
from rapportage.cijfers import NIET, Cijfers
from rapportage.models import Jaarverslag, Publicatie, RapportStatus
from tests.conftest import verified_client
from tests.factories import HRFactory
from tests.rapportage.crafted import make_case
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

REASON = "Twee meldingen stonden bij het verkeerde jaar."
NOTE = "Twee meldingen van 2025 stonden in 2024; de cijfers zijn gecorrigeerd."


def publish_url(org, jaar=2025):
    return reverse("rapportage:publish", args=[org.slug, jaar])


def withdraw_url(org, jaar=2025):
    return reverse("rapportage:withdraw", args=[org.slug, jaar])


@pytest.fixture
def v1(verslag, confidant_a):
    return services.jaarverslag_publish(user=confidant_a, verslag=verslag)


def late_case(org, confidant, opened):
    return make_case(
        org,
        confidant,
        opened=opened,
        categories=["pesten"],
        relatie="collega",
        kanaal="email",
        rol="medewerker",
    )


# --- 1. Publications are frozen snapshots ----------------------------------------------------


def test_publishing_freezes_the_figures_and_the_pdf(verslag, v1, hr_a):
    assert v1.versie == 1 and v1.k == 5 and v1.toelichting == ""
    assert v1.cijfers == verslag.cijfers
    assert bytes(v1.inhoud) == bytes(verslag.pdf.inhoud)
    # Encrypted at rest, like the draft's PDF.
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhoud FROM rapportage_publicatie WHERE id = %s", [v1.pk])
        (raw,) = cursor.fetchone()
    assert b"%PDF" not in bytes(raw)
    event = AuditEvent.objects.get(action=Action.REPORT_PUBLISHED)
    assert (event.target_type, event.target_id) == ("publicatie", str(v1.pk))


def test_a_rebuild_leaves_what_hr_has_alone(verslag, v1, hr_a, confidant_a):
    hr = verified_client(hr_a)
    before_pdf = hr.get(reverse("rapportage:hr_pdf", args=[v1.public_id])).content
    before_csv = hr.get(reverse("rapportage:hr_csv", args=[v1.public_id])).content
    late_case(verslag.organisatie, confidant_a, date(2025, 12, 1))
    services.jaarverslag_save_text(user=confidant_a, verslag=verslag, inleiding="Nieuwe tekst.")
    services.build_now(verslag)  # "Make the PDF again"
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR
    assert bytes(verslag.pdf.inhoud) != before_pdf  # the draft changed...
    pdf = hr.get(reverse("rapportage:hr_pdf", args=[v1.public_id]))
    csv = hr.get(reverse("rapportage:hr_csv", args=[v1.public_id]))
    assert pdf.status_code == 200 and pdf.content == before_pdf  # ...HR's copy did not
    assert csv.status_code == 200 and csv.content == before_csv
    assert Publicatie.objects.get().ingetrokken_op is None


# --- 2. Withdrawing, and a new version ------------------------------------------------------


def test_withdrawal_needs_a_reason_tells_hr_and_takes_the_version_away(
    eager, verslag, v1, hr_a, confidant_client, django_capture_on_commit_callbacks
):
    page = confidant_client.get(withdraw_url(verslag.organisatie))
    assert page.status_code == 200 and REASON not in page.content.decode()
    assert Publicatie.objects.get().ingetrokken_op is None  # GET changes nothing

    missing = confidant_client.post(withdraw_url(verslag.organisatie), {"reden": "  "})
    assert missing.status_code == 400
    assert Publicatie.objects.get().ingetrokken_op is None

    with django_capture_on_commit_callbacks(execute=True):
        done = confidant_client.post(withdraw_url(verslag.organisatie), {"reden": REASON})
    assert done.status_code == 302
    v1.refresh_from_db()
    assert v1.ingetrokken_op is not None and v1.intrekking_reden == REASON
    assert AuditEvent.objects.filter(
        action=Action.REPORT_WITHDRAWN, target_type="publicatie", target_id=str(v1.pk)
    ).exists()
    [message] = mail.outbox
    assert message.to == [hr_a.email]
    assert REASON not in message.body and reverse("rapportage:hr_index") in message.body
    # The published build is spent: a new version needs a new PDF.
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.CONCEPT

    hr = verified_client(hr_a)
    gone = hr.get(reverse("rapportage:hr_pdf", args=[v1.public_id]))
    assert gone.status_code == 410
    assert hr.get(reverse("rapportage:hr_csv", args=[v1.public_id])).status_code == 410
    assert "2025" not in hr.get(reverse("rapportage:hr_index")).content.decode()


def test_a_revision_needs_a_note_and_replaces_the_old_version(
    eager, verslag, v1, hr_a, confidant_a, confidant_client, django_capture_on_commit_callbacks
):
    services.jaarverslag_withdraw(user=confidant_a, verslag=verslag, reden=REASON)
    services.build_now(verslag)
    url = publish_url(verslag.organisatie)

    ask = confidant_client.get(url)
    assert ask.status_code == 200
    assert "toelichting" in ask.content.decode()

    refused = confidant_client.post(url, {"toelichting": "   "})
    assert refused.status_code == 400
    assert Publicatie.objects.count() == 1
    # What was typed is kept in a 400 that misses something else: here a too-long note.
    long_note = "x" * 300_000
    too_long = confidant_client.post(url, {"toelichting": long_note})
    assert too_long.status_code == 400 and long_note in too_long.content.decode()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = confidant_client.post(url, {"toelichting": NOTE})
    assert done.status_code == 302
    v2 = Publicatie.objects.get(versie=2)
    assert v2.toelichting == NOTE and v2.jaarverslag_id == verslag.pk
    [message] = mail.outbox
    assert "herzien" in (message.subject + message.body).lower() or "revised" in message.subject

    hr = verified_client(hr_a)
    index = hr.get(reverse("rapportage:hr_index")).content.decode()
    assert NOTE in index and str(v2.public_id) in index and str(v1.public_id) not in index
    old = hr.get(reverse("rapportage:hr_pdf", args=[v1.public_id]))
    assert old.status_code == 410
    assert reverse("rapportage:hr_pdf", args=[v2.public_id]) in old.content.decode()
    assert hr.get(reverse("rapportage:hr_pdf", args=[v2.public_id])).status_code == 200


def test_publishing_over_a_current_version_supersedes_it(verslag, v1, hr_a, confidant_a):
    services.build_now(verslag)
    with pytest.raises(services.ToelichtingVereist):
        services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    v2 = services.jaarverslag_publish(user=confidant_a, verslag=verslag, toelichting=NOTE)
    assert v2.versie == 2
    v1.refresh_from_db()
    assert v1.ingetrokken_op is None  # superseded, not withdrawn
    hr = verified_client(hr_a)
    assert hr.get(reverse("rapportage:hr_csv", args=[v1.public_id])).status_code == 410
    assert hr.get(reverse("rapportage:hr_csv", args=[v2.public_id])).status_code == 200


def test_old_links_of_another_organisation_stay_404(verslag, v1, confidant_a, org_b):
    services.jaarverslag_withdraw(user=confidant_a, verslag=verslag, reden=REASON)
    other = verified_client(HRFactory(organisaties=[org_b]))
    assert other.get(reverse("rapportage:hr_pdf", args=[v1.public_id])).status_code == 404


def test_withdrawing_when_nothing_is_published_changes_nothing(crafted, confidant_client, verslag):
    assert confidant_client.get(withdraw_url(crafted)).status_code == 200
    response = confidant_client.post(withdraw_url(crafted), {"reden": REASON})
    assert response.status_code == 302
    assert not Publicatie.objects.exists()


# --- 4. Publishing asks before it acts ------------------------------------------------------


def test_get_asks_and_publishes_nothing(verslag, confidant_client):
    page = confidant_client.get(publish_url(verslag.organisatie))
    html = page.content.decode()
    assert page.status_code == 200
    assert "24" in html  # the figures summary
    assert 'name="toelichting"' not in html  # version 1 needs no note
    assert not Publicatie.objects.exists()


def test_a_year_not_over_is_a_warning_not_a_refusal(org_a, confidant_client, confidant_a):
    this_year = timezone.localdate().year
    verslag = services.build_now(
        services.jaarverslag_get_or_create(organisatie=org_a, jaar=this_year)
    )
    url = publish_url(org_a, this_year)
    warned = confidant_client.get(url).content.decode()
    assert str(this_year) in warned and "message-warning" in warned
    assert confidant_client.post(url).status_code == 302
    assert Publicatie.objects.filter(jaarverslag=verslag).exists()


def test_text_saved_after_the_build_makes_the_pdf_stale(verslag, confidant_a, confidant_client):
    services.jaarverslag_save_text(user=confidant_a, verslag=verslag, inleiding="Later.")
    page = confidant_client.get(publish_url(verslag.organisatie))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("rapportage:build", args=[verslag.organisatie.slug, 2025]) in html
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 409
    with pytest.raises(services.PdfVerouderd):
        services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    assert not Publicatie.objects.exists()
    services.build_now(verslag)  # made again: now it can be published
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 302


def test_data_changed_after_the_build_makes_the_pdf_stale(verslag, confidant_a, confidant_client):
    late_case(verslag.organisatie, confidant_a, date(2025, 12, 1))
    assert services.pdf_verouderd(verslag)
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 409
    assert not Publicatie.objects.exists()


def test_pressing_publish_counts_the_figures_once(verslag, confidant_client, monkeypatch):
    # Counting is the dear part of publishing a large organisation (seconds at 100,000 cases):
    # the POST leaves the staleness check to jaarverslag_publish instead of counting twice.
    real, counted = aggregatie.tel, []

    def counting(organisatie, jaar):
        counted.append(jaar)
        return real(organisatie, jaar)

    monkeypatch.setattr(aggregatie, "tel", counting)
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 302
    assert counted == [2025]
    assert Publicatie.objects.filter(jaarverslag=verslag).count() == 1


def test_a_report_that_was_never_built_is_not_published(crafted, confidant_client):
    services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    assert confidant_client.get(publish_url(crafted)).status_code == 200
    assert confidant_client.post(publish_url(crafted)).status_code == 302
    assert not Publicatie.objects.exists()


# --- 3. Earlier years come from what HR already has -----------------------------------------


def publish_directly(org, jaar, user) -> Publicatie:
    """A publication of `jaar` with today's figures, without a PDF build (fast)."""
    verslag = services.jaarverslag_get_or_create(organisatie=org, jaar=jaar)
    stand = publicaties.stand(org, jaar)
    cijfers = stand.cijfers
    return Publicatie.objects.create(
        jaarverslag=verslag,
        versie=verslag.volgende_versie,
        cijfers=cijfers.to_json(),
        k=cijfers.k,
        waarden=stand.waarden_json,
        inhoud=b"%PDF-",
        grootte=5,
        gepubliceerd_door=user,
    )


def snapshot(publicatie: Publicatie) -> Cijfers:
    return Cijfers.from_json(publicatie.cijfers)


def assert_previous_year_is(cijfers: Cijfers, vorig: Cijfers):
    kern, toen = cijfers.kern, vorig.kern
    for name in ("nieuw", "binnen_taak", "buiten_taak", "gesprekken", "uren", "overgenomen"):
        assert getattr(kern, name).vorig_jaar == getattr(toen, name).dit_jaar, name
    assert tuple(cijfers.kwartalen.vorig_jaar) == tuple(vorig.kwartalen.dit_jaar)
    for tabel in cijfers.tabellen:
        was = {r.code: r.dit_jaar for r in vorig.tabel(tabel.key).rijen}
        for rij in tabel.rijen:
            assert rij.vorig_jaar == was.get(rij.code, NIET), rij
        assert tabel.totaal.vorig_jaar == vorig.tabel(tabel.key).totaal.dit_jaar


def test_a_late_registration_changes_nothing_hr_had(crafted, confidant_a):
    p2024 = publish_directly(crafted, 2024, confidant_a)
    late_case(crafted, confidant_a, date(2024, 11, 3))  # registered in 2025, for 2024
    live = aggregatie.verzamel(crafted, 2025)
    assert live.kern.nieuw.vorig_jaar != snapshot(p2024).kern.nieuw.dit_jaar  # can fail
    cijfers = publicaties.verzamel(crafted, 2025)
    assert_previous_year_is(cijfers, snapshot(p2024))
    trend = {t.jaar: t.nieuw for t in cijfers.trend}
    assert trend[2024] == snapshot(p2024).kern.nieuw.dit_jaar
    assert cijfers.kern.nieuw.verschil == anonimiteit.change(
        cijfers.kern.nieuw.dit_jaar, cijfers.kern.nieuw.vorig_jaar
    )


def test_lowering_k_reveals_no_earlier_small_count(crafted, confidant_a):
    late_case(crafted, confidant_a, date(2024, 6, 1))  # one e-mail case in 2024: "< 5"
    p2024 = publish_directly(crafted, 2024, confidant_a)
    small = [
        (t.key, r.code) for t in snapshot(p2024).tabellen for r in t.rijen if r.dit_jaar == "< 5"
    ]
    assert small, "the 2024 report has no small count to protect"
    crafted.anonimiteitsdrempel = 3
    crafted.save()
    live = aggregatie.verzamel(crafted, 2025)
    assert any(
        live.tabel(key).rijen[[r.code for r in live.tabel(key).rijen].index(code)].vorig_jaar
        != "< 5"
        for key, code in small
        if code in [r.code for r in live.tabel(key).rijen]
    ), "without the snapshot the lower k would show something else"
    cijfers = publicaties.verzamel(crafted, 2025)
    assert cijfers.k == 3
    assert_previous_year_is(cijfers, snapshot(p2024))
    for key, code in small:
        rij = next((r for r in cijfers.tabel(key).rijen if r.code == code), None)
        if rij is not None:
            assert rij.vorig_jaar == "< 5" and rij.verschil == ""


def test_trend_years_equal_the_snapshots(crafted, confidant_a):
    p2023 = publish_directly(crafted, 2023, confidant_a)
    p2024 = publish_directly(crafted, 2024, confidant_a)
    for year in (2023, 2023, 2024):
        late_case(crafted, confidant_a, date(year, 3, 1))
    cijfers = publicaties.verzamel(crafted, 2025)
    trend = {t.jaar: t for t in cijfers.trend}
    assert trend[2023].nieuw == snapshot(p2023).kern.nieuw.dit_jaar
    assert trend[2024].nieuw == snapshot(p2024).kern.nieuw.dit_jaar
    assert trend[2024].verschil == anonimiteit.change(trend[2024].nieuw, trend[2023].nieuw)
    live = {t.jaar: t.nieuw for t in aggregatie.verzamel(crafted, 2025).trend}
    assert live[2023] != trend[2023].nieuw or live[2024] != trend[2024].nieuw


def test_a_withdrawn_year_is_not_used_and_a_year_never_published_is_live(crafted, confidant_a):
    p2024 = publish_directly(crafted, 2024, confidant_a)
    late_case(crafted, confidant_a, date(2024, 11, 3))
    Publicatie.objects.filter(pk=p2024.pk).update(ingetrokken_op=timezone.now())
    live = aggregatie.verzamel(crafted, 2025)  # today's data, knowing nothing of HR
    stand = publicaties.stand(crafted, 2025)
    cijfers = stand.cijfers
    # Last year's column is today's data, not the withdrawn figures; but the withdrawn version
    # is in the model (HR did receive it), so more may be hidden than without it.
    truth = anonimiteit.ware_waarden(stand.ruw)
    for tabel in cijfers.tabellen:
        for rij in tabel.rijen:
            shown = rij.vorig_jaar
            assert not isinstance(shown, int) or shown == truth[f"{tabel.key}.2024.{rij.code}"]
    nieuw_2024 = cijfers.kern.nieuw.vorig_jaar
    assert nieuw_2024 != snapshot(p2024).kern.nieuw.dit_jaar
    assert nieuw_2024 in (live.kern.nieuw.vorig_jaar, NIET)
    assert stand.controleer(cijfers) == []


def test_the_build_stores_figures_with_the_snapshots(crafted, confidant_a):
    p2024 = publish_directly(crafted, 2024, confidant_a)
    late_case(crafted, confidant_a, date(2024, 11, 3))
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    assert_previous_year_is(Cijfers.from_json(verslag.cijfers), snapshot(p2024))
    assert services.pdf_verouderd(verslag) == []


# --- The data migration ---------------------------------------------------------------------


def test_migration_turns_published_reports_into_version_1(crafted, confidant_a):
    """Run the migration's function on a report published the old way (status only)."""
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status="published",  # the stored value in 0004's time (0007 made it Dutch)
        gepubliceerd_op=timezone.now(),
        gepubliceerd_door=confidant_a,
    )
    draft = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2024))
    from django.apps import apps

    migration = importlib.import_module("rapportage.migrations.0004_publicaties")
    migration.published_reports_become_version_1(apps, None)
    [publicatie] = Publicatie.objects.all()
    verslag.refresh_from_db()
    assert publicatie.jaarverslag_id == verslag.pk and publicatie.versie == 1
    assert publicatie.public_id == verslag.public_id  # HR's old links keep working
    assert publicatie.cijfers == verslag.cijfers and publicatie.k == 5
    assert bytes(publicatie.inhoud) == bytes(verslag.pdf.inhoud)
    assert publicatie.gepubliceerd_door_id == confidant_a.pk
    assert not Publicatie.objects.filter(jaarverslag=draft).exists()


@pytest.mark.django_db(transaction=True)
def test_migration_runs_on_the_old_schema():
    before = [("rapportage", "0003_cijfers_without_signal_texts")]
    after = [("rapportage", "0004_publicaties")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        org = old.get_model("accounts", "Organisatie").objects.create(name="Oud", slug="oud")
        Verslag = old.get_model("rapportage", "Jaarverslag")
        published = Verslag.objects.create(
            organisatie=org, jaar=2024, status="published", cijfers={"k": 4, "jaar": 2024}
        )
        old.get_model("rapportage", "JaarverslagPdf").objects.create(
            jaarverslag=published, inhoud=b"%PDF-1.7 oud", grootte=12
        )
        Verslag.objects.create(organisatie=org, jaar=2023, status="ready")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        rows = list(new.get_model("rapportage", "Publicatie").objects.all())
        assert [(r.jaarverslag_id, r.versie, r.public_id, r.k, bytes(r.inhoud)) for r in rows] == [
            (published.pk, 1, published.public_id, 4, b"%PDF-1.7 oud")
        ]
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
