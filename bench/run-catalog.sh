#!/usr/bin/env bash
# bench/run-catalog.sh: the speed benchmark of the compiled catalog's lookup
# structures (zone tables, time-band plans, time zones). Builds the
# standalone program bench/catalog_lookup.c against the release library
# (BUILD_DIR/libbsslib.a, which `make build` produces), runs it on one core
# and prints its markdown table: zone table build time for 50,000 prefixes
# and 250 zones, zone lookups/s over 10 million numbers, time-band
# lookups/s. Appends the table, with date, machine and command, to
# bench/results/latest.md like bench/run.sh does.
#
#   bench/run-catalog.sh [BUILD_DIR]      default: build
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
lib="$build/libbsslib.a"
[ -f "$lib" ] || { echo "bench: no $lib (run make build)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-catalog.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$here/catalog_lookup.c" "$lib" \
  $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lpthread -lm \
  -o "$tmp/catalog_lookup"

echo "bench: catalog lookups (one thread) ..." >&2
table="$("$tmp/catalog_lookup")"
echo
echo "$table"

model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
mkdir -p "$here/results"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) catalog lookups"
  echo
  echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
  echo "- command: \`bench/run-catalog.sh ${1:-build}\` (bench/catalog_lookup.c, cc -O2, one thread)"
  echo
  echo "$table"
} >>"$here/results/latest.md"
echo
echo "bench: appended to bench/results/latest.md" >&2
