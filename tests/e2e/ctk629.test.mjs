// ctk629.test.mjs: the TM Forum TMF629 Customer Management conformance kit
// (../shared/tmf-ctk, run by its run-ctk.mjs with newman) against a real
// `bss serve`. The kit's sample body names organization "500", which exists
// nowhere, and bss requires the engaged party to exist, so this test first
// creates a real organization through TMF632 and hands the kit a customer
// body that refers to it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, run, repoRoot, tempDir } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');

let srv;
before(async () => { srv = await startServer(); });

test('TMF629 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const r0 = await srv.request('POST', '/tmf-api/party/v4/organization', {
    body: { name: 'Moon Football Club', tradingName: 'Moon FC' },
  });
  assert.equal(r0.status, 201, r0.text);
  const org = r0.json;
  const payloads = {
    Customer: {
      name: 'Moon Football Club',
      engagedParty: { id: org.id, href: org.href, name: org.name, '@referredType': 'Organization' },
    },
  };
  const dir = tempDir('bss-ctk629-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF629',
    '--header', `Authorization: Bearer ${srv.key}`, '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  // 70 assertions on a fresh store; lists assert on each element, so more rows give more.
  const m = /TMF629: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 70, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
});
