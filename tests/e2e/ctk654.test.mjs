// ctk654.test.mjs: the TM Forum TMF654 Prepay Balance Management
// conformance kit (../shared/tmf-ctk, run by its run-ctk.mjs with newman)
// against a real `bss serve --demo`. The kit's sample bodies name bucket
// "11" and carry no billing account, which bss refuses (a bucket belongs
// to a real account; an action names a real bucket), so the test creates a
// wallet for a demo account first and hands the kit real bodies. Every
// request that changes a balance carries an Idempotency-Key, so the runner
// sends one (the kit posts each kind of action once).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, run, repoRoot, tempDir, created } from './lib/server.mjs';

const shared = path.resolve(repoRoot, '..', 'shared');
const runner = path.join(shared, 'tmf-ctk', 'run-ctk.mjs');
const P = '/tmf-api/prepayBalanceManagement/v4';

let srv;
before(async () => { srv = await startServer({ args: ['--demo', '--default-country', 'NL'] }); });
after(async () => { await stopServer(srv); });

test('TMF654 conformance kit passes in full', { timeout: 600000 }, async () => {
  assert.ok(fs.existsSync(runner),
    `the TMF conformance kits are missing: expected ${runner} (the shared folder beside the repo; CI has it)`);
  const accounts = (await srv.request('GET', '/tmf-api/accountManagement/v4/billingAccount?limit=1')).json;
  const account = { id: accounts[0].id };
  const wallet = await created(await srv.request('POST', `${P}/bucket`, {
    body: { usageType: 'monetary', partyAccount: account, remainedAmount: { amount: 100, units: 'EUR' }, name: 'kit wallet' },
  }));
  const bucket = { id: wallet.id, href: wallet.href };
  const payloads = {
    Bucket: { usageType: 'monetary', partyAccount: account, remainedAmount: { amount: 0, units: 'EUR' }, name: 'kit bucket' },
    TopupBalance: { amount: { amount: 50, units: 'EUR' }, bucket, channel: { name: 'ctk' } },
    AdjustBalance: { amount: { amount: 50, units: 'EUR' }, usageType: 'monetary', bucket, reason: 'conformance kit goodwill credit' },
    ReserveBalance: { amount: { amount: 50, units: 'EUR' }, bucket,
      relatedParty: [{ id: accounts[0].relatedParty?.[0]?.id || 'kit', role: 'customer', '@referredType': 'Customer' }] },
  };
  const dir = tempDir('bss-ctk654-');
  const file = path.join(dir, 'payloads.json');
  fs.writeFileSync(file, JSON.stringify(payloads, null, 2));
  const r = await run(process.execPath, [runner, '--base', srv.url, '--api', 'TMF654',
    '--header', `Authorization: Bearer ${srv.key}`, '--header', 'Idempotency-Key: ctk654-run-1',
    '--payloads', file], { env: process.env, timeoutMs: 540000 });
  fs.rmSync(dir, { recursive: true, force: true });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `run-ctk exited ${r.code}:\n${out}`);
  const m = /TMF654: (\d+) passed, 0 failed/.exec(r.stdout);
  assert.ok(m && Number(m[1]) >= 100, out);
  assert.match(r.stdout, /ctk: \d+ passed, 0 failed/, out);
  assert.doesNotMatch(r.stdout, /payloads matched no request/, out);
  // what the kit did is in the wallet: 100 + 50 top-up + 50 credit, 50 of it reserved
  const w = (await srv.request('GET', `${P}/bucket/${wallet.id}`)).json;
  assert.deepEqual(w.remainedAmount, { amount: 200, units: 'EUR' });
  assert.deepEqual(w.reservedAmount, { amount: 50, units: 'EUR' });
});
