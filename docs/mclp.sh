#!/bin/sh
# mclp.sh — the MCLP benchmark table: Tidewatch's covering solver
# (planner.MaxCover) against the exact optimum from CBC on the Swain and
# São José dos Campos instances (shared/data/mclp). Needs cbc on PATH
# (apt-get install coinor-cbc). Writes a markdown table to stdout.
#
#   docs/mclp.sh                 # CBC limited to 60 s a case
#   MCLP_CBC_SEC=300 docs/mclp.sh
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
MCLP_TABLE="$out" go test ./data/mclp -run '^TestMCLPTable$' -count=1 -timeout 6h >&2
cat "$out"
