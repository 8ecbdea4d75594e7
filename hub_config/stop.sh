#!/usr/bin/env bash
# Stop the trial hub started by hub_config/start.sh: the hub (which stops its proxy,
# services and users' servers), then the fake GitHub and fake OpenID Connect provider,
# by their pid files. Anything of this deployment still alive afterwards (left over by a
# crashed hub) is found by the MLHUB_HUB_INSTANCE=<run dir> marker in its environment
# and stopped too.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="${MLHUB_HUB_RUN_DIR:-$HERE/run}"

running() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ "$st" != Z* ]]; }

# SIGTERM, wait up to $2 seconds, then SIGKILL.
stop_pid() {
    local pid="$1" wait_s="${2:-10}"
    running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((wait_s * 10))); do running "$pid" || return 0; sleep 0.1; done
    echo "stop.sh: pid $pid ignored SIGTERM for ${wait_s}s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null
}

stop_pidfile() {
    local file="$1" wait_s="$2"
    [[ -f "$file" ]] || return 0
    local pid; pid="$(cat "$file")"
    [[ "$pid" =~ ^[0-9]+$ ]] && stop_pid "$pid" "$wait_s"
    rm -f "$file"
}

stop_pidfile "$RUN/jupyterhub.pid" 40
stop_pidfile "$RUN/jupyterhub-proxy.pid" 5
stop_pidfile "$RUN/fake_github.pid" 5
stop_pidfile "$RUN/fake_oidc.pid" 5

# Leftovers of this deployment only: processes whose environment carries our marker.
marker="MLHUB_HUB_INSTANCE=$RUN"
leftovers=()
for env_file in $(grep -lzxF "$marker" /proc/[0-9]*/environ 2>/dev/null); do
    pid="${env_file#/proc/}"; pid="${pid%/environ}"
    [[ "$pid" == "$$" || "$pid" == "$PPID" ]] || ! running "$pid" || leftovers+=("$pid")
done
if ((${#leftovers[@]})); then
    echo "stop.sh: stopping leftover processes of this hub: ${leftovers[*]}" >&2
    for pid in "${leftovers[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${leftovers[@]}"; do stop_pid "$pid" 5; done
fi
echo "stop.sh: ML Hub stopped"
