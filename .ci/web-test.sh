#!/usr/bin/env bash
# Web tests: the unit and i18n tests, the browser tests against the real Go
# server serving a freshly imported demo workspace on a free loopback port,
# and the basemap coordinate-system tests twice: standalone (the fake
# server's Wuhan data, where GCJ-02/BD-09 shifts are hundreds of metres) and
# against the real server started with a GCJ-02 basemap; then the browser
# performance test against a third server with a 10,000-camera workspace.
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
  bin/tidewatch serve --db "$db" --addr "127.0.0.1:$port" --login-limit 1000 "$@" >"$tmp/serve.log" 2>&1 &
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
# The browser tests sign in as this admin (test/login.mjs); test/auth.test.mjs adds a viewer and a volunteer.
export TIDEWATCH_USER=webtest
TIDEWATCH_PASSWORD="webtest-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TIDEWATCH_PASSWORD
bin/tidewatch user add --db "$tmp/demo.db" --name "$TIDEWATCH_USER" --role admin >/dev/null
cp "$tmp/demo.db" "$tmp/gcj.db"
cp "$tmp/demo.db" "$tmp/import.db"

port=$(free_port)
start_server "$port" "$tmp/demo.db"
(cd webmap && TIDEWATCH_URL="http://127.0.0.1:$port" npm test)
stop_server

# The import journey replaces a layer, so it gets a server of its own.
port=$(free_port)
start_server "$port" "$tmp/import.db"
(cd webmap && TIDEWATCH_IMPORT_URL="http://127.0.0.1:$port" node --test test/import.test.mjs)
stop_server

(cd webmap && TIDEWATCH_URL= node --test test/basemap-crs.test.mjs)

port=$(free_port)
start_server "$port" "$tmp/gcj.db" --basemap-crs gcj02 --basemap-url "http://127.0.0.1:$port/nothing/{z}/{x}/{y}.png"
(cd webmap && TIDEWATCH_URL="http://127.0.0.1:$port" node --test test/basemap-crs.test.mjs)
stop_server

# Performance with 10,000 cameras and 20,000 incidents on the demo's roads
# (test/perf.test.mjs, which also ran against the 300-camera demo above): the
# numbers go to webmap/test-artifacts/perf.json; the test asserts no timing.
node webmap/scripts/perf-workspace.mjs --db "$tmp/perf.db" --cameras 10000 --incidents 20000 >/dev/null
bin/tidewatch user add --db "$tmp/perf.db" --name "$TIDEWATCH_USER" --role admin >/dev/null
port=$(free_port)
start_server "$port" "$tmp/perf.db"
(cd webmap && TIDEWATCH_URL="http://127.0.0.1:$port" node --test test/perf.test.mjs)
