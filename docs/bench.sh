#!/usr/bin/env bash
# make bench: runs the benchmarks and rewrites docs/benchmarks.md.
# Whole-process figures come from GNU time (/usr/bin/time -v), medians of RUNS runs
# taken alternately against the named peer; in-process figures from `go test -bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
out=docs/benchmarks.md
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go mod download github.com/paulmach/osm
delaware="$(go list -m -f '{{.Dir}}' github.com/paulmach/osm)/testdata/delaware-latest.osm.pbf"

# measure NAME CMD...: appends "wall_s max_rss_kb" per run to $tmp/NAME
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$tmp/one" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
  cat "$tmp/one" >> "$tmp/$name"
}
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2)? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v c="$2" '{print $c}' "$tmp/$1" | median; }

have_osmium=0; command -v osmium >/dev/null && have_osmium=1
for i in $(seq 0 "$RUNS"); do   # run 0 is a warm-up, not counted
  rm -f "$tmp/ws.db"*
  measure import bin/tidewatch import --db "$tmp/ws.db" --osm "$delaware" --json
  [ $have_osmium = 1 ] && measure osmium osmium cat -f opl -o /dev/null --overwrite "$delaware"
  if [ "$i" = 0 ]; then rm -f "$tmp/import" "$tmp/osmium"; fi
done
counts=$(bin/tidewatch import --db "$tmp/ws2.db" --osm "$delaware" --json 2>/dev/null)

go test -run '^$' -bench . -benchmem -count 1 ./data/osm/ ./data/sqlite/ 2>/dev/null | grep -E '^(Benchmark|goos|cpu)' > "$tmp/gobench" || true

{
  echo "# Benchmarks"
  echo
  echo "Rewritten by \`make bench\` on $(date -u +%Y-%m-%d) — $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | awk '{print $3}')."
  echo "Whole-process figures: median of $RUNS runs after one warm-up, taken alternately, wall time and peak RSS from GNU time."
  echo
  echo "## OSM import of the Delaware extract (7.8 MB PBF, whole state)"
  echo
  echo "\`tidewatch import --osm delaware-latest.osm.pbf\` reads the file, builds the car/e-bike/foot network,"
  echo "generates 500 m grids and writes the SQLite store. \`osmium cat -f opl -o /dev/null\` only decodes the file:"
  echo "it is the decode floor."
  echo
  echo "| command | wall s (median) | peak RSS MiB (median) |"
  echo "|---|---|---|"
  echo "| tidewatch import (decode + network + grids + store) | $(col import 1) | $(awk "BEGIN{printf \"%.0f\", $(col import 2)/1024}") |"
  if [ $have_osmium = 1 ]; then
    echo "| osmium cat (decode only, $(osmium --version | head -1)) | $(col osmium 1) | $(awk "BEGIN{printf \"%.0f\", $(col osmium 2)/1024}") |"
    echo
    echo "Ratio tidewatch/osmium (wall, medians): $(awk "BEGIN{printf \"%.2f\", $(col import 1)/$(col osmium 1)}")."
  else
    echo "| osmium cat | not installed (apt osmium-tool) | |"
  fi
  echo
  echo "Stored: \`$counts\`"
  echo
  echo "## In-process (go test -bench)"
  echo
  echo '```'
  cat "$tmp/gobench"
  echo '```'
} > "$out"
echo "wrote $out"
