#!/usr/bin/env bash
# bench/run-online.sh: online charging updates over HTTP (issue 11's target,
# >= 200,000 operations/s with p99 <= 2 ms, is for the in-process API; this
# is the REST door the network uses today, and then the in-process API on
# the same store: bench/online_bench.c, with and without the resident lines). A
# release `bss serve --demo --demo-usage 0` on SQLite in a temp dir;
# BENCH_SESSIONS (default 1000) data sessions opened on the demo's postpaid
# lines, then `wrk -t1 -c64 -d10s` of updates (commit 100 kB used, reserve
# 100 kB: bench/online.lua). Prints a table and, unless --no-record, appends
# it with date, machine and command to bench/results/latest.md.
#
#   bench/run-online.sh [--no-record] [BUILD_DIR]      default: build
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_args "$@"
sessions="${BENCH_SESSIONS:-1000}"
duration="${BENCH_DURATION:-10s}"
conns="${BENCH_CONNECTIONS:-64}"
for tool in wrk curl node; do command -v "$tool" >/dev/null || { echo "bench: needs $tool (scripts/install-deps)" >&2; exit 2; }; done
bench_tmp online
data="$tmp/data"
bench_serve_demo "$data"
prefix="bench-$$"

# the sessions, opened on the postpaid lines in turn (16 requests in flight)
node -e '
const [url, key, prefix, n] = process.argv.slice(1);
const h = { authorization: `Bearer ${key}`, "content-type": "application/json" };
(async () => {
  const all = await (await fetch(`${url}/tmf-api/productInventory/v4/product?status=active&limit=1000`, { headers: h })).json();
  const lines = all.filter((p) => p.productOffering.id.startsWith("po-postpaid"))
    .map((p) => (p.productCharacteristic.find((c) => c.name === "MSISDN") || {}).value).filter(Boolean)
    .map((m) => m.replace("+", ""));
  if (!lines.length) throw new Error("no postpaid line in the demo");
  let next = 0, bad = 0;
  const one = async () => {
    for (let i; (i = next++) < Number(n);) {
      const r = await fetch(`${url}/api/v1/charging/requests`, { method: "POST", headers: h, body: JSON.stringify({
        sessionId: `${prefix}-${i}`, requestNumber: 0, type: "initial", msisdn: lines[i % lines.length],
        services: [{ service: "data", requested: 100000 }] }) });
      const a = await r.json();
      if (a.resultCode !== 2001) bad++;
    }
  };
  await Promise.all(Array.from({ length: 16 }, one));
  if (bad) throw new Error(`${bad} sessions were refused`);
  console.error(`bench: ${n} sessions on ${lines.length} postpaid lines`);
})().catch((e) => { console.error(`bench: ${e.message}`); process.exit(1); });' "$url" "$key" "$prefix" "$sessions"

BSS_KEY="$key" BSS_PREFIX="$prefix" BSS_SESSIONS="$sessions" wrk -t1 "-c$conns" "-d$duration" --latency \
  -s "$here/online.lua" "$url" >"$tmp/wrk.txt" 2>&1 || { cat "$tmp/wrk.txt" >&2; exit 1; }
kill -0 "$pid" 2>/dev/null || { echo "bench: bss serve died; its log:" >&2; tail -30 "$data.log" >&2; exit 1; }
to_ms() { # wrk latency like 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN{ n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u);
    if(u=="us") n/=1000; else if(u=="s") n*=1000; else if(u=="m") n*=60000; printf "%.2f", n }'
}
rps="$(awk '/^Requests\/sec:/{print $2}' "$tmp/wrk.txt")"
p50="$(to_ms "$(awk '$1=="50%"{print $2}' "$tmp/wrk.txt")")"
p99="$(to_ms "$(awk '$1=="99%"{print $2}' "$tmp/wrk.txt")")"
refused="$(awk '/^refused:/{print $2}' "$tmp/wrk.txt")"
total="$(awk '/requests in/{print $1}' "$tmp/wrk.txt")"
table="$(printf '| test | updates/s | p50 | p99 | answers not 2001 | line reads |\n|---|---:|---:|---:|---:|---|\n| update (commit + reserve), %s sessions, SQLite, HTTP, wrk -t1 -c%s -d%s | %s | %s ms | %s ms | %s of %s | |' \
  "$sessions" "$conns" "$duration" "$rps" "$p50" "$p99" "${refused:-?}" "${total:-?}")"

# the in-process API on the same store, the server stopped (bench/online_bench.c is then its only writer):
# with the resident lines, then reading every line from the store
bench_stop_server
bench_cc "$here/online_bench.c" "$tmp/online_bench"
callers="${BENCH_INPROC_CALLERS:-64}"
secs="${BENCH_INPROC_SECONDS:-10}"
table="$table
$("$tmp/online_bench" "sqlite:$data/bss.db" "$sessions" "$secs" "$callers")
$("$tmp/online_bench" "sqlite:$data/bss.db" "$sessions" "$secs" "$callers" --store-lines)"
bench_record "online charging updates (HTTP and in-process)" "bench/run-online.sh $build_arg" "$table"
