#!/usr/bin/env bash
# bench/whatif-again.sh DIR [BUILD_DIR]: the what-if request of bench/run-whatif.sh again, on the store
# BENCH_KEEP=1 bench/run-whatif.sh kept in DIR (an A/B of builds on one store). Prints the server's answer.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
dir="$1"
shift
bench_args "$@"
bench_serve_demo "$dir/data" --test-clock --test-clock-start 2026-07-01T00:00:00Z
trap bench_stop_server EXIT
for _ in ${BENCH_WHATIF_RUNS:-1}; do
  curl -fsS --max-time 600 -H "Authorization: Bearer $key" -H 'content-type: application/json' \
    --data-binary @"$dir/catalog.json" "$url/api/v1/usage/what-if?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const a=JSON.parse(s);console.log(a.events,a.before,a.after,a.delta,a.charged,(a.elapsedMicroseconds/1e6).toFixed(2)+" s", JSON.stringify(a.byOffering.map(o=>[o.offering,o.events,o.before,o.after])), JSON.stringify(a.bySegment.map(o=>[o.segment,o.events,o.before,o.after])))})'
done
