// ctk666.test.mjs: the TM Forum TMF666 Account Management conformance kit
// (../shared/tmf-ctk, run by its run-ctk.mjs with newman) against a real
// `bss serve`. The kit's sample bodies name organizations "4665", "6838" and
// "5965", which exist nowhere, and bss checks every party an account names
// (a billing account must also name its owner and its currency), so this
// test creates a real organization through TMF632 first and hands the kit
// account bodies that refer to it. billPresentationMedia is only read by
// the kit: it lists the media seeded by the migration (email, paper, portal).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, run, repoRoot, tempDir } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');

let srv;
before(async () => { srv = await startServer(); });

test('TMF666 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const r0 = await srv.request('POST', '/tmf-api/party/v4/organization', {
    body: { name: 'Richard Cole Travel', tradingName: 'RC Travel' },
  });
  assert.equal(r0.status, 201, r0.text);
  const org = r0.json;
  const party = (role) => [{ id: org.id, href: org.href, name: org.name, '@referredType': 'Organization', ...(role ? { role } : {}) }];
  const payloads = {
    BillFormat: { name: 'Detailed invoice', description: 'Every call and session itemised' },
    BillingCycleSpecification: { name: 'Monthly billing', frequency: 'monthly', billCycleDay: 1, paymentDueDateOffset: 14 },
    PartyAccount: { name: 'Travel account', relatedParty: party() },
    FinancialAccount: { name: 'Administration account', currency: 'EUR' },
    BillingAccount: {
      name: 'Home Account', relatedParty: party('owner'), currency: 'EUR', billCycleDay: 1,
      creditLimit: { unit: 'EUR', value: 500 }, billStructure: { presentationMedia: [{ id: 'email' }] },
    },
    SettlementAccount: { name: 'Per Usage Account', relatedParty: party() },
  };
  const dir = tempDir('bss-ctk666-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF666',
    '--header', `Authorization: Bearer ${srv.key}`, '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  // 1265 assertions on a fresh store; lists assert on each element, so more rows give more.
  const m = /TMF666: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 1265, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
});
