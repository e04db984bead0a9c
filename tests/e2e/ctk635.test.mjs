// ctk635.test.mjs: the TM Forum TMF635 Usage Management conformance kit
// (../shared/tmf-ctk, run by its run-ctk.mjs with newman) against a real
// `bss serve --demo`. The kit's sample Usage names usage specification
// "af59-b504c742900e", which exists nowhere, and carries nothing to rate;
// bss refuses both (a usage names a real specification and a real line,
// and changes money only with a record id), so the test hands the kit a
// real body: the demo's voice specification and a call of a demo line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, run, repoRoot, tempDir } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');
const PROD = '/tmf-api/productInventory/v4/product';
const U = '/tmf-api/usageManagement/v4';

let srv;
before(async () => { srv = await startServer({ args: ['--demo', '--default-country', 'NL'] }); });
after(async () => { await stopServer(srv); });

test('TMF635 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const line = all.find((p) => p.productOffering.id === 'po-postpaid-s' && p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  const msisdn = line.productCharacteristic.find((c) => c.name === 'MSISDN').value;
  const spec = (await srv.request('GET', `${U}/usageSpecification/us-voice`)).json;
  assert.equal(spec.name, 'Voice call');
  const payloads = {
    Usage: {
      usageSpecification: { id: spec.id, href: spec.href, name: spec.name },
      usageType: 'voice', usageDate: new Date(Date.now() - 60000).toISOString(), description: 'conformance kit call',
      usageCharacteristic: [{ name: 'recordId', value: 'ctk635-call-1' }, { name: 'msisdn', value: msisdn },
        { name: 'destination', value: '31612345678' }, { name: 'quantity', value: 95 }],
    },
    UsageSpecification: { name: 'Voice-Usage-Specification', usageType: 'voice', description: 'a kit specification' },
  };
  const dir = tempDir('bss-ctk635-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF635',
    '--header', `Authorization: Bearer ${srv.key}`, '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  const m = /TMF635: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 20, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
  // the kit's call was rated once: 95 s on the plan's minutes or at its rate
  const u = (await srv.request('GET', `${U}/usage/ctk635-call-1`)).json;
  assert.equal(u.status, 'rated');
  assert.equal(u.usageSpecification.id, 'us-voice');
});
