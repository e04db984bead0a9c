// demo_usage.test.mjs: `bss serve --demo --demo-usage 30` seeds the demo
// lines' usage of their current bill period (as CDRs through the same
// engine as any import), on a test clock late in June so the periods have
// weeks in them: usage lists, running totals and the customer view are
// not empty, every record is rated, the prepaid wallets still hold credit,
// and every bucket equals the sum of its ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, runSql } from './lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--demo-usage', '30', '--test-clock-start', '2026-06-25T12:00:00Z'], testClock: true });
});
after(async () => { await stopServer(srv); });

test('the demo lines have a month of usage, rated, in their lists, totals and the customer view', async () => {
  const n = Number(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE source_ref = 'demo'"));
  assert.ok(n > 1000, `${n} demo usages`);
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE source_ref = 'demo' AND status <> 'rated'"), '0');
  assert.ok(Number(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE source_ref = 'demo' AND visited_plmn = '234-15'")) > 0, 'days abroad');
  const lines = Number(await runSql(srv, "SELECT COUNT(DISTINCT msisdn) FROM usage_record WHERE source_ref = 'demo'"));
  assert.ok(lines >= 20, `${lines} lines with usage`);
  // a line's list, newest first, before the clock
  const m = await runSql(srv, "SELECT msisdn FROM usage_record WHERE source_ref = 'demo' GROUP BY msisdn ORDER BY COUNT(*) DESC LIMIT 1");
  const list = (await srv.request('GET', `/tmf-api/usageManagement/v4/usage?msisdn=${m}&limit=5`)).json;
  assert.equal(list.length, 5);
  assert.ok(list.every((u, i) => i === 0 || u.usageDate <= list[i - 1].usageDate));
  assert.ok(list[0].usageDate < '2026-06-25T12:00:00Z');
  // prepaid wallets keep credit; the ledger explains every bucket
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM bucket WHERE usage_type = 'monetary' AND value < 0"), '0');
  assert.equal(await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)'), '0');
  // the running totals hold every event
  assert.equal(await runSql(srv, 'SELECT SUM(events) FROM usage_total'), String(n));
  // and each running total is its rows' (events, quantity, charge, billed), both ways (on PostgreSQL a
  // chunk's totals go in as upserts of many rows)
  const rows = "SELECT account_id, period_start, product_id, COALESCE(price_id, ''), COALESCE(zone, ''), COALESCE(time_band, ''), "
    + 'COUNT(*), SUM(quantity), SUM(charge), SUM(billed) FROM usage_record WHERE status IN (\'rated\', \'billed\') '
    + "GROUP BY account_id, period_start, product_id, COALESCE(price_id, ''), COALESCE(zone, ''), COALESCE(time_band, '')";
  const totals = 'SELECT account_id, period_start, product_id, price_id, zone, time_band, events, quantity, charge, billed FROM usage_total';
  assert.equal(await runSql(srv, `SELECT COUNT(*) FROM (${rows} EXCEPT ${totals}) x`), '0');
  assert.equal(await runSql(srv, `SELECT COUNT(*) FROM (${totals} EXCEPT ${rows}) x`), '0');
  assert.ok(Number(await runSql(srv, 'SELECT COUNT(*) FROM usage_total')) > 64, 'more totals than one upsert takes');
  // the customer view of the line shows it
  const p = (await srv.request('GET', `/tmf-api/productInventory/v4/product?status=active&limit=1000`)).json
    .find((x) => x.productCharacteristic?.some((c) => c.name === 'MSISDN' && c.value.replace('+', '') === m));
  const cust = p.relatedParty.find((r) => r.role === 'customer').id;
  const v = (await srv.request('GET', `/api/v1/customers/${cust}/view`)).json;
  assert.ok(v.usage.some((u) => u.productId === p.id && u.events > 0), JSON.stringify(v.usage));
});
