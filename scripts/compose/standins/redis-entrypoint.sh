#!/bin/sh
# Run redis-server as the redis user with /data as its working directory (where the AOF and
# RDB files go), protected mode off as in the official image.
set -eu
if [ $# -eq 0 ] || [ "${1#-}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
    chown -R redis:redis /data
    case " $* " in
        *" --protected-mode "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
    exec setpriv --reuid=redis --regid=redis --init-groups -- "$@"
fi
exec "$@"
