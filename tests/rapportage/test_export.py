"""HR's figures files (CSV for Dutch Excel, XLSX) hold exactly the figures of the PDF."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from rapportage import services, tabellen
from rapportage.cijfers import Cijfers
from tests.conftest import verified_client
from tests.factories import AdminFactory, ConfidantFactory, HRFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(crafted, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.build_now(verslag)
    return services.jaarverslag_publish(user=confidant_a, verslag=verslag)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def _expected(cel) -> str:
    """How a published figure must read in the CSV: Dutch Excel's decimal comma."""
    if isinstance(cel, float):
        return f"{cel:.1f}".replace(".", ",")
    return str(cel)


def test_csv_opens_in_dutch_excel_with_every_published_figure(published, hr_a):
    response = verified_client(hr_a).get(reverse("rapportage:hr_csv", args=[published.public_id]))
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = _csv_rows(response.content)
    assert all(not re.fullmatch(r"-?\d+\.\d+", cell) for row in rows for cell in row)
    cijfers = Cijfers.from_json(published.cijfers)
    with translation.override(settings.LANGUAGE_CODE):
        # Every breakdown row, straight from the stored figures, with its total.
        for tabel in cijfers.tabellen:
            for rij in tabel.rijen:
                assert [
                    tabel.titel,
                    rij.label,
                    _expected(rij.dit_jaar),
                    _expected(rij.vorig_jaar),
                ] == (next(r for r in rows if r[:2] == [tabel.titel, rij.label])[:4])
            totaal = next(r for r in rows if r[0] == tabel.titel and r[1] == "Totaal")
            assert totaal[2:4] == [
                _expected(tabel.totaal.dit_jaar),
                _expected(tabel.totaal.vorig_jaar),
            ]
        kern = next(r for r in rows if r[1] == "Gespreksuren")
        assert kern[2:] == [
            _expected(cijfers.kern.uren.dit_jaar),
            _expected(cijfers.kern.uren.vorig_jaar),
        ]
        assert "," in kern[2] or isinstance(cijfers.kern.uren.dit_jaar, int)
        legend = {r[1]: r[2] for r in rows if r[0] == "Legenda" or r[0] == "Legend"}
    assert set(legend) == {f"< {cijfers.k}", "•", "–"}
    assert str(cijfers.k - 1) in legend[f"< {cijfers.k}"]
    # The marks the crafted year needs are there as marks.
    cells = {c for r in rows for c in r[2:]}
    assert {f"< {cijfers.k}", "•"} <= cells


def test_csv_xlsx_and_pdf_hold_the_same_rows(published, hr_a):
    hr = verified_client(hr_a)
    rows = _csv_rows(hr.get(reverse("rapportage:hr_csv", args=[published.public_id])).content)
    xlsx = hr.get(reverse("rapportage:hr_xlsx", args=[published.public_id]))
    assert xlsx.status_code == 200
    assert (
        xlsx["Content-Disposition"].startswith("attachment")
        and ".xlsx" in xlsx["Content-Disposition"]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    # The same lines as the CSV; numbers stored as numbers, marks as text.
    assert len(cells) == len(rows)
    for csv_row, xlsx_row in zip(rows, cells, strict=True):
        values = list(xlsx_row)[: len(csv_row)]  # a sheet's rows are as wide as its widest
        assert all(v is None for v in list(xlsx_row)[len(csv_row) :])
        for text, value in zip(csv_row, values, strict=True):
            if isinstance(value, int | float):
                assert float(text.replace(",", ".")) == value
            else:
                assert (value or "") == text
    numbers = [c for r in cells[1:] for c in r[2:] if c is not None]
    assert any(isinstance(c, int) for c in numbers)
    assert "•" in numbers

    # The PDF HR has prints the same figures, table by table, in the same order.
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(bytes(published.inhoud))).pages
    )
    text = re.sub(r"\s+", " ", text)
    cijfers = Cijfers.from_json(published.cijfers)
    with translation.override(settings.LANGUAGE_CODE):
        model = tabellen.tabellen(cijfers)
        position = 0
        for tabel in model:
            for regel in tabel.alle_regels:
                printed = " ".join(t for t in regel.teksten if t)
                found = text.find(printed, position)
                assert found >= 0, (tabel.titel, regel.kop, printed)
                position = found
                assert regel.kop.split()[0] in text
        # ...and those rows are the CSV's rows.
        body = [r for r in rows if r[0] != "Legenda" and r[0] != "Legend"]
        expected = []
        for tabel in model:
            expected.append([tabel.titel, tabel.kop, *tabel.kolommen])
            expected += [
                [tabel.titel, r.kop, *map(tabellen.csv_tekst, r.cellen)] for r in tabel.alle_regels
            ]
        assert body == expected


def test_xlsx_only_for_hr_of_the_organisation(published, hr_a, org_b, client):
    """Every role on one published report (a publication takes seconds to make)."""
    url = reverse("rapportage:hr_xlsx", args=[published.public_id])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "?next=" in anonymous["Location"]
    for user, status in (
        (ConfidantFactory(organisaties=[published.jaarverslag.organisatie]), 403),
        (AdminFactory(), 403),
        (HRFactory(organisaties=[org_b]), 404),
        (hr_a, 200),
    ):
        assert verified_client(user).get(url).status_code == status, user
    page = verified_client(hr_a).get(reverse("rapportage:hr_index")).content.decode()
    assert url in page


def test_a_withdrawn_report_has_no_xlsx(published, hr_a, confidant_a):
    services.jaarverslag_withdraw(user=confidant_a, verslag=published.jaarverslag, reden="Fout.")
    hr = verified_client(hr_a)
    assert hr.get(reverse("rapportage:hr_xlsx", args=[published.public_id])).status_code == 410
