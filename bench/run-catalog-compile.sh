#!/usr/bin/env bash
# bench/run-catalog-compile.sh: the speed benchmark of the catalog compiler
# (target: 200 offerings and 50,000 destination prefixes in <= 200 ms).
# Builds the standalone program bench/catalog_compile.c against the release
# library (BUILD_DIR/libbsslib.a, which `make build` produces), runs it and
# prints its markdown table. Unless --no-record is given, appends the table,
# with date, machine and command, to bench/results/latest.md like the other
# bench scripts.
#
#   bench/run-catalog-compile.sh [--no-record] [BUILD_DIR]      default: build
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
record=1
if [ "${1:-}" = "--no-record" ]; then
  record=0
  shift
fi
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
lib="$build/libbsslib.a"
[ -f "$lib" ] || { echo "bench: no $lib (run make build)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-compile.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$here/catalog_compile.c" "$lib" \
  $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lpthread -lm \
  -o "$tmp/catalog_compile"

echo "bench: catalog compile ..." >&2
table="$("$tmp/catalog_compile")"
echo
echo "$table"
[ "$record" = 1 ] || exit 0

model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
mkdir -p "$here/results"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) catalog compile"
  echo
  echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
  echo "- command: \`bench/run-catalog-compile.sh ${1:-build}\` (bench/catalog_compile.c, cc -O2)"
  echo
  echo "$table"
} >>"$here/results/latest.md"
echo
echo "bench: appended to bench/results/latest.md" >&2
