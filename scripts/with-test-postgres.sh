#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: installs PostgreSQL from Debian when it
# is missing, starts a fresh cluster on a free loopback port as an unprivileged user, exports
# IMPROVE_TEST_POSTGRES_URL for the command, and stops and deletes the cluster when the command
# ends, whether it passed or failed (the command's exit status is kept).
#
#   bash scripts/with-test-postgres.sh swift test
set -euo pipefail

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

if ! bin=$(find_bin); then
    bash "$(dirname "$0")/install-system-packages.sh" postgresql
    bin=$(find_bin)
fi

# PostgreSQL refuses to run as root: as root, run it as the postgres user the package created.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_owner=(runuser -u postgres --)
fi

cluster=$(mktemp -d /tmp/improve-test-pg.XXXXXX)
chmod 700 "$cluster"
[ ${#as_owner[@]} -eq 0 ] || chown postgres "$cluster"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_cluster() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap stop_cluster EXIT

"${as_owner[@]}" "$bin/initdb" -D "$cluster/data" -U improve --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 \
    || { cat "$cluster/initdb.log"; exit 1; }
# Only loopback, a private socket folder, and durability traded for speed: the cluster is thrown away.
"${as_owner[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { cat "$cluster/server.log"; exit 1; }
echo "test postgres: cluster on 127.0.0.1:$port ($("$bin/postgres" --version))"

export IMPROVE_TEST_POSTGRES_URL="postgres://improve@127.0.0.1:$port/postgres?sslmode=disable"
status=0
"$@" || status=$?
exit $status
