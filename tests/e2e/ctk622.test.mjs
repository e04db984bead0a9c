// ctk622.test.mjs: the TM Forum TMF622 Product Ordering conformance kit
// (../shared/tmf-ctk, run by its run-ctk.mjs with newman) against a real
// `bss serve --demo`. The kit's sample order names party "456-dd-df45" and
// an item without an offering, which bss refuses (an order needs a real
// customer, account and offering), so the test hands the kit a real order
// for a demo customer: a new prepaid line with a number from the pool.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, run, repoRoot, tempDir } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');

let srv;
before(async () => { srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5'] }); });
after(async () => { await stopServer(srv); });

test('TMF622 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const lines = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&productOffering.id=po-prepaid-payg')).json;
  assert.ok(lines.length > 0, 'a demo prepaid customer');
  const payloads = {
    ProductOrder: {
      description: 'conformance kit: a new prepaid line',
      relatedParty: [{ id: lines[0].relatedParty[0].id, role: 'customer', '@referredType': 'Customer' }],
      billingAccount: { id: lines[0].billingAccount.id },
      productOrderItem: [{ id: '123', action: 'add', productOffering: { id: 'po-prepaid-payg' },
        product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }],
    },
  };
  const dir = tempDir('bss-ctk622-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF622',
    '--header', `Authorization: Bearer ${srv.key}`, '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  const m = /TMF622: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 40, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
});
