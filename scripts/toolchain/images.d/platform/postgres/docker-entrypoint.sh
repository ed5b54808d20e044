#!/bin/bash
# The part of the official postgres image's entrypoint (docker-library/postgres,
# docker-entrypoint.sh) that this lab relies on, for Debian's PostgreSQL 15:
#   - POSTGRES_USER (default postgres), POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE, POSTGRES_DB
#     (default POSTGRES_USER), PGDATA (default /var/lib/postgresql/data);
#   - on an empty PGDATA: initdb as POSTGRES_USER with that password, UTF-8; every host may
#     connect with scram-sha-256; listen on all addresses; create POSTGRES_DB;
#   - on a PGDATA that holds a cluster: start it as it is;
#   - `docker-entrypoint.sh postgres ARGS...` runs the server with ARGS; any other command runs
#     as given (the MLflow pod's init container runs `sh -c` with psql).
# Not here, because the program uses none of it: starting as root and dropping to postgres
# (the pod runs as uid 70), /docker-entrypoint-initdb.d, POSTGRES_INITDB_ARGS,
# POSTGRES_INITDB_WALDIR and POSTGRES_HOST_AUTH_METHOD.
set -Eeuo pipefail

fail() {
    echo "postgres entrypoint: $*" >&2
    exit 1
}

# file_env VAR: VAR from itself or from the file VAR_FILE names, never both.
file_env() {
    local var=$1 file_var="${1}_FILE"
    if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
        fail "both $var and $file_var are set; set one of them"
    fi
    if [ -n "${!file_var:-}" ]; then
        [ -r "${!file_var}" ] || fail "$file_var names ${!file_var}, which cannot be read"
        export "$var"="$(< "${!file_var}")"
    fi
    unset "$file_var"
}

if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
fi
if [ "${1:-}" != postgres ]; then
    exec "$@"
fi

[ "$(id -u)" != 0 ] || fail "runs as the postgres user (uid 70), not as root"
export PGDATA=${PGDATA:-/var/lib/postgresql/data}
export LANG=${LANG:-C.UTF-8}
file_env POSTGRES_PASSWORD
export POSTGRES_USER=${POSTGRES_USER:-postgres}
export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

mkdir -p "$PGDATA" && chmod 00700 "$PGDATA"
# The socket directory is the pod's volume, which another user may own: best effort, as upstream.
mkdir -p /var/run/postgresql || :
chmod 03775 /var/run/postgresql 2> /dev/null || :

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    [ -n "${POSTGRES_PASSWORD:-}" ] ||
        fail "the database is not initialised and no superuser password is set: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE"
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 > /dev/null
    printf '\nlisten_addresses = '"'*'"'\n' >> "$PGDATA/postgresql.conf"
    printf '\nhost all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
    # The database is created by a server that listens on its socket only.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start > /dev/null
    if [ "$POSTGRES_DB" != postgres ]; then
        PGUSER=$POSTGRES_USER psql -v ON_ERROR_STOP=1 -q --dbname postgres \
            --set db="$POSTGRES_DB" <<< 'CREATE DATABASE :"db";'
    fi
    pg_ctl -D "$PGDATA" -m fast -w stop > /dev/null
    echo "postgres entrypoint: initialised $PGDATA with database $POSTGRES_DB for $POSTGRES_USER"
fi
unset POSTGRES_PASSWORD
exec "$@"
