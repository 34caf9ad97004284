# shellcheck shell=bash
# Base images for the check: the official ones where they can be pulled, otherwise stand-ins
# built from a debootstrap Debian base with Debian's own packages. Everything built here is
# named localhost/vpcase-check-*, kept between runs, and rebuilt only when missing or when its
# recipe (the files in scripts/compose/standins/) changed.

STANDINS_DIR=scripts/compose/standins
BASE_IMAGE=localhost/vpcase-check-base:bookworm

# Host's pip settings and the package proxy's CA, mounted into builds (never copied into a layer).
build_mounts() {
    local args=()
    [ -f /etc/pip.conf ] && args+=(-v /etc/pip.conf:/etc/pip.conf:ro)
    [ -f /etc/ssl/certs/ca-certificates.crt ] &&
        args+=(-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
    echo "${args[@]}"
}

image_exists() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

image_label() { "$ENGINE" image inspect --format "{{ index .Labels \"$2\" }}" "$1" 2>/dev/null; }

recipe_hash() { cat "$@" | sha256sum | cut -c1-16; }

ensure_base() {
    if image_exists "$BASE_IMAGE"; then
        log "base $BASE_IMAGE: cached"
        return
    fi
    local mirror rootfs
    mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    rootfs=$(mktemp -d /tmp/vpcase-check-rootfs.XXXXXX)
    log "base $BASE_IMAGE: debootstrap --variant=minbase bookworm from $mirror (about a minute)"
    run_quiet "debootstrap" debootstrap --variant=minbase bookworm "$rootfs" "$mirror"
    # The same suites as the host (updates and security), so stand-ins get current packages.
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        rm -f "$rootfs/etc/apt/sources.list"
        cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    fi
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | "$ENGINE" import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' - "$BASE_IMAGE" >"$RUN_DIR/import-base.log" 2>&1 ||
        fail "importing the debootstrap root file system as $BASE_IMAGE failed"
    rm -rf "$rootfs"
    log "base $BASE_IMAGE: built"
}

# ensure_service_image OFFICIAL STANDIN RECIPE_NAME: sets IMAGE to the image to use.
# shellcheck disable=SC2034 # IMAGE is read by the caller
ensure_service_image() {
    local official=$1 standin=$2 name=$3
    local files=("$STANDINS_DIR/$name.Containerfile")
    [ -f "$STANDINS_DIR/$name-entrypoint.sh" ] && files+=("$STANDINS_DIR/$name-entrypoint.sh")
    if image_exists "$official"; then
        log "$official: official image present"
        IMAGE=$official
        return
    fi
    if timeout 60 "$ENGINE" pull -q "$official" >"$RUN_DIR/pull-$name.log" 2>&1; then
        log "$official: pulled"
        IMAGE=$official
        return
    fi
    local why
    why=$(grep -i 'error' "$RUN_DIR/pull-$name.log" | tail -1 | sed -E 's/.*: //' | cut -c1-80)
    local want
    want=$(recipe_hash "${files[@]}")
    if image_exists "$standin" && [ "$(image_label "$standin" vpcase.check.recipe)" = "$want" ]; then
        log "STAND-IN: $official cannot be pulled (${why:-no registry}); using cached stand-in $standin"
        IMAGE=$standin
        return
    fi
    ensure_base
    log "STAND-IN: $official cannot be pulled (${why:-no registry}); building $standin from $BASE_IMAGE with Debian packages"
    # No CA / pip.conf mounts here: apt installs ca-certificates, which rewrites that file.
    local pull=()
    [ "$ENGINE" = podman ] && pull=(--pull=never) # the base exists only locally
    run_quiet "build $name stand-in" "$ENGINE" build --network=host "${pull[@]}" --label "vpcase.check.recipe=$want" \
        -f "$STANDINS_DIR/$name.Containerfile" -t "$standin" "$STANDINS_DIR"
    log "STAND-IN: $standin built"
    IMAGE=$standin
}
