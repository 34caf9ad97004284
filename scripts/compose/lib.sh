# shellcheck shell=bash
# Helpers for scripts/compose-check.sh: a phase log with timings, and a clear failure line.

CHECK_T0=${CHECK_T0:-$(date +%s)}
_phase_name=""
_phase_t0=0
PHASES_DONE=()

_now() { date +%s; }
_clock() { date +%H:%M:%S; }

log() { printf '%s   %s\n' "$(_clock)" "$*"; }
note() { printf '%s   NOTE: %s\n' "$(_clock)" "$*"; }

# phase "name": ends the previous phase (printing its duration) and starts the next.
phase() {
    phase_end
    _phase_name=$1
    _phase_t0=$(_now)
    printf '\n%s == %s\n' "$(_clock)" "$_phase_name"
}

phase_end() {
    if [ -n "$_phase_name" ]; then
        local took=$(($(_now) - _phase_t0))
        printf '%s    ok: %s (%ss)\n' "$(_clock)" "$_phase_name" "$took"
        PHASES_DONE+=("$(printf '%5ss  %s' "$took" "$_phase_name")")
        _phase_name=""
    fi
}

# fail "message": one clear line, then the EXIT trap tears everything down.
fail() {
    local where=${_phase_name:-setup}
    _phase_name=""
    printf '\n%s COMPOSE-CHECK FAILED in phase "%s": %s\n' "$(_clock)" "$where" "$*" >&2
    # shellcheck disable=SC2034 # read by the caller's EXIT trap
    FAILED_LINE="compose-check FAILED in phase \"$where\": $*"
    exit 1
}

# run_quiet "what" cmd...: runs cmd with its output in a log file; on failure shows the tail.
run_quiet() {
    local what=$1
    shift
    local logfile
    logfile="$RUN_DIR/$(printf '%s' "$what" | tr -c 'a-zA-Z0-9' '-' | tr -s '-').log"
    if ! "$@" >"$logfile" 2>&1; then
        echo "---- last lines of $logfile ----" >&2
        tail -n 40 "$logfile" >&2
        echo "----" >&2
        fail "$what failed (full output: $logfile)"
    fi
}

elapsed_total() { echo $(($(_now) - CHECK_T0)); }
