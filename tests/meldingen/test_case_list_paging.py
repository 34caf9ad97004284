"""The case list pages through index keys (selectors.CaseListPaginator): it must show
exactly the cases melding_qs allows, in the same order, whatever the visibility rule.

Every test runs on each way the keys are read: the UNION ALL tuned for PostgreSQL, and the
portable query every other engine gets (SQLite, the embedded default)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meldingen import selectors
from meldingen.models import Melding, Status, Toegang
from tests.factories import (
    ConfidantFactory,
    HRFactory,
    MeldingFactory,
    OrganisatieFactory,
    ToegangFactory,
)
from vpcase.accounts.models import Lidmaatschap


@pytest.fixture(
    autouse=True,
    params=[
        pytest.param(
            True,
            id="union",
            marks=pytest.mark.postgresql_only(
                "SQLite refuses LIMIT in the parts of a UNION ALL; it gets the portable query"
            ),
        ),
        pytest.param(False, id="portable"),
    ],
)
def keys_by_union(request, monkeypatch):
    monkeypatch.setattr(selectors, "keys_by_union", lambda: request.param)
    return request.param


def _page_ids(user, filters=None, number=1, per_page=25):
    paginator = selectors.CaseListPaginator(
        user=user, filters=filters or selectors.MeldingFilter(), per_page=per_page
    )
    return paginator, [m.pk for m in paginator.get_page(number).object_list]


def _expected(user, filters=None):
    return list(
        selectors.melding_list(user=user, filters=filters or selectors.MeldingFilter()).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def world(db):
    """A confidant with own, granted, revoked and foreign cases across three organisations."""
    org, other_org, left_org = OrganisatieFactory(), OrganisatieFactory(), OrganisatieFactory()
    me = ConfidantFactory(organisaties=[org, other_org, left_org])
    colleague = ConfidantFactory(organisaties=[org, other_org, left_org])
    start = date(2024, 1, 1)
    own = [
        MeldingFactory(behandelaar=me, organisatie=org, geopend_op=start + timedelta(days=i % 7))
        for i in range(9)
    ]
    closed = MeldingFactory(behandelaar=me, organisatie=other_org, geopend_op=start)
    Melding.objects.filter(pk=closed.pk).update(
        status=Status.AFGESLOTEN, gesloten_op=start + timedelta(days=3)
    )
    granted = MeldingFactory(behandelaar=colleague, organisatie=org, geopend_op=start)
    revoked = MeldingFactory(behandelaar=colleague, organisatie=org, geopend_op=start)
    foreign = MeldingFactory(behandelaar=colleague, organisatie=org, geopend_op=start)
    in_left_org = MeldingFactory(behandelaar=me, organisatie=left_org, geopend_op=start)
    granted_in_left_org = MeldingFactory(
        behandelaar=colleague, organisatie=left_org, geopend_op=start
    )
    ToegangFactory(melding=granted, user=me)
    ToegangFactory(melding=granted_in_left_org, user=me)
    ToegangFactory(melding=revoked, user=me, ingetrokken_op=timezone.now())
    Lidmaatschap.objects.filter(user=me, organisatie=left_org).delete()
    return {
        "me": me,
        "colleague": colleague,
        "own": own,
        "closed": closed,
        "granted": granted,
        "hidden": [revoked, foreign, in_left_org, granted_in_left_org],
        "org": org,
        "other_org": other_org,
    }


def test_pages_hold_exactly_the_visible_cases_in_order(world):
    me = world["me"]
    expected = _expected(me)
    assert world["granted"].pk in expected and world["closed"].pk in expected
    assert not {m.pk for m in world["hidden"]} & set(expected)
    seen = []
    paginator, _ids = _page_ids(me, per_page=4)
    assert paginator.count == len(expected) == 11
    for number in paginator.page_range:
        seen += _page_ids(me, number=number, per_page=4)[1]
    assert seen == expected


@pytest.mark.parametrize(
    "filters",
    [
        selectors.MeldingFilter(status="actief"),
        selectors.MeldingFilter(status=Status.AFGESLOTEN),
        selectors.MeldingFilter(categorie="pesten"),
        selectors.MeldingFilter(categorie="werkdruk"),
        selectors.MeldingFilter(van=date(2024, 1, 3), tot=date(2024, 1, 5)),
        selectors.MeldingFilter(nummer="-000"),
    ],
    ids=["active", "closed", "category", "no-match", "dates", "number"],
)
def test_filters_match_the_scoped_queryset(world, filters):
    assert _page_ids(world["me"], filters)[1] == _expected(world["me"], filters)


def test_organisation_filter_and_a_grant_revoked_or_an_organisation_deactivated(world):
    me, org = world["me"], world["org"]
    by_org = selectors.MeldingFilter(organisatie=world["other_org"].pk)
    assert _page_ids(me, by_org)[1] == [world["closed"].pk]
    Toegang.objects.filter(melding=world["granted"]).update(ingetrokken_op=timezone.now())
    assert world["granted"].pk not in _page_ids(me)[1]
    org.actief = False
    org.save()
    assert _page_ids(me)[1] == _expected(me) == [world["closed"].pk]


def test_other_roles_and_inactive_users_see_nothing(world):
    hr = HRFactory(organisaties=[world["org"]])
    assert _page_ids(hr)[1] == []
    me = world["me"]
    me.is_active = False
    me.save()
    assert _page_ids(me)[1] == []


def test_a_page_past_the_end_shows_the_last_page(world):
    paginator, last = _page_ids(world["me"], number=99, per_page=4)
    assert paginator.num_pages == 3
    assert last == _page_ids(world["me"], number=3, per_page=4)[1]
    assert (
        _page_ids(world["me"], number="x", per_page=4)[1]
        == _page_ids(world["me"], number=1, per_page=4)[1]
    )


def test_list_reads_no_encrypted_column(confidant_client, confidant_a, org_a):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Niet Tonen")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = confidant_client.get(reverse("meldingen:list"))
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries if "meldingen_melding" in q["sql"])
    for column in ("melder_naam", "melder_contact", "samenvatting", "bewaarplicht_reden"):
        assert column not in sql
    assert "Niet Tonen" not in response.content.decode()


def test_dashboard_lists_the_latest_active_visible_cases(world):
    from datetime import timedelta as td

    from meldingen.models import Melding

    me = world["me"]
    now = timezone.now()
    everyone = Melding.objects.all()
    for i, melding in enumerate(everyone.order_by("id")):
        Melding.objects.filter(pk=melding.pk).update(laatste_activiteit=now - td(hours=i))
    Melding.objects.filter(pk=world["granted"].pk).update(laatste_activiteit=now + td(hours=1))
    dashboard = selectors.dashboard_for(user=me)
    expected = list(
        selectors.melding_qs(user=me)
        .exclude(status=Status.AFGESLOTEN)
        .order_by("-laatste_activiteit", "-id")
        .values_list("pk", flat=True)[:10]
    )
    assert [m.pk for m in dashboard["open_meldingen"]] == expected
    assert expected[0] == world["granted"].pk
    assert (
        dashboard["open_count"]
        == selectors.melding_qs(user=me).exclude(status=Status.AFGESLOTEN).count()
    )
