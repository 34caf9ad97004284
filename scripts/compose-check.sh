#!/usr/bin/env bash
# make compose-check: build the production image, start docker-compose.yml, and drive the
# stack from outside over HTTP as its users would. Then restart everything, back the database
# up and restore it, and run two webs and two workers that share no volume.
#
# Engine: `docker compose` where a Docker engine runs; otherwise podman + podman-compose, which
# this script installs when missing (apt: podman, runc, debootstrap; PyPI: podman-compose in
# var/compose-check/venv) and configures as /work/shared/REFERENCES.md describes.
# Images: the official python / postgres / redis images where they can be pulled; otherwise
# stand-ins built from a debootstrap Debian base with Debian's packages (the output says so).
# They are kept between runs (localhost/vpcase-check-*), so a second run is quick.
# Mail: the app sends its invitations over SMTP to a small sink in the stack
# (scripts/compose/smtpsink.py), which the driver reads over HTTP.
# Everything this creates is named vpcase-check*; it is all removed at the end, also on
# failure, except the cached images and the podman-compose venv. Secrets are generated per run.
#
# Environment: VPCASE_CHECK_KEEP=1 leaves the stack running for inspection.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
export CHECK_T0
CHECK_T0=$(date +%s)
# shellcheck source=scripts/compose/lib.sh
source scripts/compose/lib.sh
# shellcheck source=scripts/compose/images.sh
source scripts/compose/images.sh

PROJECT=vpcase-check
STATE_DIR=$ROOT/var/compose-check
RUN_DIR=$STATE_DIR/run
APP_IMAGE=localhost/vpcase-check-app:latest
PODMAN_COMPOSE_VERSION=1.6.0
PY=python3
[ -x "$ROOT/.venv/bin/python" ] && PY=$ROOT/.venv/bin/python
ENGINE=""
COMPOSE=()
STACK_UP=""
FAILED_LINE=""
STANDINS=()

rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR/logs"

# --- Teardown, always ----------------------------------------------------------------------

# No compose command may hang the check for ever (podman-compose can wait on a dependency
# that never comes).
compose() { timeout 900 "${COMPOSE[@]}" "$@"; }
compose_scale() { timeout 900 "${COMPOSE[@]}" --profile scale "$@"; }

# Everything of project $PROJECT: containers (also of the scale profile), networks, volumes.
remove_project() {
    compose_scale down -v -t "$1" >>"$RUN_DIR/down.log" 2>&1
    # Whatever compose did not remove (e.g. after an interrupted start).
    "$ENGINE" ps -aq --filter "label=com.docker.compose.project=$PROJECT" | xargs -r "$ENGINE" rm -f -v >/dev/null 2>&1
    "$ENGINE" volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r "$ENGINE" volume rm -f >/dev/null 2>&1
    "$ENGINE" network ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r "$ENGINE" network rm >/dev/null 2>&1
    return 0
}

containers_of() {  # containers_of SERVICE: names of the project's containers of that service
    "$ENGINE" ps -a --filter "label=com.docker.compose.project=$PROJECT" \
        --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | sort
}

save_logs() {
    local name
    for name in $("$ENGINE" ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' 2>/dev/null); do
        "$ENGINE" logs "$name" >"$RUN_DIR/logs/$name.log" 2>&1 || true
    done
}

teardown() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [ -n "$STACK_UP" ]; then
        save_logs
        if [ "$rc" != 0 ]; then
            local name
            for name in $("$ENGINE" ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}' | grep -E 'web|worker|migrate'); do
                echo "---- last log lines of $name ----" >&2
                grep -v 'systemd connection' "$RUN_DIR/logs/$name.log" | tail -n 15 >&2
            done
        fi
        if [ "${VPCASE_CHECK_KEEP:-0}" = 1 ]; then
            note "VPCASE_CHECK_KEEP=1: the stack keeps running; remove it with: ${COMPOSE[*]} --profile scale down -v"
        else
            printf '\n%s == teardown\n' "$(_clock)"
            local t0
            t0=$(date +%s)
            remove_project 10
            local left
            left=$(($("$ENGINE" ps -aq --filter "label=com.docker.compose.project=$PROJECT" | wc -l) +
                $("$ENGINE" volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | wc -l)))
            if [ "$left" = 0 ]; then
                log "containers, networks and volumes of project $PROJECT removed ($(($(date +%s) - t0))s)"
            else
                echo "teardown: $left containers or volumes of project $PROJECT are left; remove them by hand" >&2
                [ "$rc" != 0 ] || rc=1
            fi
        fi
    fi
    echo
    if [ "$rc" = 0 ]; then
        echo "Phases:"
        printf '  %s\n' "${PHASES_DONE[@]}"
        ((${#STANDINS[@]})) && printf 'Stand-ins used: %s\n' "${STANDINS[*]}"
        echo "compose-check PASSED in $(elapsed_total)s (logs: ${RUN_DIR#"$ROOT"/})"
    else
        [ -n "$FAILED_LINE" ] || FAILED_LINE="compose-check FAILED (exit $rc) in phase \"${_phase_name:-?}\""
        echo "Phases passed:"
        ((${#PHASES_DONE[@]})) && printf '  %s\n' "${PHASES_DONE[@]}"
        echo "$FAILED_LINE (logs: ${RUN_DIR#"$ROOT"/})" >&2
    fi
    exit "$rc"
}
trap teardown EXIT
trap 'FAILED_LINE="compose-check interrupted"; exit 130' INT TERM

# --- Helpers -------------------------------------------------------------------------------

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_healthy TIMEOUT SERVICE...: every container of these services running and healthy.
# podman without systemd runs no healthcheck timers, so the check runs the healthchecks itself.
wait_healthy() {
    local timeout=$1
    shift
    local deadline=$(($(date +%s) + timeout)) pending name status health
    while :; do
        pending=()
        for service in "$@"; do
            local names
            names=$(containers_of "$service")
            [ -n "$names" ] || fail "no container for service $service"
            for name in $names; do
                status=$("$ENGINE" inspect --format '{{.State.Status}}' "$name")
                if [ "$status" = exited ]; then
                    "$ENGINE" logs "$name" 2>&1 | grep -v 'systemd connection' | tail -n 20 >&2
                    fail "$name exited (code $("$ENGINE" inspect --format '{{.State.ExitCode}}' "$name")) instead of becoming healthy"
                fi
                if [ "$ENGINE" = podman ] && [ "$status" = running ]; then
                    "$ENGINE" healthcheck run "$name" >/dev/null 2>&1 || true
                fi
                health=$("$ENGINE" inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name" 2>/dev/null || true)
                [ "$status" = running ] && [ "$health" = healthy ] || pending+=("$name:${health:-$status}")
            done
        done
        ((${#pending[@]} == 0)) && return 0
        [ "$(date +%s)" -lt "$deadline" ] || fail "not healthy after ${timeout}s: ${pending[*]}"
        sleep 2
    done
}

# wait_exit TIMEOUT SERVICE: the one-shot container finished with exit code 0.
wait_exit() {
    local timeout=$1 service=$2 name code
    name=$(containers_of "$service" | head -1)
    [ -n "$name" ] || fail "no container for service $service"
    code=$(timeout "$timeout" "$ENGINE" wait "$name" 2>/dev/null | tail -1) || fail "$service did not finish within ${timeout}s"
    if [ "$code" != 0 ]; then
        "$ENGINE" logs "$name" 2>&1 | grep -v 'systemd connection' | tail -n 30 >&2
        fail "$service exited with code $code"
    fi
}

in_container() {  # in_container SERVICE cmd...: runs cmd in the service's (first) container
    local name
    name=$(containers_of "$1" | head -1)
    shift
    "$ENGINE" exec -i "$name" "$@"
}

# Start the stack in the order docker-compose.yml declares, checking each step (podman-compose
# on podman < 4.6 cannot wait for service_healthy itself).
start_stack() {
    run_quiet "compose up db redis mail" compose up -d db redis mail
    wait_healthy 120 db redis mail
    log "db, redis and mail healthy"
    run_quiet "compose up migrate" compose up -d --no-deps migrate
    wait_exit 300 migrate
    log "migrate ran and exited 0"
    run_quiet "compose up web worker beat" compose up -d --no-deps web worker beat
    wait_healthy 240 web worker
    [ "$("$ENGINE" inspect --format '{{.State.Status}}' "$(containers_of beat)")" = running ] ||
        fail "beat is not running"
    log "web and worker healthy, beat running"
}

drive() { "$PY" scripts/compose/drive.py --state "$RUN_DIR/state.json" "$@"; }

# --- 1. Host tools -------------------------------------------------------------------------

phase "host tools"
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 &&
    docker compose version >/dev/null 2>&1 && ! docker --version 2>/dev/null | grep -qi podman; then
    ENGINE=docker
    COMPOSE=(docker compose)
    log "a Docker engine runs here: using $(docker compose version | head -1)"
else
    missing=()
    for tool in podman runc debootstrap; do
        command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
    done
    if ((${#missing[@]})); then
        if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
            fail "missing ${missing[*]}; install them (apt-get install podman runc debootstrap) and run again"
        fi
        log "installing ${missing[*]} with apt (a minute or two)"
        run_quiet "apt-get update" apt-get update
        export DEBIAN_FRONTEND=noninteractive
        run_quiet "apt-get install" apt-get install -y podman runc debootstrap
    fi
    # crun fails here on hybrid cgroups and runc on RLIMIT_NPROC unless the default ulimits
    # are dropped (REFERENCES.md, "Containers on these machines").
    if [ ! -f /etc/containers/containers.conf ]; then
        mkdir -p /etc/containers
        printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' >/etc/containers/containers.conf
        log "wrote /etc/containers/containers.conf (runtime runc, no default ulimits)"
    elif ! grep -q 'runtime *= *"runc"' /etc/containers/containers.conf; then
        note "/etc/containers/containers.conf exists and does not select runc; left as it is"
    fi
    venv=$STATE_DIR/venv
    if ! "$venv/bin/podman-compose" --version 2>/dev/null | grep -q "$PODMAN_COMPOSE_VERSION"; then
        log "installing podman-compose $PODMAN_COMPOSE_VERSION from PyPI into ${venv#"$ROOT"/}"
        rm -rf "$venv"
        run_quiet "python venv for podman-compose" python3 -m venv "$venv"
        run_quiet "pip install podman-compose" "$venv/bin/pip" install --quiet "podman-compose==$PODMAN_COMPOSE_VERSION"
    fi
    ENGINE=podman
    COMPOSE=("$venv/bin/podman-compose" --in-pod false)
    log "$(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}' 2>/dev/null), podman-compose $PODMAN_COMPOSE_VERSION"
    [ -d /run/systemd/system ] ||
        note "no systemd here, so podman runs no healthcheck timers: the check runs each container's healthcheck itself (podman healthcheck run)"
fi

# --- 2. Base images ------------------------------------------------------------------------

phase "base images"
ensure_service_image docker.io/library/python:3.11-slim-bookworm localhost/vpcase-check-python:3.11-bookworm python
PYTHON_IMAGE=$IMAGE
ensure_service_image docker.io/library/postgres:15 localhost/vpcase-check-postgres:15 postgres
POSTGRES_IMAGE=$IMAGE
ensure_service_image docker.io/library/redis:7 localhost/vpcase-check-redis:7 redis
REDIS_IMAGE=$IMAGE
for pair in "python:3.11-slim-bookworm=$PYTHON_IMAGE" "postgres:15=$POSTGRES_IMAGE" "redis:7=$REDIS_IMAGE"; do
    case ${pair#*=} in localhost/vpcase-check-*) STANDINS+=("${pair%%=*} -> ${pair#*=}") ;; esac
done
((${#STANDINS[@]})) &&
    note "stand-ins in use (official images unreachable): ${STANDINS[*]}; they are Debian bookworm's python3 3.11, postgresql-15 and redis-server 7.0"

# --- 3. Configuration for this run ---------------------------------------------------------

phase "configuration for this run"

WEB_PORT=$(free_port)
WEB2_PORT=$(free_port)
MAIL_PORT=$(free_port)
ENV_FILE=$RUN_DIR/check.env
SITE_URL="https://127.0.0.1:$WEB_PORT"
# The check's env file is .env.example with every CHANGE_ME filled in (fresh secrets per run),
# so the example itself is tested; what the check adds is listed below it.
"$PY" - .env.example "$ENV_FILE" <<PY || fail "cannot make the env file from .env.example"
import re, secrets, sys
src, dst = sys.argv[1:]
fill = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "CRYPTOGRAPHY_KEY": secrets.token_urlsafe(64),
    "POSTGRES_PASSWORD": secrets.token_urlsafe(32),
    "POSTGRES_APP_PASSWORD": secrets.token_urlsafe(32),
    "REDIS_PASSWORD": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SITE_URL": "$SITE_URL",
    "EMAIL_URL": "smtp://mail:1025",
    "DEFAULT_FROM_EMAIL": "vpcase <noreply@vpcase-check.invalid>",
}
out = []
for line in open(src, encoding="utf-8"):
    name = line.split("=", 1)[0]
    if not line.startswith("#") and "=" in line and name in fill:
        line = f"{name}={fill.pop(name)}\n"
    out.append(line)
if fill:
    sys.exit(f".env.example has no line for {', '.join(fill)}")
left = [l.split("=")[0] for l in out if "CHANGE_ME" in l and not l.startswith("#")]
if left:
    sys.exit(f".env.example has CHANGE_ME values the check cannot fill: {', '.join(left)}")
out += [
    "\n# --- added by make compose-check\n",
    "VPCASE_IMAGE=$APP_IMAGE\n",
    "VPCASE_PYTHON_IMAGE=$PYTHON_IMAGE\n",
    "VPCASE_POSTGRES_IMAGE=$POSTGRES_IMAGE\n",
    "VPCASE_REDIS_IMAGE=$REDIS_IMAGE\n",
    "VPCASE_HTTP_PORT=$WEB_PORT\n",
    "VPCASE_HTTP_PORT_2=$WEB2_PORT\n",
    "VPCASE_CHECK_MAIL_PORT=$MAIL_PORT\n",
    "VPCASE_CHECK_DIR=$ROOT/scripts/compose\n",
    "VPCASE_ENV_FILE=$ENV_FILE\n",
]
open(dst, "w", encoding="utf-8").writelines(out)
PY
chmod 600 "$ENV_FILE"
COMPOSE+=(-p "$PROJECT" --env-file "$ENV_FILE" -f docker-compose.yml -f scripts/compose/check.yml)
WEB=http://127.0.0.1:$WEB_PORT
WEB2=http://127.0.0.1:$WEB2_PORT
MAIL=http://127.0.0.1:$MAIL_PORT
log "env file: .env.example with fresh keys and passwords filled in; web on $WEB"
log "mail: the app sends over SMTP (EMAIL_URL=smtp://mail:1025) to the stack's SMTP sink, read over HTTP on $MAIL"
log "production mode; SITE_URL=$SITE_URL; the driver sends X-Forwarded-Proto: https as the TLS proxy would (USE_X_FORWARDED_PROTO=1)"
# From here on the teardown removes the project; first the leftovers of an interrupted run.
STACK_UP=1
remove_project 5

# --- 4. The app image ----------------------------------------------------------------------

phase "app image"
if [ "$ENGINE" = podman ]; then
    # shellcheck disable=SC2046
    run_quiet "compose build" compose --podman-build-args "--network=host --pull=never --format docker $(build_mounts)" build web
else
    run_quiet "compose build" compose build web
fi
size=$("$ENGINE" image inspect --format '{{.Size}}' "$APP_IMAGE")
log "built $APP_IMAGE from ./Dockerfile on $PYTHON_IMAGE ($((size / 1000000)) MB)"
# Nothing production does not run: no tests, bench, scripts, dev dependencies, secrets.
contents=$("$ENGINE" run --rm --no-healthcheck --entrypoint sh "$APP_IMAGE" -c \
    'cd /app && ls -A; echo ---; pip list --format=freeze 2>/dev/null; echo ---; find /app \( -name "*.po" -o -name ".env*" -o -name "conftest.py" -o -name "test_*.py" -o -name tests \) -print | head')
app_files=$(echo "$contents" | sed -n '1,/^---$/p' | grep -v '^---$' | tr '\n' ' ')
packages=$(echo "$contents" | sed -n '/^---$/,/^---$/p' | grep -v '^---$')
strays=$(echo "$contents" | sed -n '/^---$/,$p' | sed '1,/^---$/d' | grep -v '^---$' | grep -v '^$' || true)
log "/app holds: $app_files"
for unwanted in tests bench scripts conftest.py .ci .git .venv .env Makefile README.md var/vpcase.sqlite3; do
    case " $app_files " in *" $unwanted "*) fail "the image holds $unwanted, which production does not use" ;; esac
done
# The dev dependencies, by name, from pyproject.toml's [project.optional-dependencies] dev.
dev=$(echo "$packages" | "$PY" -c '
import re, sys, tomllib
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
dev = {norm(re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0])
       for d in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["dev"]}
print(" ".join(l for l in sys.stdin.read().split() if norm(l.split("==")[0]) in dev))')
[ -z "$dev" ] || fail "the image holds dev dependencies: $(echo "$dev" | tr '\n' ' ')"
[ -z "$strays" ] || fail "the image holds files production does not use: $(echo "$strays" | tr '\n' ' ')"
log "no tests, bench, scripts, catalogue sources or dev dependencies in the image ($(echo "$packages" | wc -l) Python packages)"

# --- 5. Start ------------------------------------------------------------------------------

phase "start the stack (db, redis, mail -> migrate -> web, worker, beat)"
start_stack

# --- 6. Drive it ---------------------------------------------------------------------------

phase "users over HTTP: admin, organisation, invitations, request, case, note, annual report"
ADMIN_EMAIL="beheer.$(date +%s)@example.org"
created=$(in_container web python manage.py create_admin --email "$ADMIN_EMAIL" --name "Beheerder Controle" 2>&1) ||
    { echo "$created" >&2; fail "manage.py create_admin failed"; }
INVITE=$(echo "$created" | grep -oE 'https?://[^ ]+/uitnodiging/[^ ]+/' | head -1)
[ -n "$INVITE" ] || { echo "$created" >&2; fail "create_admin printed no invitation link"; }
log "manage.py create_admin made $ADMIN_EMAIL and printed its invitation link"
drive flow --web "$WEB" --mail "$MAIL" --invite "$INVITE" --admin-email "$ADMIN_EMAIL" --site-url "$SITE_URL" ||
    fail "driving the stack failed (see the DRIVER FAILED line above)"

# --- 6b. The audit trail -------------------------------------------------------------------
# Over HTTP nothing reaches the database, so this phase works inside the containers: as the
# app's role (web) every way of rewriting the trail is refused, as the owner (db) TRUNCATE
# is, the hash chain verifies, and its head is kept for the next phases.

phase "audit trail: the app's role cannot rewrite it; the hash chain verifies"
[ -z "$(in_container web printenv POSTGRES_PASSWORD || true)" ] ||
    fail "web has the database owner's password in its environment"
probe=$(in_container web python manage.py shell -v 0 -c "$(cat scripts/compose/audit_probe.py)" 2>&1) ||
    { echo "$probe" >&2; fail "the app's database role can rewrite the audit trail (or the probe failed)"; }
echo "$probe" | grep -q '^connected as vpcase_app;' || { echo "$probe" >&2; fail "web does not run as vpcase_app"; }
log "web runs as $(echo "$probe" | head -1 | sed 's/^connected as //')"
log "as vpcase_app, PostgreSQL refuses: $(echo "$probe" | grep -c '^refused:') of $(echo "$probe" | grep -cE '^(refused|ALLOWED):') statements (TRUNCATE, DELETE, UPDATE, DISABLE TRIGGER, DROP TRIGGER, DROP TABLE)"
if owner_truncate=$(in_container db psql -U vpcase -d vpcase -v ON_ERROR_STOP=1 -c 'TRUNCATE audit_auditevent' 2>&1); then
    fail "the owner could TRUNCATE the audit table"
fi
echo "$owner_truncate" | grep -q 'append-only' || { echo "$owner_truncate" >&2; fail "TRUNCATE as the owner failed, but not on the trigger"; }
log "as the owner (vpcase), TRUNCATE is rejected by the trigger: $(echo "$owner_truncate" | grep -m1 ERROR)"
verified=$(in_container web python manage.py verify_audit 2>&1) ||
    { echo "$verified" >&2; fail "manage.py verify_audit failed on the fresh stack"; }
if echo "$verified" | grep -q 'could lift'; then
    echo "$verified" >&2
    fail "verify_audit says the app's role could lift the triggers"
fi
log "$(echo "$verified" | grep 'Audit trail intact')"
AUDIT_HEAD=$(in_container web python manage.py verify_audit --head | tr -d '\r' | awk '{print $3}')
[ ${#AUDIT_HEAD} = 64 ] || fail "verify_audit --head printed no hash"
log "head kept for the next phases: $AUDIT_HEAD"
in_container worker celery -A vpcase call vpcase.audit.tasks.verify_chain >/dev/null ||
    fail "could not queue the daily audit check"
# (The log is read into a variable first: with pipefail, `logs | grep -q` fails when grep
# stops reading early.)
checked=""
for _ in $(seq 1 30); do
    worker_log=$("$ENGINE" logs "$(containers_of worker)" 2>&1)
    checked=$(grep -o 'audit trail intact.*' <<<"$worker_log" | tail -1 || true)
    [ -z "$checked" ] || break
    sleep 1
done
[ -n "$checked" ] || fail "the worker did not log 'audit trail intact' for the daily audit check"
log "the daily check (beat's task, queued by hand) ran on the worker: $checked"

# --- 7. Restart everything -----------------------------------------------------------------

phase "restart every service (containers removed and created again; volumes kept)"
run_quiet "compose down" compose down -t 30
left=$("$ENGINE" ps -aq --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
[ "$left" = 0 ] || fail "$left containers left after compose down"
log "all containers stopped and removed; volumes: $("$ENGINE" volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | tr '\n' ' ')"
start_stack
drive verify --web "$WEB" || fail "the data did not survive the restart (see the DRIVER FAILED line above)"
verified=$(in_container web python manage.py verify_audit --expect "$AUDIT_HEAD" 2>&1) ||
    { echo "$verified" >&2; fail "the audit trail does not verify after the restart, or lost the kept head"; }
log "after the restart the kept head is still in the trail. $(echo "$verified" | grep 'Audit trail intact')"

# --- 8. Backup and restore -----------------------------------------------------------------

phase "backup with pg_dump, restore into a fresh database, read the note back"
DUMP=$RUN_DIR/vpcase.dump
in_container db pg_dump -U vpcase -d vpcase --format=custom --compress=0 >"$DUMP" ||
    fail "pg_dump in the db container failed"
MARKER=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["marker"])' "$RUN_DIR/state.json")
CASE=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$RUN_DIR/state.json")
log "pg_dump: $(($(stat -c %s "$DUMP") / 1024)) KiB, uncompressed"
if grep -qF "$MARKER" "$DUMP"; then
    fail "the dump holds the conversation note in plain text"
fi
log "the dump does not hold the note's text (it is encrypted at field level)"
in_container db createdb -U vpcase vpcase_restored || fail "createdb vpcase_restored failed"
in_container db pg_restore -U vpcase -d vpcase_restored --no-owner --exit-on-error <"$DUMP" ||
    fail "pg_restore into vpcase_restored failed"
log "restored into a fresh database vpcase_restored"
PG_PASSWORD=$(grep '^POSTGRES_PASSWORD=' "$ENV_FILE" | cut -d= -f2-)
restored=$(compose run --rm --no-deps -T \
    -e "DATABASE_URL=postgres://vpcase:$PG_PASSWORD@db:5432/vpcase_restored" \
    -e "CHECK_CASE=$CASE" -e "CHECK_MARKER=$MARKER" -e "CHECK_HEAD=$AUDIT_HEAD" web python manage.py shell -v 0 -c '
import os
from django.db import connection
from meldingen.models import Gesprek
from rapportage.models import Jaarverslag
from vpcase.audit.selectors import chain_verify
notes = [g.notities for g in Gesprek.objects.filter(melding__public_id=os.environ["CHECK_CASE"])]
print("database", connection.settings_dict["NAME"])
print("note", "readable" if any(os.environ["CHECK_MARKER"] in n for n in notes) else "MISSING")
audit = chain_verify(expect=[os.environ["CHECK_HEAD"]])
print("audit", "intact" if audit.intact else "BROKEN", audit.events)
print("published reports", Jaarverslag.objects.filter(status="gepubliceerd").count())
' 2>"$RUN_DIR/restore-shell.err" | tr -d '\r') || { tail -n 20 "$RUN_DIR/restore-shell.err" >&2; fail "manage.py shell against the restored database failed"; }
echo "$restored" | grep -q '^database vpcase_restored$' || fail "the shell did not use the restored database: $restored"
echo "$restored" | grep -q '^note readable$' || fail "the note could not be read from the restored database: $restored"
echo "$restored" | grep -q '^audit intact ' || fail "the restored audit trail does not verify (or lost the kept head): $restored"
log "the restored audit trail verifies, kept head included ($(echo "$restored" | grep '^audit') events)"
log "a fresh web container on vpcase_restored decrypts the note of case $CASE with the stack's keys ($(echo "$restored" | tail -1))"

# --- 9. Several hosts ----------------------------------------------------------------------

phase "two webs and two workers sharing no volume: build via web #1, download via web #2"
run_quiet "compose up web2 worker2" compose_scale up -d --no-deps web2 worker2
wait_healthy 240 web web2 worker worker2
for service in web web2 worker worker2; do
    mounts=$("$ENGINE" inspect --format '{{range .Mounts}}{{.Name}}{{.Source}} {{end}}' "$(containers_of $service)")
    [ -z "${mounts// /}" ] || fail "$service has a volume ($mounts); the webs and workers must share none"
done
log "web ($WEB), web2 ($WEB2), worker, worker2 healthy; none has a volume"
drive scale --web "$WEB" --web2 "$WEB2" || fail "the two-host report flow failed (see the DRIVER FAILED line above)"
for service in worker worker2; do
    n=$("$ENGINE" logs "$(containers_of $service)" 2>&1 | grep -cE 'build_jaarverslag\[[^]]+\] succeeded' || true)
    log "$service ($(containers_of $service)) built $n report(s) since it started"
done

phase_end
