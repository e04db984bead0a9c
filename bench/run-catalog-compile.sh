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

. "$(dirname "$0")/lib.sh"
BENCH_NO_BIN=1 bench_args "$@"
bench_tmp compile

bench_cc "$here/catalog_compile.c" "$tmp/catalog_compile"

echo "bench: catalog compile ..." >&2
table="$("$tmp/catalog_compile")"
bench_record "catalog compile" "bench/run-catalog-compile.sh $build_arg" "$table"
