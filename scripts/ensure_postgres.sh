#!/usr/bin/env bash
# Make sure a PostgreSQL server listens on 127.0.0.1:5432 and holds the role and
# databases the tests use: role mlhub (password mlhub) owning mlhub_test and mlhub_hub.
# Idempotent: safe to run on every `make test`.
set -euo pipefail

HOST=127.0.0.1
PORT=5432

listening() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null
    else
        (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
    fi
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$@" >/dev/null
}

wait_listening() {
    for _ in $(seq 1 30); do
        listening && return 0
        sleep 1
    done
    return 1
}

start_cluster() {
    # Start every cluster Debian's postgresql-common knows about (usually one: <version> main).
    command -v pg_lsclusters >/dev/null || return 1
    local started=1
    while read -r version name port _; do
        [ "$port" = "$PORT" ] || continue
        pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start 2>/dev/null || true
        started=0
    done < <(pg_lsclusters --no-header 2>/dev/null)
    return $started
}

if ! listening; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "ensure_postgres: nothing listens on $HOST:$PORT and this is not root; start PostgreSQL yourself" >&2
        exit 1
    fi
    if ! command -v pg_ctlcluster >/dev/null || ! start_cluster; then
        echo "ensure_postgres: installing Debian's postgresql"
        apt_install postgresql
        start_cluster || { pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -1)" main --start; }
    fi
    wait_listening || { echo "ensure_postgres: PostgreSQL did not come up on $HOST:$PORT" >&2; exit 1; }
fi

if ! command -v psql >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "ensure_postgres: psql is missing; install postgresql-client" >&2; exit 1; }
    apt_install postgresql-client
fi

psql_admin() {
    if [ "$(id -un)" = postgres ]; then
        psql -v ON_ERROR_STOP=1 -qAt "$@"
    else
        su postgres -c "psql -v ON_ERROR_STOP=1 -qAt $(printf '%q ' "$@")"
    fi
}

psql_admin -c "DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mlhub') THEN
    CREATE ROLE mlhub LOGIN CREATEDB PASSWORD 'mlhub';
  ELSE
    ALTER ROLE mlhub LOGIN CREATEDB PASSWORD 'mlhub';
  END IF;
END \$\$;"

for db in mlhub_test mlhub_hub; do
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
        psql_admin -c "CREATE DATABASE $db OWNER mlhub"
    fi
done

PGPASSWORD=mlhub psql -h "$HOST" -p "$PORT" -U mlhub -d mlhub_test -qAt -c "SELECT 1" >/dev/null
echo "ensure_postgres: postgresql+psycopg://mlhub:mlhub@$HOST:$PORT/mlhub_test ready"
