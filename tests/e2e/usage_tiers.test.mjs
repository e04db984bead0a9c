// usage_tiers.test.mjs: a price with period tiers through the CDR import,
// against a real `bss serve --demo` on a test clock (2026-06-03 10:00 UTC).
// The pay-as-you-go line's data price is made graduated from June 1st:
// the first 20 MB of a bill period at 0.10 a MB, the rest at 0.01. Calls
// (a flat price, whose rating never reads the period's units) come between
// the sessions, in batches of their own and in one batch, and a session of
// April (flat: the tiers start in June) between two of June's: each session
// is still priced from where its period's data usage stood, worked by hand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, bss, tempDir } from './lib/server.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const POP = '/tmf-api/productCatalogManagement/v4/productOfferingPrice/pop-data-payg';
const MB = 1024 * 1024;
let srv, dir, m;

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', '2026-06-03T10:00:00Z'], testClock: true });
  dir = tempDir('bss-tiers-');
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const p = all.find((x) => x.productOffering.id === 'po-prepaid-payg' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const u = await srv.request('PATCH', POP, {
    body: {
      price: null,
      usage: { structure: 'tiered', tiers: [{ from: 0, to: 20, price: { unit: 'EUR', value: 0.1 } }, { from: 20, price: { unit: 'EUR', value: 0.01 } }] },
      validFor: { startDateTime: '2026-06-01T00:00:00Z' },
    },
    headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(u.status, 200, u.text);
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const charge = async (id) => {
  const r = await srv.request('GET', `/api/v1/usage/${id}/explain`);
  assert.equal(r.status, 200, r.text);
  return r.json.rating.charge;
};
const file = (name, rows) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
  return f;
};

test('graduated tiers over the period: a record a batch, then one batch, calls and another period between', async () => {
  const one = file('a.csv', [
    ['t-d1', '2026-06-02T08:00:00Z', m, 'data', '', 6 * MB, 'byte'],
    ['t-v1', '2026-06-02T08:10:00Z', m, 'voice', '31687654321', 60, 's'],
    ['t-d2', '2026-06-02T08:20:00Z', m, 'data', '', 6 * MB, 'byte'],
  ]);
  const r = await bss(['usage', 'import', one, '--chunk', '1', '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(await charge('t-d1'), 0.6, '6 MB in the first tier');
  assert.equal(await charge('t-d2'), 0.6, 'still under 20 MB');
  const two = file('b.csv', [
    ['t-v2', '2026-06-02T09:00:00Z', m, 'voice', '31687654321', 60, 's'],
    ['t-d3', '2026-06-02T09:10:00Z', m, 'data', '', 6 * MB, 'byte'],
    ['t-d5', '2026-04-22T10:00:00Z', m, 'data', '', 6 * MB, 'byte'], // another bill period, whatever the cycle day
    ['t-v3', '2026-06-02T09:20:00Z', m, 'voice', '31687654321', 60, 's'],
    ['t-d4', '2026-06-02T09:30:00Z', m, 'data', '', 6 * MB, 'byte'],
  ]);
  const s = await bss(['usage', 'import', two, '--url', srv.url, '--key', srv.key]);
  assert.equal(s.code, 0, s.stderr + s.stdout);
  assert.equal(await charge('t-d3'), 0.6, '12 to 18 MB');
  assert.equal(await charge('t-d5'), 0.3, 'April: the flat 0.05 a MB, before the tiers were valid');
  assert.equal(await charge('t-d4'), 0.24, '18 to 24 MB: 2 MB at 0.10, 4 MB at 0.01 (April\'s 6 MB not counted)');
});
