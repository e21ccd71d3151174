#!/usr/bin/env bash
# Builds phoenix-otelcol into a cache folder outside the repository and prints the binary's path.
# The folder is named by a hash of the Go sources and module files, so an unchanged manifest
# reuses the last build; a lock keeps two builds (parallel test workers, two shells) apart.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v go >/dev/null 2>&1 || {
  echo "phoenix-otelcol needs Go 1.26 or newer to build (apt-get install golang-go, or go.dev)" >&2
  exit 1
}
hash="$(cd "$here" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/phoenix/otelcol"
out="$cache/$hash/phoenix-otelcol"
mkdir -p "$cache"
exec 9>"$cache/.build.lock"
flock 9
if [ ! -x "$out" ]; then
  echo "building phoenix-otelcol ($hash); the first build takes several minutes" >&2
  tmp="$(mktemp -d "$cache/.build.XXXXXX")"
  (cd "$here" && go build -trimpath -buildvcs=false -ldflags="-s -w" -o "$tmp/phoenix-otelcol" .)
  mkdir -p "$(dirname "$out")"
  mv "$tmp/phoenix-otelcol" "$out"
  rmdir "$tmp"
fi
echo "$out"
