"""Published figures made by hand, for tests of what is written about them (the drafted texts,
the word guard): a Cijfers with a few tables, without the database or the suppression."""

from __future__ import annotations

from collections.abc import Sequence

from rapportage.cijfers import (
    Activiteiten,
    Cel,
    Cijfers,
    Kern,
    Kwartalen,
    Paar,
    Rij,
    Signalen,
    Tabel,
    Vergelijking,
)


def rij(code: str, label: str, cel) -> Rij:
    return Rij(code=code, label=label, dit_jaar=cel, vorig_jaar=0, verschil="")


def cijfers_met(
    *,
    nieuw: Cel,
    k: int = 5,
    verschil: str = "",
    tabellen: Sequence[tuple[str, str, Sequence[Rij]]] = (),
    signalen: tuple[int, int] = (0, 0),
    gesprekken: int = 50,
    kwartalen: tuple[int, int, int, int] = (10, 10, 10, 10),
) -> Cijfers:
    """2025's figures of "Organisatie A": `nieuw` new contacts (30 the year before) and the
    tables given as (key, title, rows)."""
    return Cijfers(
        organisatie="Organisatie A",
        jaar=2025,
        k=k,
        kern=Kern(
            nieuw=Vergelijking(nieuw, 30, verschil),
            binnen_taak=Paar(nieuw, 30),
            buiten_taak=Paar(0, 0),
            gesprekken=Paar(gesprekken, 40),
            uren=Paar(50.0, 40.0),
            overgenomen=Paar(3, 2),
            formele_klachten=0,
            verwijzingen=(),
        ),
        kwartalen=Kwartalen(kwartalen, (8, 8, 7, 7)),
        trend=(),
        tabellen=tuple(
            Tabel(key=key, titel=titel, rijen=tuple(rijen), totaal=Vergelijking(nieuw, 30, ""))
            for key, titel, rijen in tabellen
        ),
        activiteiten=Activiteiten(()),
        signalen=Signalen(gevraagd=signalen[0], ongevraagd=signalen[1], items=()),
    )
