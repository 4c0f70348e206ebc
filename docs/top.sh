#!/bin/sh
# top.sh — solve all 387 Chao team orienteering instances
# (shared/data/top/chao) with Tidewatch's orienteering solver, re-check
# every route with planner.CheckRoutes, and print per-instance lines and a
# markdown table of the gaps to the best-known scores, per set p1..p7.
# Not part of CI: it takes about 387 × the time limit.
#
# Usage: docs/top.sh [TIME_LIMIT [SEED [NAME_PREFIX]]]   (defaults: 1.9s 1 "")
# Env:   TIDEWATCH_TOP_MAX_ITER  rounds per instance (default: the solver's, 2000)
set -eu
cd "$(dirname "$0")/.."
TIDEWATCH_TOP_FULL=1 \
TIDEWATCH_TOP_TIME_LIMIT="${1:-1.9s}" \
TIDEWATCH_TOP_SEED="${2:-1}" \
TIDEWATCH_TOP_FILTER="${3:-}" \
	exec go test ./data/top -run '^TestChaoFullTable$' -count=1 -v -timeout 0
