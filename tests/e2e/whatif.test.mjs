// whatif.test.mjs: what-if pricing (POST /api/v1/usage/what-if, `bss usage
// rerate --what-if`) against a real `bss serve --demo` on a test clock: the
// period's real usage rated under a draft catalog, nothing changed, revenue
// before and after per offering and per customer segment. The draft raises
// national mobile calls at peak on pay as you go from 0.25 to 0.30 a minute:
// two calls of 120 s cost 0.50 each before and 0.60 after.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, expectError, bss, tempDir } from './lib/server.mjs';

let srv, dir, draftFile, account, m;
before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', '2026-06-03T10:00:00Z'], testClock: true });
  dir = tempDir('bss-whatif-');
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  const p = all.find((x) => x.productOffering.id === 'po-prepaid-payg' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  account = p.billingAccount.id;
  const f = path.join(dir, 'calls.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n'
    + `w-1,2026-06-03T10:00:00Z,${m},voice,31687654321,120,s\n` + `w-2,2026-06-03T10:00:01Z,${m},voice,31687654321,120,s\n`);
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const cat = (await srv.request('GET', '/admin/v1/catalog/export')).json;
  const price = cat.productOfferingPrices.find((x) => x.id === 'pop-voice-payg');
  price.usage.rates.find((x) => x.zone === 'national-mobile' && x.band === 'peak').price.value = 0.3;
  draftFile = path.join(dir, 'draft.json');
  fs.writeFileSync(draftFile, JSON.stringify(cat));
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const Q = (q) => `/api/v1/usage/what-if?${q}`;

test('a draft tariff rated over last week\'s real usage: revenue before and after, nothing changed', async () => {
  const wBefore = (await srv.request('GET', `/tmf-api/prepayBalanceManagement/v4/bucket?logicalResource.id=${m}&usageType=monetary`)).json[0];
  const r = await srv.request('POST', Q(`from=2026-06-01T00:00:00Z&to=2026-06-04T00:00:00Z&account=${account}`),
    { body: JSON.parse(fs.readFileSync(draftFile, 'utf8')) });
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.equal(a.events, 2);
  assert.deepEqual([a.charged, a.before, a.after, a.delta, a.currency], [1, 1, 1.2, 0.2, 'EUR']);
  assert.deepEqual(a.byOffering.map((o) => [o.offering, o.events, o.before, o.after, o.delta]), [['po-prepaid-payg', 2, 1, 1.2, 0.2]]);
  assert.equal(a.bySegment.length, 1);
  assert.equal(a.bySegment[0].after, 1.2);
  assert.equal(a.notRatedAfter, 0);
  // nothing changed: the wallet, the usage
  const wAfter = (await srv.request('GET', `/tmf-api/prepayBalanceManagement/v4/bucket?logicalResource.id=${m}&usageType=monetary`)).json[0];
  assert.deepEqual(wAfter.remainedAmount, wBefore.remainedAmount);
  assert.equal((await srv.request('GET', '/tmf-api/usageManagement/v4/usage/w-1')).json.ratedProductUsage[0].taxExcludedRatingAmount.value, 0.5);
});

test('bss usage rerate --what-if prints the same', async () => {
  const r = await bss(['usage', 'rerate', '--what-if', draftFile, '--from', '2026-06-01T00:00:00Z', '--to', '2026-06-04T00:00:00Z',
    '--account', account, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /revenue before 1 EUR, after 1\.2 EUR, delta 0\.2 EUR \(charged for real: 1 EUR\)/);
  assert.match(r.stdout, /po-prepaid-payg\s+2\s+1\s+1\s+1\.2\s+0\.2/);
  const bad = await bss(['usage', 'rerate', '--from', '2026-06-01T00:00:00Z', '--url', srv.url, '--key', srv.key]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /give --account ID \(re-rate for real; --dry-run to see first\) or --what-if CATALOG\.json, with --from and --to/);
});

test('what-if refuses a bad period and a draft that is not a catalog', async () => {
  const draft = JSON.parse(fs.readFileSync(draftFile, 'utf8'));
  expectError(await srv.request('POST', Q('to=2026-06-04T00:00:00Z'), { body: draft }), 400, 'INVALID', 'from', 'no from');
  expectError(await srv.request('POST', Q('from=2026-06-04T00:00:00Z&to=2026-06-01T00:00:00Z'), { body: draft }), 400, 'INVALID', 'to', 'backwards');
  const r = await srv.request('POST', Q('from=2026-06-01T00:00:00Z&to=2026-06-04T00:00:00Z'), { body: { format: 'nope' } });
  assert.equal(r.status, 400, r.text);
});
