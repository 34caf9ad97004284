import pytest

from tests.factories import ConfidantFactory, GesprekFactory, MeldingFactory


@pytest.fixture
def melding_a(confidant_a, org_a):
    return MeldingFactory(
        behandelaar=confidant_a,
        organisatie=org_a,
        melder_naam="Sanne de Vries",
        samenvatting="Mijn leidinggevende roept elke dag tegen mij.",
        categorieen=("pesten", "agressie_geweld"),
    )


@pytest.fixture
def colleague_a(org_a):
    return ConfidantFactory(full_name="Collega Cor", email="cor@example.org", organisaties=[org_a])


@pytest.fixture
def gesprek_a(melding_a):
    return GesprekFactory(melding=melding_a, notities="Eerste gesprek, veel verdriet.")
