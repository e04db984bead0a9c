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
read -r p0 a0 m0 < <(sqlite3 -separator ' ' "$db" "SELECT p.id, p.account_id, i.value FROM product p JOIN product_identity i
  ON i.product_id = p.id AND i.kind = 'MSISDN' WHERE p.offering_id = 'po-postpaid-s' AND p.status = 'active' ORDER BY i.value LIMIT 1")
m0="${m0#+}"
have="$(sqlite3 "$db" "SELECT COUNT(*) FROM product_identity WHERE kind = 'MSISDN' AND value >= '31610000000' AND value < '31620000000'")"
echo "bench: $have demo lines; copying line $m0 to $((lines - have)) more numbers ..." >&2
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT $have UNION ALL SELECT i + 1 FROM c WHERE i < $lines - 1)
  SELECT i, printf('a%07x-0000-7000-8000-000000000000', i) AS acc, printf('b%07x-0000-7000-8000-000000000000', i) AS prod,
         printf('316%08d', 10000000 + i) AS num FROM c;
INSERT INTO tmf666_billing_account (id, doc, created_ms, updated_ms, row_version, name, state, account_number, currency,
                                    bill_cycle_day, parent_id, customer_id)
  SELECT n.acc, replace(a.doc, a.id, n.acc), a.created_ms, a.updated_ms, 1, a.name, a.state, printf('BX%09d', n.i),
         a.currency, a.bill_cycle_day, a.parent_id, a.customer_id FROM n, tmf666_billing_account a WHERE a.id = '$a0';
INSERT INTO product (id, doc, created_ms, updated_ms, row_version, status, offering_id, offering_version, account_id)
  SELECT n.prod, replace(replace(replace(p.doc, p.id, n.prod), p.account_id, n.acc), '$m0', n.num), p.created_ms,
         p.updated_ms, 1, p.status, p.offering_id, p.offering_version, n.acc FROM n, product p WHERE p.id = '$p0';
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
