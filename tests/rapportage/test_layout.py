"""The report's HTML: chapters, contents, quarters, plurals, tables and charts."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString

from rapportage import charts, document, publicaties, services, tabellen
from rapportage.cijfers import Cijfers, Paar
from tests.factories import JaarverslagFactory
from tests.rapportage.crafted import make_case

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.once(
        "the report's HTML from figures already counted: the same on either database "
        "(test_aggregatie counts the figures on both)"
    ),
]

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "rapportage" / "pdf"


def _html(verslag, language="nl") -> str:
    verslag.refresh_from_db()
    with translation.override(language):
        return document.render_html(cijfers=Cijfers.from_json(verslag.cijfers), verslag=verslag)


def _contents(html: str) -> list[str]:
    toc = html[html.index('<nav class="toc">') : html.index("</nav>")]
    return re.findall(r'href="#([a-z]+)"', toc)


def test_an_empty_chapter_is_not_printed_nor_listed(verslag, confidant_a):
    html = _html(verslag)
    assert "aanbevelingen" not in _contents(html)
    assert 'id="aanbevelingen"' not in html and "<p>—</p>" not in html
    # Every chapter the contents lists is there, and the other way round.
    assert _contents(html) == re.findall(r'<h2 id="([a-z]+)"', html)

    services.jaarverslag_save_text(user=confidant_a, verslag=verslag, aanbevelingen="Meer uren.")
    html = _html(verslag)
    assert _contents(html)[-1] == "aanbevelingen" and "Meer uren." in html


def test_one_naming_for_quarters(verslag):
    html = _html(verslag, "nl")
    # The signal of October and the quarter table both say K4, never Q4.
    assert not re.search(r"\bQ[1-4]\b", html)
    assert "K4 · " in html and ">K1</th>" in html
    assert ">Q1</th>" in _html(verslag, "en")


def test_singular_and_plural(verslag):
    html = _html(verslag, "en")
    assert "This report includes 1 signal:" in html and "1 signals" not in html


def test_every_header_cell_has_a_scope_and_marks_have_a_legend(verslag):
    html = _html(verslag)
    headers = re.findall(r"<th[ >][^>]*>", html)
    assert headers and all('scope="col"' in h or 'scope="row"' in h for h in headers)
    cijfers = Cijfers.from_json(verslag.cijfers)
    assert cijfers.k == 5
    # The crafted year has both marks; each table that uses one explains it under it.
    with translation.override("nl"):
        hidden = tabellen.tekst("•")
        small = tabellen.legenda_teksten(5)["klein"][1]
    assert "4" in small and f"<strong>&lt; 5</strong>: {small}" in html
    assert f">{hidden}</td>" in html and f"<strong>{hidden}</strong>: " in html


def test_totals_only_where_published(verslag):
    cijfers = Cijfers.from_json(verslag.cijfers)
    with translation.override("nl"):
        model = {t.key: t for t in tabellen.tabellen(cijfers)}
    for tabel in cijfers.tabellen:
        totaal = model[tabel.key].totaal
        assert totaal is not None
        assert totaal.cellen[:2] == (tabel.totaal.dit_jaar, tabel.totaal.vorig_jaar)
    # Tables without a published total have no total row.
    assert model["kwartalen"].totaal is None and model["kerncijfers"].totaal is None


def test_charts_are_escaped_at_the_source_and_carry_their_alt():
    svg = charts.bars(
        [{"label": "<script>x</script>", "dit_jaar": 3, "vorig_jaar": "•"}],
        this_label="2025",
        last_label="2024",
        alt='Bar chart: "a" & <b>',
    )
    assert isinstance(svg, SafeString)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<title>Bar chart: &quot;a&quot; &amp; &lt;b&gt;</title>" in svg
    quarters = charts.quarters(
        [1, 2, "< 5", 4], [0, 0, 0, 0], labels=["Q1"] * 4, this_label="a", last_label="b", alt="x"
    )
    assert isinstance(quarters, SafeString) and "<title>x</title>" in quarters
    for template in TEMPLATES.glob("*.html"):
        assert "|safe" not in template.read_text(), template


def test_key_figure_tiles_agree_with_their_number(verslag):
    verslag.refresh_from_db()
    cijfers = Cijfers.from_json(verslag.cijfers)
    one = dataclasses.replace(
        cijfers,
        kern=dataclasses.replace(cijfers.kern, gesprekken=Paar(1, 3), uren=Paar("< 5", 2)),
    )
    with translation.override("en"):
        html = document.render_html(cijfers=one, verslag=verslag)
    assert '<div class="v">1</div><div class="l">conversation</div>' in html
    assert '<div class="v">&lt; 5</div><div class="l">hours of conversation</div>' in html


def test_a_small_year_prints_no_table_of_dashes(org_a, confidant_a):
    """With one case every quarter is "–" in both years: no quarter table, no chart."""
    make_case(
        org_a,
        confidant_a,
        opened=date(2025, 3, 10),
        categories=["pesten"],
        relatie="collega",
        kanaal="persoonlijk",
        rol="medewerker",
    )
    cijfers = publicaties.verzamel(org_a, 2025)
    assert set(cijfers.kwartalen.dit_jaar) == {"–"}
    keys = [t.key for t in tabellen.tabellen(cijfers)]
    assert "kwartalen" not in keys and "trend" in keys
    verslag = JaarverslagFactory(organisatie=org_a, jaar=2025)
    with translation.override("en"):
        html = document.render_html(cijfers=cijfers, verslag=verslag)
    assert "New contacts per quarter" not in html and "New contacts over the years" in html
