#!/usr/bin/env bash
# bench/run-lines.sh: the resident lines' memory per subscriber (issue 11's
# target: <= 1 KiB with 1,000,000 subscribers' balances loaded). Seeds a
# release `bss serve --demo --demo-usage 0` store, stops the server, copies
# one demo postpaid line BENCH_LINES times in SQL (default 1,000,000; each
# its own billing account, product, number 3169NNNNNNNN and its three
# buckets), then builds bench/lines_bench.c against the release library and
# loads every copied line into the writer's resident lines as online
# charging does. Prints a table and, unless --no-record, appends it with
# date, machine and command to bench/results/latest.md.
#
#   bench/run-lines.sh [--no-record] [BUILD_DIR]      default: build
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_args "$@"
n="${BENCH_LINES:-1000000}"
for tool in curl node sqlite3; do command -v "$tool" >/dev/null || { echo "bench: needs $tool (scripts/install-deps)" >&2; exit 2; }; done
bench_tmp lines
data="$tmp/data"
bench_serve_demo "$data"
bench_stop_server

db="$data/bss.db"
bench_copy_line "$db" 1 $((n + 1)) "printf('3169%08d', i)"

bench_cc "$here/lines_bench.c" "$tmp/lines_bench"
row="$("$tmp/lines_bench" "sqlite:$db" 3169)"
table="$(printf '| test | the table itself | process RSS growth | loading |\n|---|---:|---:|---:|\n%s' "$row")"
bench_record "resident lines' memory" "BENCH_LINES=$n bench/run-lines.sh $build_arg" "$table"
