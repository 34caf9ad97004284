"""Access for a colleague, and the admin's hand-over of a leaving confidant's cases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meldingen.models import Gebeurtenis, Melding, Overdracht
from tests.conftest import verified_client
from tests.factories import ConfidantFactory, MeldingFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_grant_and_revoke_access(confidant_client, melding_a, colleague_a):
    colleague = verified_client(colleague_a)
    detail = reverse("meldingen:detail", args=[melding_a.public_id])
    assert colleague.get(detail).status_code == 404

    response = confidant_client.post(
        reverse("meldingen:toegang", args=[melding_a.public_id]), {"collega": colleague_a.pk}
    )
    assert response.status_code == 302
    assert colleague.get(detail).status_code == 200
    assert AuditEvent.objects.filter(action=Action.CASE_ACCESS_GRANTED).exists()
    # The colleague sees it in their list too.
    assert melding_a in colleague.get(reverse("meldingen:list")).context["page"].object_list

    toegang = melding_a.toegang.get()
    confidant_client.post(
        reverse("meldingen:toegang_revoke", args=[melding_a.public_id, toegang.pk])
    )
    assert colleague.get(detail).status_code == 404
    assert AuditEvent.objects.filter(action=Action.CASE_ACCESS_REVOKED).exists()
    assert Gebeurtenis.objects.filter(melding=melding_a, soort="toegang_ingetrokken").exists()


def test_access_only_for_confidants_of_the_same_organisation(
    confidant_client, melding_a, confidant_b, hr_a
):
    url = reverse("meldingen:toegang", args=[melding_a.public_id])
    for outsider in (confidant_b, hr_a):
        response = confidant_client.post(url, {"collega": outsider.pk})
        assert response.status_code == 400
    assert not melding_a.toegang.exists()


def test_admin_hands_over_cases_seeing_no_content(admin_client, confidant_a, org_a, melding_a):
    successor = ConfidantFactory(full_name="Opvolger Olga", organisaties=[org_a])
    closed = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    url = reverse("beheer_meldingen:account_handover", args=[confidant_a.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert melding_a.nummer in html and closed.nummer in html
    assert melding_a.melder_naam not in html and melding_a.samenvatting not in html

    response = admin_client.post(url, {f"opvolger_{org_a.pk}": successor.pk})
    assert response.status_code == 302
    # Asked for, not done: the confidant whose cases they are agrees first (four eyes).
    assert set(Melding.objects.values_list("behandelaar_id", flat=True)) == {confidant_a.pk}
    overdracht = Overdracht.objects.get()
    response = verified_client(confidant_a).post(
        reverse("meldingen:overdracht_beslissen", args=[overdracht.pk]), {"besluit": "ja"}
    )
    assert response.status_code == 302
    assert set(Melding.objects.values_list("behandelaar_id", flat=True)) == {successor.pk}
    assert (
        verified_client(successor)
        .get(reverse("meldingen:detail", args=[melding_a.public_id]))
        .status_code
        == 200
    )
    assert (
        verified_client(confidant_a)
        .get(reverse("meldingen:detail", args=[melding_a.public_id]))
        .status_code
        == 404
    )
    assert AuditEvent.objects.filter(action=Action.CASE_REASSIGNED).count() == 2


def test_handover_to_someone_outside_the_organisation_is_rejected(
    admin_client, confidant_a, confidant_b, melding_a, org_a
):
    url = reverse("beheer_meldingen:account_handover", args=[confidant_a.pk])
    response = admin_client.post(url, {f"opvolger_{org_a.pk}": confidant_b.pk})
    assert response.status_code == 400
    melding_a.refresh_from_db()
    assert melding_a.behandelaar == confidant_a


def test_handover_selector_reads_no_encrypted_column(
    confidant_a, melding_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meldingen.selectors import handover_overview

    with CaptureQueriesContext(connection) as ctx:
        handover_overview(confidant=confidant_a)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for column in ("melder_naam", "samenvatting", "melder_contact", "notities"):
        assert column not in sql


def test_hr_and_admin_never_reach_a_case(hr_client, admin_client, melding_a):
    for client in (hr_client, admin_client):
        for name in ("meldingen:detail", "meldingen:export", "meldingen:gesprek_create"):
            assert client.get(reverse(name, args=[melding_a.public_id])).status_code == 404
