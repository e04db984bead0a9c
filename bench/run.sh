#!/usr/bin/env bash
# bench/run.sh: the speed benchmark of bss (`make bench` builds the release
# binary and calls this with it). Starts `bss serve` on SQLite in a temp dir
# with the default threads, creates an API key and one stored category, and
# measures with `wrk -t1 -c64 -d10s`: GET /health, GET of the category by id,
# and POST create. In the same run nginx (one worker) serves a static file of
# the same size as the /health body: the ceiling our numbers are a ratio of.
# Prints a markdown table and appends it, with date, machine and command, to
# bench/results/latest.md.
#
#   bench/run.sh BSS_BINARY          e.g. bench/run.sh build/bss
#   BENCH_DURATION=10s BENCH_CONNECTIONS=64 BENCH_THREADS=0 (defaults; 0 = one loop per core) may be overridden.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: bench/run.sh BSS_BINARY" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -x "$bin" ] || { echo "bench: no binary $1 (run make bench)" >&2; exit 2; }
for tool in wrk nginx curl node; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (scripts/install-deps installs it)" >&2; exit 2; }
done
duration="${BENCH_DURATION:-10s}"
conns="${BENCH_CONNECTIONS:-64}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench.XXXXXX")"
chmod 755 "$tmp" # nginx workers may run as another user
bss_pid=""
nginx_pid=""
cleanup() {
  set +e
  [ -z "$bss_pid" ] || { kill "$bss_pid" 2>/dev/null; wait "$bss_pid" 2>/dev/null || true; }
  [ -z "$nginx_pid" ] || { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

wait_http() { # URL
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# ---- bss ----
port="$(free_port)"
base="http://127.0.0.1:$port"
"$bin" serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" --log-level warn --threads "${BENCH_THREADS:-0}" >"$tmp/bss.log" 2>&1 &
bss_pid=$!
wait_http "$base/health" || { echo "bench: bss did not start:" >&2; tail -20 "$tmp/bss.log" >&2; exit 1; }
admin="$(cat "$tmp/data/admin.key")"

json_field() { # FIELD: reads JSON on stdin
  node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>{const v=JSON.parse(d)[process.argv[1]];if(v===undefined)process.exit(1);console.log(v);});' "$1"
}
key="$(curl -fsS -X POST "$base/admin/v1/keys" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
        -d '{"name":"bench","role":"agent"}' | json_field key)"
cat_id="$(curl -fsS -X POST "$base/tmf-api/productCatalogManagement/v4/category" -H "Authorization: Bearer $key" \
        -H 'Content-Type: application/json' -d '{"name":"bench","description":"the stored category GET reads"}' | json_field id)"
curl -fsS -o "$tmp/health.json" "$base/health"
health_size="$(wc -c <"$tmp/health.json")"

# ---- nginx: a static file of the same size ----
nport="$(free_port)"
mkdir -p "$tmp/www" "$tmp/nginx/logs"
cp "$tmp/health.json" "$tmp/www/health.json"
chmod -R a+rX "$tmp/www"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
  }
}
CONF
nginx -e "$tmp/nginx/error.log" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
wait_http "http://127.0.0.1:$nport/health.json" || { echo "bench: nginx did not start:" >&2; cat "$tmp/nginx/error.log" >&2; exit 1; }

# ---- measure ----
# run_wrk NAME URL [SCRIPT]: prints "req_s p50_ms p99_ms" and keeps wrk's output in $tmp/NAME.txt
to_ms() { # wrk latency like 812.00us, 1.23ms, 1.01s
  awk -v v="$1" 'BEGIN{ n=v; sub(/[a-z]+$/,"",n); u=v; sub(/^[0-9.]+/,"",u);
    if(u=="us") n/=1000; else if(u=="s") n*=1000; else if(u=="m") n*=60000; printf "%.2f", n }'
}
run_wrk() {
  local name="$1" url="$2" script="${3:-}"
  local args=(-t1 "-c$conns" "-d$duration" --latency)
  [ -z "$script" ] || args+=(-s "$script")
  BSS_KEY="$key" wrk "${args[@]}" "$url" >"$tmp/$name.txt" 2>&1 || { cat "$tmp/$name.txt" >&2; return 1; }
  local rps p50 p99 non2xx sockerr errors
  rps="$(awk '/^Requests\/sec:/{print $2}' "$tmp/$name.txt")"
  p50="$(to_ms "$(awk '$1=="50%"{print $2}' "$tmp/$name.txt")")"
  p99="$(to_ms "$(awk '$1=="99%"{print $2}' "$tmp/$name.txt")")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$tmp/$name.txt")"
  sockerr="$(awk -F'[ ,]+' '/Socket errors:/{n=0; for(i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) n+=$i; print n}' "$tmp/$name.txt")"
  errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
  if [ "$errors" -gt 0 ]; then echo "bench: $name: ${non2xx:-0} non-2xx answers, ${sockerr:-0} socket errors" >&2; fi
  if [ -n "$bss_pid" ] && ! kill -0 "$bss_pid" 2>/dev/null; then
    echo "bench: bss serve died during $name; its log:" >&2
    tail -30 "$tmp/bss.log" >&2
    wait "$bss_pid" 2>/dev/null || echo "bench: bss exit status $?" >&2
    bss_pid=""
    return 1
  fi
  echo "$rps $p50 $p99 $errors"
}

echo "bench: wrk -t1 -c$conns -d$duration; bss on SQLite, /health body $health_size bytes" >&2
echo "bench: nginx static file ..." >&2
run_wrk nginx "http://127.0.0.1:$nport/health.json" >"$tmp/nginx.res"
read -r n_rps n_p50 n_p99 n_err <"$tmp/nginx.res"
echo "bench: GET /health ..." >&2
run_wrk health "$base/health" >"$tmp/health.res"
read -r h_rps h_p50 h_p99 h_err <"$tmp/health.res"
echo "bench: GET category by id ..." >&2
run_wrk get "$base/tmf-api/productCatalogManagement/v4/category/$cat_id" "$here/get.lua" >"$tmp/get.res"
read -r g_rps g_p50 g_p99 g_err <"$tmp/get.res"
echo "bench: POST create category ..." >&2
run_wrk post "$base/tmf-api/productCatalogManagement/v4/category" "$here/post.lua" >"$tmp/post.res"
read -r p_rps p_p50 p_p99 p_err <"$tmp/post.res"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
row() { # NAME RPS P50 P99 ERRORS
  local note=""
  [ "$5" = 0 ] || note=" ($5 errors)"
  printf '| %s%s | %.0f | %s ms | %s ms | %s |\n' "$1" "$note" "$2" "$3" "$4" "$(ratio "$2" "$n_rps")"
}

model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
table="$(
  echo "| test | req/s | p50 | p99 | ratio to nginx |"
  echo "|---|---:|---:|---:|---:|"
  row "nginx static file ($health_size B, 1 worker)" "$n_rps" "$n_p50" "$n_p99" "$n_err"
  row "GET /health" "$h_rps" "$h_p50" "$h_p99" "$h_err"
  row "GET category by id" "$g_rps" "$g_p50" "$g_p99" "$g_err"
  row "POST create category (SQLite, durable)" "$p_rps" "$p_p50" "$p_p99" "$p_err"
)"

echo
echo "$table"

mkdir -p "$here/results"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
  echo "- command: \`bench/run.sh $1\` (wrk -t1 -c$conns -d$duration, bss $("$bin" version 2>/dev/null | awk '{print $2}'), threads ${BENCH_THREADS:-0} (0 = one per core), SQLite)"
  echo
  echo "$table"
} >>"$here/results/latest.md"
echo
echo "bench: appended to bench/results/latest.md" >&2
