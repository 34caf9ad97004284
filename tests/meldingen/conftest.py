import pytest

from tests.factories import ConfidantFactory, GesprekFactory, VerzoekFactory


@pytest.fixture
def colleague_a(org_a):
    return ConfidantFactory(full_name="Collega Cor", email="cor@example.org", organisaties=[org_a])


@pytest.fixture
def gesprek_a(melding_a):
    return GesprekFactory(melding=melding_a, notities="Eerste gesprek, veel verdriet.")


@pytest.fixture
def submitted(org_a):
    """An anonymous request to organisation A, and the receipt code its sender was shown."""
    return VerzoekFactory.create_with_code(organisatie=org_a)
