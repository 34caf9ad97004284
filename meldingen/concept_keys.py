"""The draft keys of meldingen's forms: the one place their formats are written.

The views put a key in the form, the services drop the draft once the form is saved, and
retention drops every draft of a case; all of them build the key here. A stored draft carries
its key, so changing a format here orphans the drafts saved under the old one
(tests/meldingen/test_concept_keys.py pins them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from vpcase.concepten.keys import KeyKind

if TYPE_CHECKING:
    from .models import Gesprek, Melding

MELDING_NEW = KeyKind("melding_nieuw", "melding:nieuw")
MELDING = KeyKind("melding", "melding:{uuid}")
GESPREK_NEW = KeyKind("gesprek_nieuw", "gesprek:nieuw:{uuid}")
GESPREK = KeyKind("gesprek", "gesprek:{id}")
KINDS = (MELDING_NEW, MELDING, GESPREK_NEW, GESPREK)  # registered in apps.py


def melding_new() -> str:
    return MELDING_NEW.build()


def melding(melding: Melding) -> str:
    return MELDING.build(uuid=melding.public_id)


def gesprek_new(melding: Melding) -> str:
    return GESPREK_NEW.build(uuid=melding.public_id)


def gesprek(gesprek: Gesprek) -> str:
    return GESPREK.build(id=gesprek.pk)


def of_case(melding: Melding, gesprek_ids: Iterable[int]) -> list[str]:
    """Every key under which a draft can hold text of this case: its edit form, its new
    conversation form and the edit forms of its conversations `gesprek_ids`."""
    return [
        MELDING.build(uuid=melding.public_id),
        GESPREK_NEW.build(uuid=melding.public_id),
        *(GESPREK.build(id=pk) for pk in gesprek_ids),
    ]
