#!/usr/bin/env bash
# Web tests: the i18n/unit tests, then the browser test against the real Go
# server serving a freshly imported demo workspace on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
go mod download github.com/paulmach/osm
bin/tidewatch demo --db "$tmp/demo.db" --cameras 300 --incidents 2000 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
bin/tidewatch serve --db "$tmp/demo.db" --addr "127.0.0.1:$port" >"$tmp/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
  sleep 0.1
done
cd webmap
TIDEWATCH_URL="http://127.0.0.1:$port" npm test
