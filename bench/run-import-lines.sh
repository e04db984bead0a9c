#!/usr/bin/env bash
# bench/run-import-lines.sh: the CDR import over many lines (issue 11: "1,000,000 subscribers"), where
# bench/run-import.sh's 27 demo lines hide what a real file costs: each chunk touching thousands of lines.
# A release `bss serve --demo --demo-usage 0` on SQLite seeds the demo, is stopped, and one demo postpaid
# line (its account, product, number and buckets) is copied in SQL until BENCH_LINES lines (default
# 100,000) carry the numbers bench/cdr_bench.c generates (316 10000000 + n); the server starts again and
# `bss usage import` sends BENCH_IMPORT records (default 200,000) spread over them, twice (the second
# pass: every record a duplicate, every line read already once). Prints a table and, unless --no-record,
# appends it to bench/results/latest.md.
#
#   bench/run-import-lines.sh [--no-record] [BUILD_DIR]      default: build
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_args "$@"
lines="${BENCH_LINES:-100000}"
n="${BENCH_IMPORT:-200000}"
bench_tmp import-lines
data="$tmp/data"
bench_serve_demo "$data"
bench_stop_server

db="$data/bss.db"
have="$(sqlite3 "$db" "SELECT COUNT(*) FROM product_identity WHERE kind = 'MSISDN' AND value >= '31610000000' AND value < '31620000000'")"
echo "bench: $have demo lines" >&2
bench_copy_line "$db" "$have" "$lines" "printf('316%08d', 10000000 + i)"

bench_cc "$here/cdr_bench.c" "$tmp/cdr_bench"
"$tmp/cdr_bench" gen "$n" "$tmp/cdrs.csv" "$lines" >/dev/null
bench_serve_demo "$data"
table="$(printf '| pass | input | time | throughput | summary |\n|---|---|---|---|---|\n')"
for pass in first again; do
  t0="$(date +%s.%N)"
  out="$("$bin" usage import "$tmp/cdrs.csv" --quiet --url "$url" --key "$key" || true)"
  t1="$(date +%s.%N)"
  secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')"
  table="$table
| $pass | $n records, $lines lines | $secs s | $(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%d", n/s}') records/s | $(echo "$out" | head -1 | sed 's/^[^:]*: //') |"
done
bench_stop_server
bench_record "CDR import over many lines" "BENCH_LINES=$lines BENCH_IMPORT=$n bench/run-import-lines.sh $build_arg" "$table"
