#!/bin/sh
# Development server with a real Celery worker (and beat) beside it; Ctrl-C stops both.
set -eu
PY=.venv/bin/python
# runserver's "do not use in production" banner: this is `make run`, it knows.
export DJANGO_RUNSERVER_HIDE_WARNING=true
# Celery warns when its worker runs as root, as it does on a root-only development machine or
# VM; the production image runs every process as an unprivileged user.
export PYTHONWARNINGS="ignore:You're running the worker with superuser privileges"
.venv/bin/celery -A vpcase worker --beat --loglevel=INFO --concurrency=1 \
    --schedule="${VPCASE_DATA_DIR:-var}/celerybeat-schedule" &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
$PY manage.py runserver "${VPCASE_ADDR:-127.0.0.1:8000}"
