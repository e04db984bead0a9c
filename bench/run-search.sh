#!/usr/bin/env bash
# bench/run-search.sh: the latency benchmark of the customer search
# (src/customer/search.c). Builds the standalone program
# bench/search_bench.c against the release library (BUILD_DIR/libbsslib.a,
# which `make build` produces), fills a fresh SQLite store with the search
# terms of CUSTOMERS customers (default 1,000,000) in one transaction, runs
# 10,000 searches (name prefix, e-mail, phone) through bss_search_run and
# prints p50/p99/max per kind as a markdown table (target: p99 <= 5 ms).
# Appends the table, with date, machine and command, to
# bench/results/latest.md like bench/run.sh does.
#
#   bench/run-search.sh [BUILD_DIR] [CUSTOMERS]     default: build 1000000
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-build}"
count="${2:-1000000}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
lib="$build/libbsslib.a"
[ -f "$lib" ] || { echo "bench: no $lib (run make build)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-search.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$here/search_bench.c" "$lib" \
  $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lpthread -lm \
  -o "$tmp/search_bench"

echo "bench: indexing $count customers, then 10,000 searches (one connection) ..." >&2
mkdir -p "$tmp/store"
table="$("$tmp/search_bench" "$tmp/store" "$count")"
echo
echo "$table"

model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
mkdir -p "$here/results"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) customer search"
  echo
  echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
  echo "- command: \`bench/run-search.sh ${1:-build} $count\` (bench/search_bench.c, cc -O2, one connection)"
  echo
  echo "$table"
} >>"$here/results/latest.md"
echo
echo "bench: appended to bench/results/latest.md" >&2
