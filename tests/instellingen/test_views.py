"""/beheer/instellingen/: the admin sets the installation's settings; nobody else can."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import verified_client
from tests.test_fuzz_forms import FUZZ, VALUE, post
from vpcase.audit.models import Action, AuditEvent
from vpcase.instellingen.models import Instellingen
from vpcase.instellingen.selectors import instellingen_get

pytestmark = pytest.mark.django_db

URL = reverse("beheer:instellingen")


def test_the_admin_sees_the_default_and_changes_it(admin_client, admin_user):
    page = admin_client.get(URL)
    assert page.status_code == 200
    assert 'name="inlogregistratie_dagen"' in page.content.decode()
    assert 'value="30"' in page.content.decode()
    response = admin_client.post(URL, {"inlogregistratie_dagen": "14"})
    assert response.status_code == 302 and response["Location"] == URL
    assert instellingen_get().inlogregistratie_dagen == 14
    assert Instellingen.objects.count() == 1
    event = AuditEvent.objects.get(action=Action.SETTINGS_CHANGED)
    assert event.actor == admin_user
    # Saving again changes the one row, with an event each time.
    admin_client.post(URL, {"inlogregistratie_dagen": "60"})
    assert list(Instellingen.objects.values_list("inlogregistratie_dagen", flat=True)) == [60]
    assert AuditEvent.objects.filter(action=Action.SETTINGS_CHANGED).count() == 2


@pytest.mark.parametrize("value", ["0", "366", "-1", "veel", ""])
def test_an_out_of_range_period_is_a_400_and_keeps_the_old_one(admin_client, value):
    admin_client.post(URL, {"inlogregistratie_dagen": "20"})
    response = admin_client.post(URL, {"inlogregistratie_dagen": value})
    assert response.status_code == 400
    assert 'id="id_inlogregistratie_dagen_error"' in response.content.decode()
    assert instellingen_get().inlogregistratie_dagen == 20


@pytest.mark.parametrize("role", ["confidant_a", "confidant_b", "hr_a"])
def test_other_roles_get_a_403_and_change_nothing(role, request):
    client = verified_client(request.getfixturevalue(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"inlogregistratie_dagen": "1"}).status_code == 403
    assert not Instellingen.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.SETTINGS_CHANGED).exists()


def test_anonymous_is_sent_to_login_and_changes_nothing():
    login = reverse("accounts:login")
    assert Client().get(URL)["Location"].startswith(login)
    assert Client().post(URL, {"inlogregistratie_dagen": "1"})["Location"].startswith(login)
    assert not Instellingen.objects.exists()


def test_the_admins_navigation_links_to_it(admin_client, confidant_client):
    assert f'href="{URL}"' in admin_client.get(reverse("beheer:index")).content.decode()
    assert (
        f'href="{URL}"' not in confidant_client.get(reverse("meldingen:dashboard")).content.decode()
    )


def test_a_second_row_is_refused_by_the_database(db):
    from django.db import IntegrityError, transaction

    Instellingen.objects.create(pk=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Instellingen.objects.create(pk=2)


@FUZZ
@given(value=st.one_of(VALUE, st.lists(VALUE, max_size=3)))
def test_hostile_input_is_never_a_500_and_a_refusal_stores_nothing(admin_client, value):
    before = (instellingen_get().inlogregistratie_dagen, AuditEvent.objects.count())
    response = post(admin_client, URL, {"inlogregistratie_dagen": value})
    if response.status_code != 302:
        assert response.status_code == 400
        assert (instellingen_get().inlogregistratie_dagen, AuditEvent.objects.count()) == before
