// renewal.test.mjs: buckets across a bill cycle, against a real `bss serve
// --demo` on a test clock moved over a period's end: a day before it, each
// renewing allowance gets its successor (valid from the end for the next
// period); at the end what is left expires, and the Postpaid M data
// allowance (20 GB, rollover up to 20 GB) carries its unused 15 GB over:
// 35 GB in the new cycle. Usage just after the end is rated against the new
// bucket. Every bucket still equals the sum of its ledger.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, runSql, sleep, bss, tempDir } from './lib/server.mjs';

const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const GB = 1073741824;
let srv, dir, m, s;
before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', '2026-06-03T10:00:00Z'], testClock: true });
  dir = tempDir('bss-renewal-');
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  const num = (o) => all.find((x) => x.productOffering.id === o && x.productCharacteristic.some((c) => c.name === 'MSISDN'))
    .productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  m = num('po-postpaid-m');
  s = num('po-postpaid-s');
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const dataBuckets = async (msisdn, status = 'active') =>
  (await srv.request('GET', `${B}?logicalResource.id=${msisdn}&usageType=data&status=${status}`)).json
    .sort((a, b) => a.validFor.startDateTime.localeCompare(b.validFor.startDateTime));
const clock = async (t) => { const r = await srv.request('PUT', '/admin/v1/clock', { body: { now: t } }); assert.ok(r.status < 300, r.text); };
const until = async (what, fn) => {
  for (let i = 0; i < 100; i++) { const v = await fn(); if (v) return v; await sleep(100); }
  throw new Error(`${what} did not happen`);
};

test('a cycle ends: successors a day ahead, expiry, rollover up to the cap, usage rated on the new bucket', async () => {
  const [plan] = await dataBuckets(m);
  const [splan] = await dataBuckets(s);
  const send = splan.validFor.endDateTime;
  assert.equal(plan.remainedAmount.amount, 20 * GB);
  const end = plan.validFor.endDateTime;
  // 5 GB used this cycle
  const f = path.join(dir, 'data.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n' + `r-1,2026-06-03T10:00:00Z,${m},data,,${5 * GB},byte\n`);
  assert.equal((await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key])).code, 0);
  // an hour before the end: the successor exists, not yet in force
  await clock(new Date(Date.parse(end) - 3600000).toISOString());
  const two = await until('the successor', async () => { const b = await dataBuckets(m); return b.length === 2 && b; });
  assert.equal(two[1].validFor.startDateTime, end);
  assert.equal(two[1].remainedAmount.amount, 20 * GB);
  // a minute after: the old one expired, 15 GB rolled over
  await clock(new Date(Date.parse(end) + 60000).toISOString());
  const next = await until('the expiry', async () => { const b = await dataBuckets(m); return b.length === 1 && b[0].id === two[1].id && b[0].remainedAmount.amount > 20 * GB && b; });
  assert.equal(next[0].remainedAmount.amount, 35 * GB);
  const old = (await srv.request('GET', `${B}/${plan.id}`)).json;
  assert.equal(old.status, 'expired');
  assert.equal(old.remainedAmount.amount, 0);
  assert.equal(await runSql(srv, `SELECT reason FROM balance_ledger WHERE bucket_id = '${next[0].id}' ORDER BY at_ms, reason`),
    ['renewal', 'rollover'].join('\n'));
  // Postpaid S has no rollover: 5 GB again at its own period's end
  if (send > end) await clock(new Date(Date.parse(send) + 60000).toISOString());
  const sb = await until('S renewed', async () => { const b = await dataBuckets(s); return b.length === 1 && b[0].validFor.startDateTime === send && b; });
  assert.equal(sb[0].remainedAmount.amount, 5 * GB);
  assert.equal((await srv.request('GET', `${B}/${splan.id}`)).json.status, 'expired');
  // usage of the new cycle comes off the new bucket
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `r-2,${new Date(Date.parse(end) + 30000).toISOString()},${m},data,,${GB},byte\n`);
  // (the clock may have moved past S's end: the event stays inside M's new cycle)
  assert.equal((await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key])).code, 0);
  const x = (await srv.request('GET', '/api/v1/usage/r-2/explain')).json;
  assert.deepEqual(x.buckets.map((b) => [b.bucket, b.before, b.after]), [[next[0].id, 35 * GB, 34 * GB]]);
  assert.equal(await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)'), '0');
});
