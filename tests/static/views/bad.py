# Deliberately bad code: tests/test_static.py checks that the project's semgrep rules catch it.
# It is never imported.
import logging

from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


@csrf_exempt
def view(request, cursor, gesprek, Melding):
    logger.info("posted %s", request.POST)
    logger.warning("note: %s", gesprek.notities)
    cursor.execute(f"SELECT * FROM x WHERE id = {request.GET['id']}")
    return Melding.objects.all()
