import pytest

from rapportage import services
from tests.factories import JaarverslagFactory


@pytest.fixture
def eager():
    """Tasks run in the test's own process, as they are queued."""
    from vpcase.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def verslag(crafted):
    """The draft report of the crafted year (2025), built."""
    return services.build_now(JaarverslagFactory(organisatie=crafted, jaar=2025))
