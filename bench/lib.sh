# bench/lib.sh: what the bench scripts share (sourced, not run): their
# arguments, a temp dir removed on exit with the server they started, a
# free port, a demo server, building a C bench against the release
# library, and appending a result table to bench/results/latest.md.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_args "$@"          # [--no-record] [BUILD_DIR]: sets record, build, bin, lib, build_arg
#   bench_tmp NAME           # tmp=$(mktemp -d ...), removed on exit unless BENCH_KEEP is set (pid killed, if set)
#   bench_serve_demo DATA [ARGS...]  # a release `bss serve --demo --demo-usage 0 ARGS` on a free port: pid, port,
#                            # url, key (its log: DATA.log)
#   bench_stop_server        # stops it (SIGTERM) and waits
#   bench_cc SRC OUT         # builds a bench/*.c against $lib
#   bench_copy_line DB FROM TO NUMBER  # copies the store's first demo postpaid-s line (account, product, number,
#                            # buckets) to lines FROM..TO-1, numbered by the SQL expression NUMBER of i
#   bench_record TITLE COMMAND TABLE   # unless --no-record

here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pid=""

bench_args() { # BENCH_NO_BIN=1: the script needs only the library
  record=1
  if [ "${1:-}" = "--no-record" ]; then
    record=0
    shift
  fi
  build_arg="${1:-build}"
  build="$build_arg"
  case "$build" in /*) ;; *) build="$root/$build" ;; esac
  bin="$build/bss"
  lib="$build/libbsslib.a"
  [ -f "$lib" ] && { [ -n "${BENCH_NO_BIN:-}" ] || [ -x "$bin" ]; } || { echo "bench: no $bin or $lib (run make build)" >&2; exit 2; }
}

bench_cleanup() {
  set +e
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  if [ -n "${tmp:-}" ]; then
    if [ -n "${BENCH_KEEP:-}" ]; then echo "bench: kept $tmp" >&2; else rm -rf "$tmp"; fi
  fi
}

bench_tmp() {
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/bss-bench-$1.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

bench_serve_demo() {
  port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')"
  local data="$1"
  shift
  "$bin" serve --demo --demo-usage 0 --default-country NL --data-dir "$data" --listen "127.0.0.1:$port" \
    --log-level warn --request-log=false "$@" >"$data.log" 2>&1 &
  pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 400); do
    if curl -fsS -o /dev/null "$url/health" 2>/dev/null; then
      key="$(cat "$data/admin.key")"
      return 0
    fi
    sleep 0.05
  done
  echo "bench: bss serve did not start; its log:" >&2
  tail -30 "$data.log" >&2
  exit 1
}

bench_stop_server() {
  [ -z "$pid" ] || { kill "$pid"; wait "$pid" 2>/dev/null || true; }
  pid=""
}

bench_copy_line() {
  local db="$1" from="$2" to="$3" num="$4" p0 a0 m0
  read -r p0 a0 m0 < <(sqlite3 -separator ' ' "$db" "SELECT p.id, p.account_id, i.value FROM product p JOIN product_identity i
    ON i.product_id = p.id AND i.kind = 'MSISDN' WHERE p.offering_id = 'po-postpaid-s' AND p.status = 'active' ORDER BY i.value LIMIT 1")
  m0="${m0#+}"
  echo "bench: copying line $m0 to lines $from..$((to - 1))" >&2
  local start="" # the product's start_ms column, in stores that have it (0029_product_start)
  if sqlite3 "$db" "SELECT 1 FROM pragma_table_info('product') WHERE name = 'start_ms'" | grep -q 1; then start=", start_ms"; fi
  sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT $from UNION ALL SELECT i + 1 FROM c WHERE i < $to - 1)
  SELECT i, printf('a%07x-0000-7000-8000-000000000000', i) AS acc, printf('b%07x-0000-7000-8000-000000000000', i) AS prod,
         $num AS num FROM c;
INSERT INTO tmf666_billing_account (id, doc, created_ms, updated_ms, row_version, name, state, account_number, currency,
                                    bill_cycle_day, parent_id, customer_id)
  SELECT n.acc, replace(a.doc, a.id, n.acc), a.created_ms, a.updated_ms, 1, a.name, a.state, printf('BX%09d', n.i),
         a.currency, a.bill_cycle_day, a.parent_id, a.customer_id FROM n, tmf666_billing_account a WHERE a.id = '$a0';
INSERT INTO product (id, doc, created_ms, updated_ms, row_version, status, offering_id, offering_version, account_id$start)
  SELECT n.prod, replace(replace(replace(p.doc, p.id, n.prod), p.account_id, n.acc), '$m0', n.num), p.created_ms,
         p.updated_ms, 1, p.status, p.offering_id, p.offering_version, n.acc$start FROM n, product p WHERE p.id = '$p0';
INSERT INTO product_identity (value, kind, product_id) SELECT n.num, 'MSISDN', n.prod FROM n;
INSERT INTO bucket (id, account_id, product_id, msisdn, usage_type, unit, source, price_id, price_version, priority, value,
                    initial_value, used, unlimited, valid_from, valid_to, status, doc, created_ms, updated_ms, row_version)
  SELECT printf('c%07x-0000-7000-8000-%012x', n.i, b.rowid), n.acc, n.prod,
         CASE WHEN b.msisdn = '$m0' THEN n.num ELSE b.msisdn END, b.usage_type, b.unit, b.source, b.price_id,
         b.price_version, b.priority, b.value, b.initial_value, b.used, b.unlimited, b.valid_from, b.valid_to, b.status,
         b.doc, b.created_ms, b.updated_ms, 1
  FROM n, bucket b WHERE b.account_id = '$a0' AND b.status = 'active';
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
}

bench_cc() {
  # shellcheck disable=SC2046
  cc -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -I "$root/src" "$1" "$lib" \
    $(pkg-config --libs jansson sqlite3 libpq libsodium libcurl libh2o-evloop openssl) -lphonenumber -lstdc++ -lpthread -lm \
    -o "$2"
}

bench_record() {
  echo
  echo "$3"
  [ "$record" = 1 ] || return 0
  local model
  model="$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null)"
  mkdir -p "$here/results"
  {
    echo
    echo "## $(date -u +%Y-%m-%dT%H:%M:%SZ) $1"
    echo
    echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
    echo "- command: \`$2\` (release build)"
    echo
    echo "$3"
  } >>"$here/results/latest.md"
  echo "bench: appended to bench/results/latest.md" >&2
}
