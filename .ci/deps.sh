#!/usr/bin/env bash
# Installs the system components Tidewatch's tests start themselves:
# PostgreSQL 15 + PostGIS 3 + pgRouting, Chromium, osmium-tool and CBC.
#
# Idempotent and non-interactive: only missing packages are installed
# (apt-get update runs only then). Prints one line per component:
# "present", "installed" or "missing". When something stays missing
# (no apt-get, not root and no password-less sudo, or the install failed)
# it exits 0 so the tests that need it skip, except under CI=true, where
# it exits 1.
set -uo pipefail

# component|check: a command name, or a path to a file that must exist.
components=(
	"postgresql-15|/usr/lib/postgresql/15/bin/postgres"
	"postgresql-15-postgis-3|/usr/share/postgresql/15/extension/postgis.control"
	"postgresql-15-pgrouting|/usr/share/postgresql/15/extension/pgrouting.control"
	"chromium|chromium"
	"osmium-tool|osmium"
	"coinor-cbc|cbc"
	"fonts-wqy-microhei|/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)
# make bench also needs the HTTP load tools (docs/load.sh).
if [ "${BENCH:-}" = 1 ]; then
	components+=("wrk|wrk" "nginx-light|nginx")
fi

present() { # present CHECK
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

declare -A state
missing=()
for c in "${components[@]}"; do
	pkg=${c%%|*}
	if present "${c#*|}"; then
		state[$pkg]=present
	else
		state[$pkg]=missing
		missing+=("$pkg")
	fi
done

if ((${#missing[@]})); then
	sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			sudo=(false)
			echo "deps: not root and no password-less sudo: cannot install ${missing[*]}" >&2
		fi
	fi
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "deps: no apt-get: install ${missing[*]} by hand" >&2
	elif [ "${sudo[*]}" != false ]; then
		apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q
			-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
		log=$(mktemp)
		# Packages with a service (nginx) must not start it: the benchmark
		# starts its own on a free port. policy-rc.d 101 = "not allowed".
		policy=""
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null 2>&1 &&
				"${sudo[@]}" chmod +x /usr/sbin/policy-rc.d && policy=/usr/sbin/policy-rc.d
		fi
		if "${apt[@]}" update >"$log" 2>&1 </dev/null; then
			# One transaction for speed; package by package if that fails, so
			# one unavailable package does not block the others.
			if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1 </dev/null; then
				for pkg in "${missing[@]}"; do
					"${apt[@]}" install --no-install-recommends "$pkg" >>"$log" 2>&1 </dev/null
				done
			fi
		else
			echo "deps: apt-get update failed:" >&2
			tail -n 5 "$log" >&2
		fi
		rm -f "$log"
		[ -n "$policy" ] && "${sudo[@]}" rm -f "$policy"
		for c in "${components[@]}"; do
			pkg=${c%%|*}
			if [ "${state[$pkg]}" = missing ] && present "${c#*|}"; then
				state[$pkg]=installed
			fi
		done
	fi
fi

status=0
for c in "${components[@]}"; do
	pkg=${c%%|*}
	echo "$pkg: ${state[$pkg]}"
	if [ "${state[$pkg]}" = missing ]; then
		status=1
	fi
done
if ((status)); then
	if [ "${CI:-}" = true ]; then
		echo "deps: components missing under CI=true" >&2
		exit 1
	fi
	echo "deps: tests that need the missing components will skip" >&2
fi
exit 0
