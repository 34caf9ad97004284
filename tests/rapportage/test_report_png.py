"""Every page of the demo report and of three small organisations' reports as PNG, for a
person to look at: var/report-png/<name>/page-NN.png (var/ is not in git)."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pypdfium2
import pytest
from django.conf import settings

from rapportage import services
from rapportage.demo import maak_demo_jaren
from tests.factories import JaarverslagFactory
from tests.rapportage.crafted import make_case
from tests.rapportage.pdf_ua import problems

pytestmark = [pytest.mark.django_db, pytest.mark.once("writes review images only")]

OUT = Path(settings.BASE_DIR) / "var" / "report-png"


def _write_pngs(name: str, pdf: bytes) -> int:
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    for number, page in enumerate(document, 1):
        page.render(scale=1.5).to_pil().save(folder / f"page-{number:02d}.png")
    return len(document)


def _build(org) -> bytes:
    verslag = services.build_now(JaarverslagFactory(organisatie=org, jaar=2025))
    return bytes(services.pdf_bytes(verslag))


def test_demo_report_pages(org_a, confidant_a):
    maak_demo_jaren(org_a, confidant_a, 2025)
    pdf = _build(org_a)
    # Cover; contents, summary, introduction and key figures; the figures and the rest follow
    # on. Eleven pages before the compact layout, which now also holds the gender, duration and
    # conversation tables, the summary, the confidants, their development, last year's
    # recommendations with follow-up and the signature (about two pages of new content).
    assert _write_pngs("demo", pdf) <= 7
    assert problems(pdf) == []


@pytest.mark.parametrize(("cases", "pages"), [(1, 3), (6, 3), (12, 6)])
def test_small_organisation_pages(org_a, confidant_a, cases, pages):
    for i in range(cases):
        make_case(
            org_a,
            confidant_a,
            opened=date(2025, 1 + i % 12, 10),
            categories=["pesten"],
            relatie="collega",
            kanaal="persoonlijk",
            rol="medewerker",
        )
    pdf = _build(org_a)
    assert _write_pngs(f"klein-{cases}", pdf) == pages
    assert problems(pdf) == []
