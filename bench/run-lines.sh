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
read -r p0 a0 m0 < <(sqlite3 -separator ' ' "$db" "SELECT p.id, p.account_id, i.value FROM product p JOIN product_identity i
  ON i.product_id = p.id AND i.kind = 'MSISDN' WHERE p.offering_id = 'po-postpaid-s' AND p.status = 'active' ORDER BY i.value LIMIT 1")
m0="${m0#+}"
echo "bench: copying line $m0 $n times" >&2
sqlite3 "$db" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $n)
  SELECT i, printf('a%07x-0000-7000-8000-000000000000', i) AS acc, printf('b%07x-0000-7000-8000-000000000000', i) AS prod,
         printf('3169%08d', i) AS num FROM c;
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

bench_cc "$here/lines_bench.c" "$tmp/lines_bench"
row="$("$tmp/lines_bench" "sqlite:$db" 3169)"
table="$(printf '| test | the table itself | process RSS growth | loading |\n|---|---:|---:|---:|\n%s' "$row")"
bench_record "resident lines' memory" "BENCH_LINES=$n bench/run-lines.sh $build_arg" "$table"
