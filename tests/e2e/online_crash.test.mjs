// online_crash.test.mjs: kill -9 while online sessions are charged, restart
// on the same store, send every request again from the first: each one
// answered before the crash gets its first answer again, the one in flight
// is applied once, and the wallet ends exactly where the calls put it.
// 20 calls of 90 s to an EU number (0.23 a minute, any time band): 0.345
// each, 6.90 in all, from a 10.00 wallet.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, killServer } from './lib/server.mjs';

let srv;
after(async () => { if (srv && !srv.stopping) await stopServer(srv); });

const requests = (m) => {
  const calls = [];
  for (let i = 0; i < 20; i++) {
    const id = `crash-call-${i}`;
    const v = (more) => [{ service: 'voice', ...more }];
    calls.push([
      { sessionId: id, requestNumber: 0, type: 'initial', msisdn: m, destination: '33612345678', services: v({ requested: 60 }) },
      { sessionId: id, requestNumber: 1, type: 'update', services: v({ used: 60, requested: 60 }) },
      { sessionId: id, requestNumber: 2, type: 'terminate', services: v({ used: 30 }) },
    ]);
  }
  return calls;
};

test('kill -9 during online sessions: after a restart and a resend, every answer is the first and the wallet exact', { timeout: 300000 }, async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL'] });
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  const p = all.find((x) => x.productOffering.id === 'po-prepaid-payg' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  const m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const calls = requests(m);
  const answers = new Map();
  // four calls at a time, until the server dies under them
  let sent = 0;
  const killAt = 25;
  let killed = false;
  const run = async (call) => {
    for (const req of call) {
      if (killed) return;
      try {
        const r = await srv.request('POST', '/api/v1/charging/requests', { body: req });
        if (r.status === 200) answers.set(`${req.sessionId}/${req.requestNumber}`, r.json);
      } catch { return; /* the server went away */ }
      if (++sent === killAt && !killed) { killed = true; await killServer(srv); }
    }
  };
  for (let i = 0; i < calls.length && !killed; i += 4) await Promise.all(calls.slice(i, i + 4).map(run));
  assert.ok(killed && answers.size >= killAt - 4 && answers.size < 60, `killed mid-way (${answers.size} answers)`);
  srv = await startServer({ args: ['--demo', '--default-country', 'NL'], dataDir: srv.dataDir, pgDatabase: srv.pg });
  for (const call of calls) {
    for (const req of call) {
      const r = await srv.request('POST', '/api/v1/charging/requests', { body: req });
      assert.equal(r.status, 200, r.text);
      const first = answers.get(`${req.sessionId}/${req.requestNumber}`);
      if (first) {
        assert.equal(r.headers['idempotent-replay'], 'true', `${req.sessionId}/${req.requestNumber} answered before`);
        assert.deepEqual(r.json, first);
      }
      assert.equal(r.json.resultCode, 2001, r.text);
    }
  }
  const w = (await srv.request('GET', `/tmf-api/prepayBalanceManagement/v4/bucket?logicalResource.id=${m}&usageType=monetary`)).json[0];
  assert.deepEqual(w.remainedAmount, { amount: 3.1, units: 'EUR' });
  assert.deepEqual(w.reservedAmount, { amount: 0, units: 'EUR' });
  const usage = (await srv.request('GET', `/tmf-api/usageManagement/v4/usage?msisdn=${m}&limit=100`)).json;
  assert.equal(usage.length, 20, 'one usage per call');
  assert.ok(usage.every((u) => u.ratedProductUsage[0].taxExcludedRatingAmount.value === 0.345));
});
