#!/bin/sh
# Development server with a real Celery worker (and beat) beside it; Ctrl-C stops both.
set -eu
PY=.venv/bin/python
.venv/bin/celery -A vpcase worker --beat --loglevel=INFO --concurrency=1 \
    --schedule=var/celerybeat-schedule &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
$PY manage.py runserver "${VPCASE_ADDR:-127.0.0.1:8000}"
