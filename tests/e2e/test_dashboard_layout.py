"""End to end: the confidant's dashboard on a desktop screen. Its table of open cases stays
inside its own column (it was 40 px wider than its column at 1280 px, its status pills
reaching into the follow-ups beside it), with a long organisation name, several behaviour
types per case and the longest status."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from meldingen import services as meldingen_services
from meldingen.models import Status
from tests.factories import ConfidantFactory, MeldingFactory, OrganisatieFactory

from .conftest import log_in_with_totp, t, url

# Where each column of the dashboard ends, and where the table in the first one ends.
COLUMNS_JS = """
() => {
  const open = document.getElementById('open-heading').parentElement;
  const follow = document.getElementById('follow-heading').parentElement;
  const table = open.querySelector('table');
  return {
    openRight: open.getBoundingClientRect().right,
    tableRight: table.getBoundingClientRect().right,
    tableScroll: table.scrollWidth,
    tableWidth: table.clientWidth,
    followLeft: follow.getBoundingClientRect().left,
    followTop: follow.getBoundingClientRect().top,
    openTop: open.getBoundingClientRect().top,
  };
}
"""


@pytest.mark.e2e
@pytest.mark.once("the layout is the same on either database")
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 1024, "height": 768}], indirect=True
)
def test_the_open_cases_stay_in_their_column(live_server, page: Page, viewport):
    org = OrganisatieFactory(naam="Stichting Zorgzaam Oost en Omstreken")
    confidant = ConfidantFactory(organisaties=[org])
    for _ in range(3):
        melding = MeldingFactory(
            behandelaar=confidant,
            organisatie=org,
            categorieen=("seksuele_intimidatie", "discriminatie", "agressie_geweld"),
        )
        meldingen_services.melding_set_status(user=confidant, melding=melding, status=Status.LOPEND)
    log_in_with_totp(page, confidant)

    page.goto(url("meldingen:dashboard"))
    expect(page.get_by_text(t("In progress")).first).to_be_visible()
    found = page.evaluate(COLUMNS_JS)
    assert found["tableRight"] <= found["openRight"] + 0.5, found
    assert found["tableScroll"] <= found["tableWidth"], found
    # Side by side on these screens, the follow-ups to the right of the table.
    assert found["followTop"] == found["openTop"], found
    assert found["followLeft"] >= found["tableRight"], found
