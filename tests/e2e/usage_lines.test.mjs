// usage_lines.test.mjs: a CDR chunk over many lines (docs/charging.md "A batch, start to end"): a batch that
// meets 128 new numbers or more reads their lines on two connections at once. 300 copies of a demo postpaid
// line (its account, product, number and buckets, copied in SQL) each get one call in one chunk; every call
// is charged to its own line as the original's would be, and sending the file again charges nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, runSql, bss, tempDir } from './lib/server.mjs';

const N = 300;
let srv, dir, file;
before(async () => {
  srv = await startServer({ args: ['--demo', '--demo-usage', '0', '--default-country', 'NL', '--test-clock-start', '2026-06-10T10:00:00Z'], testClock: true });
  dir = tempDir('bss-usage-lines-');
  const [p0, a0, m0] = (await runSql(srv, "SELECT p.id, p.account_id, i.value FROM product p JOIN product_identity i ON i.product_id = p.id "
    + "AND i.kind = 'MSISDN' WHERE p.offering_id = 'po-postpaid-s' AND p.status = 'active' ORDER BY i.value LIMIT 1")).split('|');
  const m = m0.replace('+', '');
  const n = `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${N})`;
  const acc = "'ul-a-' || i", prod = "'ul-p-' || i", num = "'3161' || (1000000 + i)";
  await runSql(srv, `${n} INSERT INTO tmf666_billing_account (id, doc, created_ms, updated_ms, row_version, name, state, account_number, `
    + 'currency, bill_cycle_day, parent_id, customer_id) '
    + `SELECT ${acc}, replace(a.doc, a.id, ${acc}), a.created_ms, a.updated_ms, 1, a.name, a.state, 'UL' || i, a.currency, `
    + `a.bill_cycle_day, a.parent_id, a.customer_id FROM c, tmf666_billing_account a WHERE a.id = '${a0}'`);
  await runSql(srv, `${n} INSERT INTO product (id, doc, created_ms, updated_ms, row_version, status, offering_id, offering_version, account_id) `
    + `SELECT ${prod}, replace(replace(replace(p.doc, p.id, ${prod}), p.account_id, ${acc}), '${m}', ${num}), p.created_ms, `
    + `p.updated_ms, 1, p.status, p.offering_id, p.offering_version, ${acc} FROM c, product p WHERE p.id = '${p0}'`);
  await runSql(srv, `${n} INSERT INTO product_identity (value, kind, product_id) SELECT ${num}, 'MSISDN', ${prod} FROM c`);
  await runSql(srv, `${n} INSERT INTO bucket (id, account_id, product_id, msisdn, usage_type, unit, source, price_id, price_version, `
    + 'priority, value, initial_value, used, unlimited, valid_from, valid_to, status, doc, created_ms, updated_ms, row_version) '
    + `SELECT 'ul-b-' || i || '-' || b.id, ${acc}, ${prod}, CASE WHEN b.msisdn = '${m}' THEN ${num} ELSE b.msisdn END, b.usage_type, `
    + 'b.unit, b.source, b.price_id, b.price_version, b.priority, b.value, b.initial_value, b.used, b.unlimited, b.valid_from, '
    + `b.valid_to, b.status, b.doc, b.created_ms, b.updated_ms, 1 FROM c, bucket b WHERE b.account_id = '${a0}' AND b.status = 'active'`);
  // one 120 s call on each copy, and one on the original
  const rows = [`ul-0,2026-06-10T09:00:00Z,${m},voice,31687654321,120,s`];
  for (let i = 1; i <= N; i++) rows.push(`ul-${i},2026-06-10T09:00:00Z,3161${1000000 + i},voice,31687654321,120,s`);
  file = path.join(dir, 'calls.csv');
  fs.writeFileSync(file, 'record_id,start_time,msisdn,service,destination,quantity,unit\n' + rows.join('\n') + '\n');
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

test('a chunk over 301 lines charges each call to its own line, once', async () => {
  const r = await bss(['usage', 'import', file, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, new RegExp(`${N + 1} read, ${N + 1} rated, 0 rejected, 0 duplicates`));
  // each line's voice allowance took its 120 s: the same on every copy as on the original
  const used = await runSql(srv, "SELECT COUNT(*), MIN(used), MAX(used) FROM bucket WHERE usage_type = 'voice' AND "
    + "(id LIKE 'ul-b-%' OR product_id = (SELECT product_id FROM product_identity WHERE value = (SELECT msisdn FROM usage_record WHERE id = 'ul-0')))");
  assert.equal(used, `${N + 1}|120|120`);
  assert.equal(await runSql(srv, "SELECT COUNT(DISTINCT product_id) FROM usage_record WHERE id LIKE 'ul-%' AND status = 'rated'"), String(N + 1));
  assert.equal(await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id) AND b.id NOT LIKE \'ul-b-%\''), '0');
  const again = await bss(['usage', 'import', file, '--url', srv.url, '--key', srv.key]);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, new RegExp(`${N + 1} read, 0 rated, 0 rejected, ${N + 1} duplicates`));
});
