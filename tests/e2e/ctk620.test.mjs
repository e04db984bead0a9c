// ctk620.test.mjs: the TM Forum TMF620 conformance kit (../shared/tmf-ctk,
// 396 assertions, run by its run-ctk.mjs with newman) against a real
// `bss serve`. The kit's sample bodies point at ids that exist nowhere
// (product specification 9881), and bss checks references, so this test
// first creates a real specification, then hands the kit real bodies: a
// specification with characteristics, an offering selling that
// specification, and a recurring price with a Money amount.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, run, repoRoot, tempDir } from './lib/server.mjs';

const BASE = '/tmf-api/productCatalogManagement/v4';
const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');

let srv;
before(async () => { srv = await startServer(); });

async function post(seg, body) {
  const r = await srv.request('POST', `${BASE}/${seg}`, { body });
  assert.equal(r.status, 201, `${seg}: ${r.text}`);
  return r.json;
}

test('TMF620 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const spec = await post('productSpecification', {
    name: 'Mobile line', lifecycleStatus: 'Active', brand: 'bss',
    productSpecCharacteristic: [
      { name: 'dataAllowance', valueType: 'number',
        productSpecCharacteristicValue: [{ value: 10, unitOfMeasure: 'GB', isDefault: true }] },
      { name: 'simType', valueType: 'string', productSpecCharacteristicValue: [{ value: 'eSIM' }, { value: 'physical' }] },
    ],
  });
  const payloads = {
    ProductSpecification: {
      name: 'Firewall service', lifecycleStatus: 'In design',
      productSpecCharacteristic: [{ name: 'maxSpeed', valueType: 'number',
        productSpecCharacteristicValue: [{ value: 100, unitOfMeasure: 'Mbps' }] }],
    },
    ProductOffering: {
      name: 'aProductOffering', isBundle: false, lifecycleStatus: 'In design',
      productSpecification: { id: spec.id, href: spec.href, name: spec.name, '@referredType': 'ProductSpecification' },
    },
    ProductOfferingPrice: {
      name: 'Recurring Charge for Business Firewall', isBundle: false, priceType: 'recurring',
      price: { unit: 'EUR', value: 25 }, recurringChargePeriodType: 'month', recurringChargePeriodLength: 1,
    },
  };
  const dir = tempDir('bss-ctk620-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF620',
    '--header', `Authorization: Bearer ${srv.key}`, '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  // 396 assertions on an empty catalog; lists that hold more resources (the
  // specification made above) assert on each element, so the count can be higher.
  const m = /TMF620: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 396, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
});
