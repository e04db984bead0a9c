// whatif_memory.test.mjs: how what-if pricing reads a period (docs/charging.md
// "What-if pricing"): the usage in any order, rated per line in time order;
// more than --what-if-memory holds read in passes, each for a part of the
// lines, with the same sums as one pass; a line that alone does not fit is
// refused. The server holds 1 MiB of events (15,420: 7,710 for each half of
// the period). No usage is seeded (--demo-usage 0): every event is the test's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, expectError, bss, tempDir, runSql } from './lib/server.mjs';

let srv, dir, draft, lines;
before(async () => {
  srv = await startServer({ args: ['--demo', '--demo-usage', '0', '--default-country', 'NL', '--what-if-memory', '1',
    '--test-clock-start', '2026-06-10T10:00:00Z'], testClock: true });
  dir = tempDir('bss-whatif-memory-');
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  const line = (offering, not = []) => {
    const p = all.find((x) => x.productOffering.id === offering && x.productCharacteristic.some((c) => c.name === 'MSISDN')
      && !not.includes(x.billingAccount.id));
    return { msisdn: p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', ''), account: p.billingAccount.id };
  };
  lines = { payg: line('po-prepaid-payg') };
  lines.small = line('po-postpaid-s', [lines.payg.account]);
  lines.payg2 = line('po-prepaid-payg', [lines.payg.account, lines.small.account]);
  const cat = (await srv.request('GET', '/admin/v1/catalog/export')).json;
  const rate = (id) => cat.productOfferingPrices.find((x) => x.id === id).usage.rates
    .find((x) => x.zone === 'national-mobile' && x.band === 'peak').price;
  rate('pop-voice-payg').value = 0.3; // 0.25 a minute at peak before
  rate('pop-voice-postpaid').value = 0.3; // 0.20 before
  // and a rating group past 2^31 zero-rated on postpaid data
  cat.productOfferingPrices.find((x) => x.id === 'pop-data-postpaid').usage.ratingGroups.push({ ratingGroup: 4000000000, zeroRated: true });
  draft = cat;
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

async function load(name, rows) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
}

const whatIf = (from, to, account) => srv.request('POST',
  `/api/v1/usage/what-if?from=${from}&to=${to}${account ? `&account=${account}` : ''}`, { body: draft });

test('each line is rated in time order, whatever order its usage arrived in', async () => {
  // Tuesday June 2nd (Amsterdam): a 200-minute call off-peak at 02:30, then a minute at peak at noon; the
  // file has them the other way round. In time order the allowance's 200 national minutes cover the first
  // call and the peak minute costs 0.20; the real import, in file order, covered the peak minute and
  // charged the last minute of the long call off-peak (0.10). Another line's call late that day puts both
  // in the first half of the period, which one scan reads.
  const m = lines.small.msisdn;
  await load('order.csv', [[`wo-b`, '2026-06-02T10:00:00Z', m, 'voice', '31687654321', 60, 's'],
    [`wo-a`, '2026-06-02T00:30:00Z', m, 'voice', '31687654321', 12000, 's'],
    [`wo-c`, '2026-06-02T23:00:00Z', lines.payg.msisdn, 'voice', '31687654321', 60, 's']]);
  const r = await whatIf('2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z', lines.small.account);
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.deepEqual([a.events, a.charged, a.before, a.after, a.delta, a.passes], [2, 0.1, 0.2, 0.3, 0.1, 1]);
  assert.deepEqual(a.byOffering.map((o) => [o.offering, o.events, o.before, o.after]), [['po-postpaid-s', 2, 0.2, 0.3]]);
});

// n copies of the usage record id, start_ms + 1 ms each (all at the same peak minute)
async function copies(id, n) {
  const cols = 'status, reason_code, reason, attempts, source, source_ref, msisdn, service, destination, quantity, unit, '
    + 'rating_group, visited_plmn, account_id, product_id, offering_id, offering_version, price_id, zone, time_band, '
    + 'roaming_zone, rated_units, covered_units, charge, wallet, billed, unpaid, currency, throttle, period_start, trace, '
    + 'takes, doc, created_ms, updated_ms, row_version';
  await runSql(srv, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) `
    + `INSERT INTO usage_record (id, start_ms, ${cols}) SELECT id || '~' || i, start_ms + i, ${cols} FROM usage_record, n `
    + `WHERE id = '${id}'`);
}

test('more usage than the memory holds is read in passes of a part of the lines each, with the same sums', async () => {
  // Wednesday June 3rd at noon: one call of 120 s a line, then 5,999 copies of each: 18,000 events
  const at = '2026-06-03T10:00:00Z';
  await load('passes.csv', [['wp-1', at, lines.payg.msisdn, 'voice', '31687654321', 120, 's'],
    ['wp-2', at, lines.small.msisdn, 'voice', '31687654321', 60, 's'],
    ['wp-3', at, lines.payg2.msisdn, 'voice', '31687654321', 120, 's']]);
  for (const id of ['wp-1', 'wp-2', 'wp-3']) await copies(id, 5999);
  const F = '2026-06-03T00:00:00Z', T = '2026-06-04T00:00:00Z';
  const r = await whatIf(F, T);
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.equal(a.events, 18000);
  assert.ok(a.passes >= 2, `passes ${a.passes}`);
  // by hand: pay as you go 6,000 x 0.50 -> 0.60 a line; postpaid-s: 200 minutes covered, 5,800 x 0.20 -> 0.30
  const paygOff = a.byOffering.find((o) => o.offering === 'po-prepaid-payg');
  const smallOff = a.byOffering.find((o) => o.offering === 'po-postpaid-s');
  assert.deepEqual([paygOff.events, paygOff.before, paygOff.after], [12000, 6000, 7200]);
  assert.deepEqual([smallOff.events, smallOff.before, smallOff.after], [6000, 1160, 1740]);
  assert.deepEqual([a.before, a.after, a.notRatedAfter], [7160, 8940, 0]);
  // each account alone fits in one pass: their sums are the whole's
  let events = 0, before = 0, after = 0, charged = 0;
  for (const l of Object.values(lines)) {
    const x = (await whatIf(F, T, l.account)).json;
    assert.equal(x.passes, 1);
    events += x.events;
    before += x.before;
    after += x.after;
    charged += x.charged;
  }
  assert.deepEqual([events, before, after, Math.round(charged * 1e6)], [a.events, a.before, a.after, Math.round(a.charged * 1e6)]);
});

test('the segments of thousands of accounts come from one read of the accounts with their customers', async () => {
  // 2,101 accounts on Sunday June 7th: 2,100 stored (every other customer gold, the rest silver), one not
  const n = (k) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${k})`;
  await runSql(srv, `${n(2100)} INSERT INTO tmf629_customer (id, doc, created_ms, updated_ms, row_version, segment) `
    + "SELECT 'wm-c-' || i, '{}', 0, 0, 1, CASE WHEN i % 2 = 0 THEN 'gold' ELSE 'silver' END FROM n");
  await runSql(srv, `${n(2100)} INSERT INTO tmf666_billing_account (id, doc, created_ms, updated_ms, row_version, customer_id) `
    + "SELECT 'wm-a-' || i, '{}', 0, 0, 1, 'wm-c-' || i FROM n");
  await load('segments.csv', [['ws-1', '2026-06-07T10:00:00Z', lines.payg.msisdn, 'voice', '31687654321', 60, 's']]);
  const cols = 'status, reason_code, reason, attempts, source, source_ref, msisdn, service, destination, quantity, unit, '
    + 'rating_group, visited_plmn, product_id, offering_id, offering_version, price_id, zone, time_band, '
    + 'roaming_zone, rated_units, covered_units, charge, wallet, billed, unpaid, currency, throttle, period_start, trace, '
    + 'takes, doc, created_ms, updated_ms, row_version';
  await runSql(srv, `${n(2101)} INSERT INTO usage_record (id, start_ms, account_id, ${cols}) `
    + `SELECT id || '~' || i, start_ms + i, 'wm-a-' || i, ${cols} FROM usage_record, n WHERE id = 'ws-1'`);
  await runSql(srv, "DELETE FROM usage_record WHERE id = 'ws-1'");
  const r = await whatIf('2026-06-07T00:00:00Z', '2026-06-08T00:00:00Z');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.events, 2101);
  const seg = Object.fromEntries(r.json.bySegment.map((x) => [x.segment, x.events]));
  assert.deepEqual(seg, { gold: 1050, silver: 1050, unknown: 1 });
  const one = r.json.bySegment.find((x) => x.segment === 'gold');
  assert.equal(Math.round(one.before * 1e6), Math.round(r.json.before / 2101 * 1050 * 1e6), 'each event costs the same');
});

test('a rating group is any number up to 4294967295', async () => {
  // 6 GiB on rating group 4,000,000,000 on Monday June 8th: past the 5 GB allowance it costs, zero-rated in the draft
  const f = path.join(dir, 'rg.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit,rating_group\n'
    + `wr-1,2026-06-08T10:00:00Z,${lines.small.msisdn},data,,6442450944,byte,4000000000\n`);
  const imp = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(imp.code, 0, imp.stderr + imp.stdout);
  const r = await whatIf('2026-06-08T00:00:00Z', '2026-06-09T00:00:00Z');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.events, 1);
  assert.ok(r.json.before > 0, r.text);
  assert.deepEqual([r.json.after, r.json.notRatedAfter], [0, 0]);
});

test('a line whose usage alone is more than the memory holds is refused, with what to do', async () => {
  await load('big.csv', [['wb-1', '2026-06-05T10:00:00Z', lines.payg.msisdn, 'voice', '31687654321', 120, 's']]);
  await copies('wb-1', 16000); // 8,000 and more in each half of the period
  const r = await whatIf('2026-06-05T00:00:00Z', '2026-06-06T00:00:00Z');
  expectError(r, 422, 'UNPROCESSABLE', 'to', 'what-if memory');
  assert.equal(r.json.message, "one line's usage in half the period is more than the what-if memory holds (7710 events): "
    + 'ask for a shorter period, or give the server more (--what-if-memory)');
  // the other days are still answered
  assert.equal((await whatIf('2026-06-03T00:00:00Z', '2026-06-04T00:00:00Z')).status, 200);
});
