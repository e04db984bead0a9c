#!/usr/bin/env bash
# bench/run-cdr.sh: the CDR generator, the speed of the CDR file reader and
# of the rating core (issue 11: >= 2,000,000 events/s per core),
# the first stage of a CDR import (issue 11: the whole import must reach
# 500,000 records/s on SQLite; the reader is what parsing and checking cost
# on their own). Builds bench/cdr_bench.c against the release library
# (BUILD_DIR/libbsslib.a, which `make build` produces), generates
# BENCH_CDRS records (default 2,000,000) for 1,000,000 subscribers into a
# temporary file, reads it and prints the table; unless --no-record is
# given, appends it with date, machine and command to bench/results/latest.md.
#
#   bench/run-cdr.sh [--no-record] [BUILD_DIR]      default: build
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
n="${BENCH_CDRS:-2000000}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-cdr.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$here/cdr_bench.c" "$lib" \
  $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lphonenumber -lstdc++ -lpthread -lm \
  -o "$tmp/cdr_bench"

echo "bench: generating $n CDRs ..." >&2
"$tmp/cdr_bench" gen "$n" "$tmp/cdrs.csv" 1000000
echo "bench: reading them ..." >&2
table="$(printf '| stage | input | speed | throughput | notes |\n|---|---|---|---|---|\n'; "$tmp/cdr_bench" read "$tmp/cdrs.csv")"
echo "bench: rating them ..." >&2
table="$table
$("$tmp/cdr_bench" rate "$tmp/cdrs.csv" "$root/data/demo/catalog.json")"
echo
echo "$table"
[ "$record" = 1 ] || exit 0

model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
mkdir -p "$here/results"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) CDR file reader and rating core"
  echo
  echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
  echo "- command: \`BENCH_CDRS=$n bench/run-cdr.sh ${1:-build}\` (bench/cdr_bench.c, cc -O2)"
  echo
  echo "$table"
} >>"$here/results/latest.md"
echo
echo "bench: appended to bench/results/latest.md" >&2
