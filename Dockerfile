# syntax=docker/dockerfile:1
#
# vpcase production image. One image runs every process (see docker-compose.yml):
#   web     gunicorn vpcase.wsgi   (the default CMD below)
#   worker  celery -A vpcase worker
#   beat    celery -A vpcase beat
#   migrate python manage.py migrate --noinput
#
# Layout
# ------
# The source tree is copied to /app and every process runs from /app, so settings.BASE_DIR is
# /app and templates/, static/ and locale/ are found where settings.py looks for them. Only the
# *dependencies* are pip-installed (from pyproject.toml, pinned by requirements.lock); the
# project itself is imported from /app (WORKDIR and PYTHONPATH), never from a second copy in
# site-packages whose BASE_DIR would point at site-packages and find no templates.
#
# Static files and the data directory
# -----------------------------------
# settings.py puts STATIC_ROOT at $VPCASE_DATA_DIR/static. VPCASE_DATA_DIR is /app/var at build
# time *and* at run time, and collectstatic runs at build time in production mode, so the
# hashed, compressed files and WhiteNoise's manifest (CompressedManifestStaticFilesStorage) are
# part of the image, owned by root and read-only for the app. Never mount a volume over
# /app/var itself: it would hide the static files. Nothing else the app needs lives there in
# this setup (the database is PostgreSQL, the task queue and cache are Redis); the only file
# written at run time is Celery beat's schedule, in /app/var/beat, which is owned by the app
# user and is a small named volume in docker-compose.yml.
#
# What goes in
# ------------
# .dockerignore admits only what production runs (manage.py, the three Python packages,
# templates/, static/, locale/ and the dependency files); tests, bench/, scripts and docs stay
# out. tests/test_image_context.py builds that context the way Docker does and runs this file's
# collectstatic / check step on it, so an app that .dockerignore leaves out fails `make test`.
#
# Base image
# ----------
# PYTHON_IMAGE (default python:3.11-slim-bookworm; docker-compose.yml passes
# VPCASE_PYTHON_IMAGE) may name any Debian bookworm image with python, pip and apt, e.g. a
# local mirror of the official image or the stand-in that `make compose-check` builds where
# registries cannot be reached.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- Stage 1: compile the translations (gettext is needed only here, not at run time) ------
FROM ${PYTHON_IMAGE} AS source

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . .
# What `manage.py compilemessages` does, without needing Django in this stage; the catalogue
# sources are not needed at run time.
RUN find . -name '*.po' -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1" && rm "$1"' _ {} \;

# --- Stage 2: the runtime image -------------------------------------------------------------
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    VPCASE_ENV=production \
    VPCASE_DATA_DIR=/app/var

# Shared libraries WeasyPrint loads at run time (Pango, HarfBuzz incl. subsetting, fontconfig)
# and a basic font. The Python wheels bring everything else.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user; its home holds fontconfig's cache and gunicorn's control socket.
RUN groupadd --system --gid 10001 vpcase \
    && useradd --system --uid 10001 --gid vpcase --create-home --home-dir /home/vpcase \
        --shell /usr/sbin/nologin vpcase

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -c requirements.lock -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --from=source /src /app

# Static files, collected in production mode so that WhiteNoise gets its manifest, then
# Django's deployment checks (any warning fails the build). Production mode refuses to start
# without SECRET_KEY and CRYPTOGRAPHY_KEY, so this one step gets two throwaway random keys that
# exist only in this RUN's environment: they are never stored in an ENV, a layer or the image
# history (which records the $(...) text, not its output), and neither command signs or
# encrypts anything with them. The service URLs and ALLOWED_HOSTS are required in production
# mode too; neither command connects to anything. Importing the settings creates no folder, and
# with PostgreSQL and Redis Django's start-up makes only /app/var and its static/ (the task
# queue's and SQLite's folders are for the embedded defaults), so /app/var holds only static/
# and beat/.
# tests/test_image_context.py reads this step's variables and runs the same two commands on the
# build context, so keep them in this one RUN.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    CRYPTOGRAPHY_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL=postgres://build@build.invalid/build REDIS_URL=redis://build.invalid:6379/0 \
    EMAIL_URL=smtp://build.invalid:25 SITE_URL=https://build.invalid ALLOWED_HOSTS=build.invalid \
    sh -c 'python manage.py collectstatic --noinput -v0 && python manage.py check --deploy --fail-level WARNING' \
    && python -m compileall -q /app \
    && mkdir -p /app/var/beat \
    && chown vpcase:vpcase /app/var/beat

USER vpcase

EXPOSE 8000

# /healthz runs one trivial query. It is exempt from SECURE_SSL_REDIRECT, but its Host header
# is 127.0.0.1, so ALLOWED_HOSTS must include 127.0.0.1 (see .env.example). Worker, beat and
# migrate do not listen on 8000: docker-compose.yml overrides or disables this check for them.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=5); sys.exit(0 if r.read() == b'ok' else 1)"]

# No access log, on purpose: it would record client IP addresses. gunicorn's access log is off
# unless --access-logfile is given, so never add that flag (nor put it in GUNICORN_CMD_ARGS).
# --log-level error: gunicorn 27 logs "Invalid request from ip=<peer address>" at WARNING for
# malformed requests, so the error log is kept at ERROR to log no addresses either (worker
# timeouts and crashes are still logged; Django's own logging is configured separately).
# --worker-tmp-dir /dev/shm: worker heartbeats on tmpfs, as gunicorn advises for containers.
# --forwarded-allow-ips stays at its default: see USE_X_FORWARDED_PROTO in .env.example.
CMD ["gunicorn", "vpcase.wsgi", "--workers", "2", "--bind", "0.0.0.0:8000", "--log-level", "error", "--worker-tmp-dir", "/dev/shm"]
