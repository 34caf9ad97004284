"""The annual report PDF is tagged so that a screen reader can read it (PDF/UA-1)."""

from __future__ import annotations

import io

import pikepdf
import pytest

from rapportage import services
from rapportage.demo import maak_demo_jaren
from tests.factories import JaarverslagFactory
from tests.rapportage.pdf_ua import problems

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.once(
        "the PDF's tag tree: the same on either database (test_build builds the report on both)"
    ),
]


@pytest.fixture
def demo_pdf(org_a, confidant_a) -> bytes:
    """The demo report, through the same build as the worker's."""
    maak_demo_jaren(org_a, confidant_a, 2025)
    verslag = services.build_now(JaarverslagFactory(organisatie=org_a, jaar=2025))
    return bytes(services.pdf_bytes(verslag))


def test_the_demo_report_passes_the_structure_tree_check_and_its_charts_and_tables_say_what_they_are(
    demo_pdf,
):
    """One build (twelve seconds) for both checks."""
    assert problems(demo_pdf) == []
    with pikepdf.open(io.BytesIO(demo_pdf)) as doc:
        metadata = doc.Root.Metadata.read_bytes()
        alts, scopes = [], set()
        stack = [doc.Root.StructTreeRoot]
        while stack:
            elem = stack.pop()
            kids = elem.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    stack.append(kid)
            if elem.get("/S") == "/Figure":
                alts.append(str(elem.Alt))
            if elem.get("/S") == "/TH":
                scopes.add(str(elem.A.Scope))
    # Both charts, each with its one-line summary; column headers and row labels both.
    # (The build's language is Dutch: the summary names both years and the table below.)
    assert len(alts) == 2 and all("2025" in a and "2024" in a and "tabel" in a for a in alts), alts
    assert scopes == {"/Column", "/Row"}
    # The file claims PDF/UA-1, which the check above backs.
    assert b'pdfuaid:part="1"' in metadata
