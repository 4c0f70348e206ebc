#!/usr/bin/env bash
# HTTP load on loopback with wrk: a volunteer's cached route fetch
# (GET /r/{token}) and a signed-in planner's layer fetches, against the
# SQLite and the PostGIS store, and nginx serving the same route page bytes
# from disk as the named peer (the ceiling for a small page on this
# machine). Prints a Markdown section on stdout; docs/bench.sh puts it into
# docs/benchmarks.md.
#
#   docs/load.sh               # needs bin/tidewatch (make build), wrk, nginx, PostgreSQL 15 + PostGIS
#   DURATION=10s CONNS=64 docs/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
tmp=$(mktemp -d)
pids=()
pgbin=/usr/lib/postgresql/15/bin
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  [ -d "$tmp/pg" ] && "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
say() { echo "load: $*" >&2; }
for c in wrk nginx curl; do command -v "$c" >/dev/null || { echo "load: $c is missing (apt-get install wrk nginx-light curl)" >&2; exit 1; }; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A throw-away PostgreSQL cluster with PostGIS, as the tests start it.
pg_port=$(free_port)
if [ "$(id -u)" = 0 ]; then
  # initdb refuses root: run the cluster as nobody in a directory it owns.
  mkdir -p "$tmp/pg" && chown nobody "$tmp/pg" "$tmp"
  asuser() { runuser -u nobody -- "$@"; }
else
  asuser() { "$@"; }
fi
asuser "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 >/dev/null
asuser "$pgbin/pg_ctl" -D "$tmp/pg" -o "-p $pg_port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off" -l "$tmp/pg.log" -w start >/dev/null
pgurl="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"

go mod download github.com/paulmach/osm
say "demo workspace into SQLite and PostGIS"
bin/tidewatch demo --db "$tmp/demo.db" >/dev/null
bin/tidewatch demo --db "$pgurl" >/dev/null

# start DB: serves DB on a free port, prints the port.
start() {
  local port; port=$(free_port)
  bin/tidewatch serve --db "$1" --addr "127.0.0.1:$port" >"$tmp/serve-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { echo "$port"; return; }; sleep 0.1; done
  cat "$tmp/serve-$port.log" >&2; exit 1
}

# wrkrow LABEL URL [HEADER]: one table row from wrk --latency.
wrkrow() {
  local label=$1 url=$2 hdr=${3:-}
  local args=(-t"$THREADS" -c"$CONNS" -d"$DURATION" --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  wrk "${args[@]}" -d2s "$url" >/dev/null # warm-up
  wrk "${args[@]}" "$url" >"$tmp/wrk" 2>&1
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/{print $2}' "$tmp/wrk")
  p50=$(awk '$1=="50%"{print $2}' "$tmp/wrk")
  p99=$(awk '$1=="99%"{print $2}' "$tmp/wrk")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$tmp/wrk")
  printf '| %s | %.0f | %s | %s | %s |\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$label: $(tr '\n' ' ' <"$tmp/wrk" | tr -s ' ')" >>"$tmp/raw"
}

rows=()
for store in sqlite postgis; do
  db="$tmp/demo.db"; [ $store = postgis ] && db="$pgurl"
  say "$store: user, token, plan, share link"
  TIDEWATCH_PASSWORD=load-test-password-1 bin/tidewatch user add --db "$db" --name "load-$store" --role commander </dev/null >/dev/null
  token=$(bin/tidewatch user token --db "$db" --name "load-$store" --days 1)
  port=$(start "$db")
  base="http://127.0.0.1:$port"
  auth="Authorization: Bearer $token"
  kiosk=$(curl -fsS -H "$auth" "$base/api/v1/layers/kiosks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["features"][0]["properties"]["id"])')
  curl -sS -H "$auth" -H 'Content-Type: application/json' \
    -d '{"window":"22:00-02:00","seed":1,"units":[{"kind":"car","kiosk":'"$kiosk"',"count":2},{"kind":"volunteer","kiosk":'"$kiosk"',"count":2}]}' \
    "$base/api/v1/plans" >"$tmp/plan.json"
  grep -q '"links"' "$tmp/plan.json" || { echo "load: plan failed: $(head -c 300 "$tmp/plan.json")" >&2; exit 1; }
  route=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["links"][0]["url"])' "$tmp/plan.json")
  bbox=$(curl -fsS -H "$auth" "$base/api/v1/meta" | python3 -c 'import json,sys; b=json.load(sys.stdin)["bound"]; cx=(b[0]+b[2])/2; cy=(b[1]+b[3])/2; print(f"{cx-0.01:.5f},{cy-0.008:.5f},{cx+0.01:.5f},{cy+0.008:.5f}")')
  [ $store = sqlite ] && curl -fsS "$base$route" >"$tmp/route.html"
  say "$store: wrk"
  rows+=("$(wrkrow "$store: route page GET /r/{token}" "$base$route")")
  rows+=("$(wrkrow "$store: cameras in a 1.7 km box" "$base/api/v1/layers/cameras?bbox=$bbox&zoom=16" "$auth")")
  rows+=("$(wrkrow "$store: kiosks, whole workspace" "$base/api/v1/layers/kiosks" "$auth")")
  rows+=("$(wrkrow "$store: meta" "$base/api/v1/meta" "$auth")")
done

say "peer: nginx serving the same route page from disk"
nport=$(free_port)
mkdir -p "$tmp/www" && cp "$tmp/route.html" "$tmp/www/route.html"
cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx-body; proxy_temp_path $tmp/nginx-proxy;
  fastcgi_temp_path $tmp/nginx-fcgi; uwsgi_temp_path $tmp/nginx-uwsgi; scgi_temp_path $tmp/nginx-scgi;
  server { listen 127.0.0.1:$nport; root $tmp/www; location / { default_type text/html; } }
}
EOF
nginx -c "$tmp/nginx.conf" -p "$tmp" 2>/dev/null
rows+=("$(wrkrow "peer: nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), same page bytes" "http://127.0.0.1:$nport/route.html")")

echo "## HTTP load (wrk on loopback)"
echo
echo "\`docs/load.sh\`: the demo workspace served by \`tidewatch serve\` on each store; $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'),"
echo "$THREADS threads, $CONNS connections, $DURATION after a 2 s warm-up, client and server on the same $(nproc) cores."
echo "The route page is what a volunteer leader's phone fetches (public, 128-bit token); layer fetches carry a"
echo "commander's bearer token, so every request also looks up the session in the store. The peer is nginx"
echo "serving the route page's bytes as a static file."
echo
echo "| endpoint | req/s | p50 | p99 | non-2xx |"
echo "|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo '```'
cat "$tmp/raw"
echo '```'
