"""The bash scripts a host runs: install a config and restart its collector, checking health and
going back to the previous config when the new one fails; report status; stop.

Health and telemetry are read with bash's /dev/tcp on the host's loopback, so the collector's
ports are never exposed and a remote host needs no curl.
"""

from __future__ import annotations

from phoenix.fleet.results import FleetHost
from phoenix.fleet.transport import q

__all__ = ["DEPLOYED_HEALTHY", "ROLLED_BACK", "deploy_script", "status_script", "stop_script"]

DEPLOYED_HEALTHY = 0
ROLLED_BACK = 3
"""The new config failed its health checks and the previous one runs again, healthy."""
ROLLBACK_FAILED = 4
NOTHING_TO_ROLL_BACK_TO = 5
HEALTH_SECONDS = 30

_FUNCTIONS = r"""
set -u
get() {  # get PORT PATH: the body of an HTTP/1.0 GET on the host's loopback
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  cat <&3
  exec 3<&-
}
alive() { [ -f "$dir/collector.pid" ] && kill -0 "$(cat "$dir/collector.pid")" 2>/dev/null; }
stop() {
  if alive; then
    pid="$(cat "$dir/collector.pid")"
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/collector.pid"
}
start() {
  setsid "$bin" --config "$dir/config.yaml" >>"$dir/collector.log" 2>&1 </dev/null &
  echo $! >"$dir/collector.pid"
}
healthy() {
  for _ in $(seq $((HEALTH_SECONDS * 5))); do
    alive || return 1
    get "$health" / 2>/dev/null | grep -q 'Server available' && return 0
    sleep 0.2
  done
  return 1
}
"""


def _head(host: FleetHost) -> str:
    return (
        f"dir={q(host.workdir)}\nbin={q(host.collector)}\nhealth={q(host.health_port)}\n"
        f"HEALTH_SECONDS={HEALTH_SECONDS}\n" + _FUNCTIONS
    )


def deploy_script(host: FleetHost, config: str, deployed_json: str) -> str:
    """Install the config, restart, check health; on failure restore the previous config and
    exit ROLLED_BACK (or ROLLBACK_FAILED), the new collector's last log lines on stderr."""
    marker = "PHOENIX_CONFIG_END"
    assert marker not in config
    return (
        _head(host)
        + f"""
mkdir -p "$dir" && chmod 700 "$dir"
cat >"$dir/config.new.yaml" <<'{marker}'
{config}
{marker}
printf '%s' {q(deployed_json)} >"$dir/deployed.new.json"
if [ -f "$dir/config.yaml" ]; then
  cp "$dir/config.yaml" "$dir/config.previous.yaml"
  cp "$dir/deployed.json" "$dir/deployed.previous.json" 2>/dev/null || true
fi
mv "$dir/config.new.yaml" "$dir/config.yaml"
mv "$dir/deployed.new.json" "$dir/deployed.json"
: >"$dir/collector.log"
stop
start
healthy && exit {DEPLOYED_HEALTHY}
stop
tail -n 5 "$dir/collector.log" >&2
[ -f "$dir/config.previous.yaml" ] || exit {NOTHING_TO_ROLL_BACK_TO}
mv "$dir/config.previous.yaml" "$dir/config.yaml"
mv "$dir/deployed.previous.json" "$dir/deployed.json" 2>/dev/null || true
start
healthy && exit {ROLLED_BACK}
exit {ROLLBACK_FAILED}
"""
    )


def status_script(host: FleetHost) -> str:
    return (
        _head(host)
        + f"""
echo "== deployed"; cat "$dir/deployed.json" 2>/dev/null; echo
echo "== running"; alive && echo yes || echo no
echo "== health"; get "$health" / 2>/dev/null | tail -n 1; echo
echo "== telemetry"
get {q(host.telemetry_port)} /metrics 2>/dev/null \
  | grep -E '^otelcol_((receiver|exporter)_|process_uptime)' || true
"""
    )


def stop_script(host: FleetHost) -> str:
    return _head(host) + "\nstop\n"


def probe_script(collector: str) -> str:
    """The host's CPU count, and whether the collector is there to run."""
    return f"nproc\n[ -x {q(collector)} ] && echo collector-ok || echo collector-missing\n"
