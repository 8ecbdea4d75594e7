#!/usr/bin/env bash
# Start a trial ML Hub team hub on this machine (127.0.0.1): PostgreSQL (if none runs),
# configurable-http-proxy (npm, local), the fake GitHub (when MLHUB_GITHUB_URL points at
# it), then JupyterHub with hub_config/jupyterhub_config.py, which starts the mlhub and
# dask-gateway services. Waits until the hub answers. Stop it with hub_config/stop.sh.
# Every setting is an environment variable; see hub_config/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
export MLHUB_VENV="${MLHUB_VENV:-$REPO/.venv}"
export MLHUB_HUB_RUN_DIR="${MLHUB_HUB_RUN_DIR:-$HERE/run}"
export MLHUB_HUB_DATA_DIR="${MLHUB_HUB_DATA_DIR:-$HERE/data}"
IP="${MLHUB_HUB_IP:-127.0.0.1}"
PORT="${MLHUB_HUB_PORT:-8000}"
PG_PORT="${MLHUB_PG_PORT:-5432}"
HUB_DB="${MLHUB_HUB_DB_NAME:-mlhub_hub}"
REGISTRY_DB="${MLHUB_REGISTRY_DB_NAME:-mlhub_registry}"
export MLHUB_HUB_DB_URL="${MLHUB_HUB_DB_URL:-postgresql+psycopg://mlhub:mlhub@127.0.0.1:$PG_PORT/$HUB_DB}"
export MLHUB_REGISTRY_DB_URL="${MLHUB_REGISTRY_DB_URL:-postgresql+psycopg://mlhub:mlhub@127.0.0.1:$PG_PORT/$REGISTRY_DB}"
GITHUB_URL="${MLHUB_GITHUB_URL:-http://127.0.0.1:9000}"
RUN="$MLHUB_HUB_RUN_DIR"
PY="$MLHUB_VENV/bin/python"
CHP="$HERE/.chp/node_modules/.bin/configurable-http-proxy"
# Background jobs of a non-interactive shell ignore SIGINT; with job control on they do
# not, so the hub and its services stop promptly on a signal.
set -m

say() { echo "start.sh: $*"; }
die() { echo "start.sh: $*" >&2; exit 1; }
running() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ "$st" != Z* ]]; }
alive() { [[ -f "$1" ]] && running "$(cat "$1")"; }
listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
answers() {  # the URL answers with a 2xx
    if command -v curl >/dev/null; then curl -sf -o /dev/null --max-time 2 "$1"
    else "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$1" 2>/dev/null; fi
}

mkdir -p "$RUN" "$MLHUB_HUB_DATA_DIR"
chmod 700 "$RUN" "$MLHUB_HUB_DATA_DIR"
[[ -x "$MLHUB_VENV/bin/jupyterhub" ]] || die "no jupyterhub in $MLHUB_VENV (set MLHUB_VENV to the environment with ML Hub installed)"

if alive "$RUN/jupyterhub.pid"; then
    say "the hub is already running (pid $(cat "$RUN/jupyterhub.pid")) at http://$IP:$PORT/"
    exit 0
fi

# --- PostgreSQL -------------------------------------------------------------------------
if [[ "${MLHUB_SKIP_PG_SETUP:-0}" != 1 ]]; then
    if ! listening 127.0.0.1 "$PG_PORT"; then
        version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
        [[ -n "$version" ]] || die "PostgreSQL is not installed (apt-get install -y postgresql) and nothing listens on 127.0.0.1:$PG_PORT"
        say "starting PostgreSQL $version/main"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start || die "PostgreSQL $version/main could not be started"
        for _ in $(seq 30); do listening 127.0.0.1 "$PG_PORT" && break; sleep 0.5; done
        listening 127.0.0.1 "$PG_PORT" || die "PostgreSQL did not come up on 127.0.0.1:$PG_PORT"
    fi
    psql_admin() { if [[ $EUID -eq 0 ]]; then su postgres -c "psql -p $PG_PORT -qAt -v ON_ERROR_STOP=1"; else psql -p "$PG_PORT" -qAt -v ON_ERROR_STOP=1 postgres; fi; }
    psql_admin <<SQL >/dev/null
SELECT 'CREATE ROLE mlhub LOGIN PASSWORD ''mlhub''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname='mlhub') \gexec
SELECT 'CREATE DATABASE $HUB_DB OWNER mlhub' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='$HUB_DB') \gexec
SELECT 'CREATE DATABASE $REGISTRY_DB OWNER mlhub' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname='$REGISTRY_DB') \gexec
SQL
fi

# --- configurable-http-proxy ------------------------------------------------------------
if [[ ! -x "$CHP" ]]; then
    command -v npm >/dev/null || die "npm is needed once to install configurable-http-proxy into hub_config/.chp"
    say "installing configurable-http-proxy into $HERE/.chp (npm)"
    mkdir -p "$HERE/.chp" "$RUN"
    # Its own package.json: without one npm walks up and installs into the repo's package.json.
    [[ -f "$HERE/.chp/package.json" ]] || echo '{"name": "mlhub-hub-proxy", "private": true}' >"$HERE/.chp/package.json"
    (cd "$HERE/.chp" && npm install --no-audit --no-fund --no-package-lock configurable-http-proxy@5 >"$RUN/npm-chp.log" 2>&1) \
        || die "npm install configurable-http-proxy failed, see $RUN/npm-chp.log"
    [[ -x "$CHP" ]] || die "npm did not install $CHP, see $RUN/npm-chp.log"
fi

# --- fake GitHub (trial sign-in) --------------------------------------------------------
if [[ "${MLHUB_AUTH:-github}" == github && "$GITHUB_URL" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
    gh_port="${BASH_REMATCH[2]}"
    if ! alive "$RUN/fake_github.pid"; then
        listening 127.0.0.1 "$gh_port" && die "port $gh_port (fake GitHub) is taken by another process"
        MLHUB_HUB_INSTANCE="$RUN" nohup "$PY" "$HERE/fake_github.py" --port "$gh_port" \
            --org "mlhub-trial=alice,bob,carol,dave,erin" --team "mlhub-trial/ml-leads=alice" \
            >"$RUN/fake_github.log" 2>&1 &
        echo $! >"$RUN/fake_github.pid"
        for _ in $(seq 40); do listening 127.0.0.1 "$gh_port" && break; sleep 0.25; done
        listening 127.0.0.1 "$gh_port" || die "fake GitHub did not start: $(tail -5 "$RUN/fake_github.log")"
    fi
fi

# --- fake OpenID Connect provider (trial/test sign-in with MLHUB_AUTH=oidc) -------------
OIDC_ISSUER="${MLHUB_OIDC_ISSUER:-}"
if [[ "${MLHUB_AUTH:-github}" == oidc && "$OIDC_ISSUER" =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
    oidc_port="${BASH_REMATCH[2]}"
    if ! alive "$RUN/fake_oidc.pid"; then
        listening 127.0.0.1 "$oidc_port" && die "port $oidc_port (fake OpenID Connect provider) is taken by another process"
        MLHUB_HUB_INSTANCE="$RUN" nohup "$PY" "$HERE/fake_oidc.py" --port "$oidc_port" \
            --group "mlhub-trial=alice,bob,carol,dave,erin" --group "ml-leads=alice" \
            >"$RUN/fake_oidc.log" 2>&1 &
        echo $! >"$RUN/fake_oidc.pid"
        for _ in $(seq 40); do listening 127.0.0.1 "$oidc_port" && break; sleep 0.25; done
        listening 127.0.0.1 "$oidc_port" || die "fake OpenID Connect provider did not start: $(tail -5 "$RUN/fake_oidc.log")"
    fi
fi

# --- JupyterHub -------------------------------------------------------------------------
for p in "$PORT" "${MLHUB_HUB_PROXY_API_PORT:-8001}" "${MLHUB_HUB_INTERNAL_PORT:-8081}" \
         "${MLHUB_SERVICE_PORT:-10202}" "${MLHUB_GATEWAY_PORT:-8002}" "${MLHUB_GATEWAY_API_PORT:-8003}" \
         "${MLHUB_GATEWAY_TCP_PORT:-8786}"; do
    listening 127.0.0.1 "$p" && die "port $p is already in use (a hub left over? run hub_config/stop.sh)"
done
say "starting JupyterHub (log: $RUN/jupyterhub.log)"
cd "$RUN"
MLHUB_HUB_INSTANCE="$RUN" nohup "$MLHUB_VENV/bin/jupyterhub" -f "$HERE/jupyterhub_config.py" \
    >"$RUN/jupyterhub.log" 2>&1 &
hub_pid=$!
cd - >/dev/null

deadline=$((SECONDS + ${MLHUB_HUB_START_TIMEOUT:-90}))
until answers "http://$IP:$PORT/hub/api/"; do
    if ! running "$hub_pid" || (( SECONDS > deadline )); then
        echo "start.sh: the hub did not come up; last lines of $RUN/jupyterhub.log:" >&2
        tail -20 "$RUN/jupyterhub.log" >&2
        "$HERE/stop.sh" >/dev/null 2>&1 || true
        exit 1
    fi
    sleep 0.3
done

# The hub answers before its services do: wait for each one that runs to answer too.
services="$(MLHUB_TOKEN_FILE="$RUN/admin-api-token" "$PY" - "http://$IP:$PORT/hub/api/services" <<'PY' 2>/dev/null || true
import os, sys, urllib.request
token = open(os.environ["MLHUB_TOKEN_FILE"]).read().strip()
request = urllib.request.Request(sys.argv[1], headers={"Authorization": f"token {token}"})
print(urllib.request.urlopen(request, timeout=10).read().decode())
PY
)"
ready_urls=()
[[ "$services" == *'"dask-gateway"'* ]] && ready_urls+=("http://$IP:$PORT/services/dask-gateway/api/health")
[[ "$services" == *'"mlhub"'* ]] && ready_urls+=("http://$IP:$PORT/services/mlhub/mlhub/api/v1/openapi.json")
for url in "${ready_urls[@]}"; do
    until answers "$url"; do
        if ! running "$hub_pid" || (( SECONDS > deadline )); then
            echo "start.sh: $url did not answer; last lines of $RUN/jupyterhub.log:" >&2
            tail -20 "$RUN/jupyterhub.log" >&2
            "$HERE/stop.sh" >/dev/null 2>&1 || true
            exit 1
        fi
        sleep 0.3
    done
done
[[ "$services" == *'"mlhub"'* ]] || echo "start.sh: note: the mlhub registry service is not running (see MLHUB_HUB_SERVICE in hub_config/README.md)"

cat <<EOF
ML Hub is running at http://$IP:$PORT/  (stop: hub_config/stop.sh)
EOF
if [[ "${MLHUB_AUTH:-github}" == native ]]; then
    echo "Sign in: sign up at http://$IP:$PORT/hub/signup; an admin (MLHUB_ADMIN_USERS) authorizes at /hub/authorize."
elif [[ "${MLHUB_AUTH:-github}" == oidc ]]; then
    echo "Sign in: 'Sign in with ${MLHUB_OIDC_LOGIN_SERVICE:-OpenID Connect}' goes to $OIDC_ISSUER${oidc_port:+ (the fake provider: type alice, bob, carol, dave or erin)}."
elif [[ -n "${gh_port:-}" ]]; then
    echo "Sign in: 'Sign in with GitHub' goes to the fake GitHub on :$gh_port; type one of the allowed names"
    echo "         (${MLHUB_ALLOWED_USERS:-alice,bob,carol,dave,erin}). For real GitHub see hub_config/README.md."
else
    echo "Sign in with GitHub ($GITHUB_URL)."
fi
echo "Admin API token (scripts, tests): $RUN/admin-api-token"
