#!/usr/bin/env bash
# Web tests: the unit and i18n tests, the browser tests against the real Go
# server serving a freshly imported demo workspace on a free loopback port,
# and the basemap coordinate-system tests twice: standalone (the fake
# server's Wuhan data, where GCJ-02/BD-09 shifts are hundreds of metres) and
# against the real server started with a GCJ-02 basemap.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap 'stop_server; rm -rf "$tmp"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_server PORT DB [serve flags...]: serves DB on 127.0.0.1:PORT.
start_server() {
  local port=$1 db=$2; shift 2
  bin/tidewatch serve --db "$db" --addr "127.0.0.1:$port" "$@" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/serve.log"; exit 1; }
    sleep 0.1
  done
  echo "server did not start"; cat "$tmp/serve.log"; exit 1
}
go mod download github.com/paulmach/osm
bin/tidewatch demo --db "$tmp/demo.db" --cameras 300 --incidents 2000 >/dev/null
cp "$tmp/demo.db" "$tmp/gcj.db"

port=$(free_port)
start_server "$port" "$tmp/demo.db"
(cd webmap && TIDEWATCH_URL="http://127.0.0.1:$port" npm test)
stop_server

(cd webmap && node --test test/basemap-crs.test.mjs)

port=$(free_port)
start_server "$port" "$tmp/gcj.db" --basemap-crs gcj02 --basemap-url "http://127.0.0.1:$port/nothing/{z}/{x}/{y}.png"
(cd webmap && TIDEWATCH_URL="http://127.0.0.1:$port" node --test test/basemap-crs.test.mjs)
