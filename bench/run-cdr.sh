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

. "$(dirname "$0")/lib.sh"
BENCH_NO_BIN=1 bench_args "$@"
n="${BENCH_CDRS:-2000000}"
bench_tmp cdr

bench_cc "$here/cdr_bench.c" "$tmp/cdr_bench"

echo "bench: generating $n CDRs ..." >&2
"$tmp/cdr_bench" gen "$n" "$tmp/cdrs.csv" 1000000
echo "bench: reading them ..." >&2
table="$(printf '| stage | input | speed | throughput | notes |\n|---|---|---|---|---|\n'; "$tmp/cdr_bench" read "$tmp/cdrs.csv")"
echo "bench: rating them ..." >&2
table="$table
$("$tmp/cdr_bench" rate "$tmp/cdrs.csv" "$root/data/demo/catalog.json")"
bench_record "CDR file reader and rating core" "BENCH_CDRS=$n bench/run-cdr.sh $build_arg" "$table"
