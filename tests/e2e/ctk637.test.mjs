// ctk637.test.mjs: the TM Forum TMF637 Product Inventory conformance kit
// (../shared/tmf-ctk, run by its run-ctk.mjs with newman) against a real
// `bss serve --demo`. The kit only reads (lists, fields, filters on id and
// status, a 404), so it runs on the demo operator's lines: at least 20
// active products with MSISDN and ICCID characteristics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, run, repoRoot } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');

let srv;
before(async () => { srv = await startServer({ args: ['--demo', '--default-country', 'NL'] }); });
after(async () => { await stopServer(srv); });

test('the demo has at least 20 active lines with a number and a SIM', async () => {
  const r = await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000');
  assert.equal(r.status, 200, r.text);
  const lines = r.json.filter((p) => (p.productCharacteristic || []).some((c) => c.name === 'MSISDN'));
  assert.ok(lines.length >= 20, `${lines.length} active lines`);
  for (const l of lines) assert.ok(l.productCharacteristic.some((c) => c.name === 'ICCID'), l.id);
  const offerings = new Set(lines.map((l) => l.productOffering.id));
  assert.ok([...offerings].some((o) => o.startsWith('po-prepaid')) && [...offerings].some((o) => o.startsWith('po-postpaid')));
  assert.ok(offerings.has('po-family-share'));
  assert.ok(r.json.some((p) => (p.productRelationship || []).some((x) => x.relationshipType === 'addOnTo')), 'add-ons');
});

test('TMF637 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF637',
    '--header', `Authorization: Bearer ${srv.key}`], { env: process.env, timeoutMs: 540000 });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  const m = /TMF637: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 500, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
});
