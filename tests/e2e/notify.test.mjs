// notify.test.mjs: thresholds and notifications against a real `bss serve
// --demo` on a test clock, with --bill-shock 1: an allowance crossing 50,
// 80 and 100 % tells the subscriber once each (a notification in the log
// adapter's file, an outbox event), whether the usage came as a CDR or
// online, and sent again tells nothing twice; a postpaid account's usage
// reaching the bill-shock amount alerts it once per bill period.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, runSql, sleep, bss, tempDir, expectError } from './lib/server.mjs';

let srv, dir;
const lines = {};
before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', '2026-06-03T10:00:00Z', '--bill-shock', '1'], testClock: true });
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  for (const p of all) {
    const m = p.productCharacteristic?.find((c) => c.name === 'MSISDN');
    if (m && !lines[p.productOffering.id]) lines[p.productOffering.id] = m.value.replace('+', '');
  }
  dir = tempDir('bss-notify-');
});
after(async () => { await stopServer(srv); fs.rmSync(dir, { recursive: true, force: true }); });

const log = () => {
  const f = path.join(srv.dataDir, 'notifications.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};
const waitLog = async (n) => {
  for (let i = 0; i < 100 && log().length < n; i++) await sleep(100);
  return log();
};
const importCsv = async (name, rows) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit\n' + rows.join('\n') + '\n');
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
};

test('an allowance crossing 50 and 80 %: one SMS each and one event each, never again for the same bucket', async () => {
  const m = lines['po-prepaid-bundle-10']; // 6000 s of calls
  await importCsv('a.csv', [`n-1,2026-06-03T10:00:00Z,${m},voice,31612345678,3100,s`, `n-2,2026-06-03T10:00:01Z,${m},voice,31612345678,2000,s`]);
  const got = (await waitLog(2)).filter((n) => n.msisdn === m);
  assert.deepEqual(got.map((n) => [n.kind, n.channel, n.to, n.threshold, n.message]), [
    ['usageThreshold', 'sms', m, 50, 'You have used 50% of your 100 min of calls; 48 min left.'],
    ['usageThreshold', 'sms', m, 80, 'You have used 80% of your 100 min of calls; 15 min left.'],
  ]);
  const ev = await runSql(srv, "SELECT COUNT(*) FROM outbox WHERE event_type = 'BucketThresholdReachedEvent'");
  assert.equal(ev, '2');
  const payloads = (await runSql(srv, "SELECT payload FROM outbox WHERE event_type = 'BucketThresholdReachedEvent'")).split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(payloads.map((p) => p.event.bucket.thresholdReached).sort(), [50, 80]);
  const payload = payloads.find((p) => p.event.bucket.thresholdReached === 50);
  assert.equal(payload.event.bucket.logicalResource.id, m);
  assert.deepEqual(payload.event.bucket.remainedAmount, { amount: 2900, units: 's' });
  // the file again: duplicates, no new notification
  await importCsv('a.csv', [`n-1,2026-06-03T10:00:00Z,${m},voice,31612345678,3100,s`, `n-2,2026-06-03T10:00:01Z,${m},voice,31612345678,2000,s`]);
  await sleep(800);
  assert.equal(log().filter((n) => n.msisdn === m).length, 2);
  // an online call uses the rest: 100 % once, however often the session reports
  const cc = (body) => srv.request('POST', '/api/v1/charging/requests', { body });
  await cc({ sessionId: 'n-call', requestNumber: 0, type: 'initial', msisdn: m, destination: '31612345678', services: [{ service: 'voice', requested: 900 }] });
  await cc({ sessionId: 'n-call', requestNumber: 1, type: 'update', services: [{ service: 'voice', used: 900, requested: 60 }] });
  await cc({ sessionId: 'n-call', requestNumber: 2, type: 'terminate', services: [{ service: 'voice', used: 30 }] });
  const all = (await waitLog(3)).filter((n) => n.msisdn === m);
  assert.deepEqual(all.map((n) => n.threshold), [50, 80, 100]);
  assert.equal(all[2].message, 'You have used all 100 min of your calls allowance; more is charged at your plan\'s rates.');
  assert.equal(await runSql(srv, `SELECT COUNT(*) FROM charging_notification WHERE msisdn = '${m}' AND status = 'sent'`), '3');
});

test('bill shock: a postpaid account reaching the amount is alerted once in the bill period', async () => {
  const m = lines['po-postpaid-s'];
  // 600 s to an EU number at 0.23/min = 1.38, over the 1.00 of --bill-shock
  await importCsv('b.csv', [`b-1,2026-06-03T10:00:00Z,${m},voice,33612345678,600,s`, `b-2,2026-06-03T10:00:02Z,${m},voice,33612345678,600,s`]);
  const got = (await waitLog(4)).filter((n) => n.kind === 'billShock');
  assert.equal(got.length, 1);
  assert.equal(got[0].to, m);
  assert.match(got[0].message, /^Your usage this bill period has reached \d+(\.\d+)? EUR \(alert at 1 EUR\)\.$/);
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM outbox WHERE event_type = 'UsageBillShockEvent'"), '1');
});

test('a line\'s spending cap: reached by its usage, told once, and online grants stop there', async () => {
  const PROD = '/tmf-api/productInventory/v4/product';
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const p = all.find((x) => x.productOffering.id === 'po-postpaid-m' && x.productCharacteristic.some((c) => c.name === 'MSISDN'));
  const m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const patch = (chars) => srv.request('PATCH', `${PROD}/${p.id}`, { body: { productCharacteristic: chars }, headers: { 'content-type': 'application/merge-patch+json' } });
  expectError(await patch([...p.productCharacteristic, { name: 'spendingCap', value: 'lots' }]), 400, 'INVALID', `productCharacteristic[${p.productCharacteristic.length}].value`, 'not an amount');
  const r = await patch([...p.productCharacteristic, { name: 'spendingCap', value: 2 }]);
  assert.equal(r.status, 200, r.text);
  // 900 s to an EU number at Postpaid M's 0.19/min: 2.85 billed, over the cap of 2
  await importCsv('c.csv', [`cap-1,2026-06-03T10:00:00Z,${m},voice,33612345678,900,s`]);
  const got = (await waitLog(5)).filter((n) => n.kind === 'spendingCap');
  assert.equal(got.length, 1);
  assert.equal(got[0].message, 'Your line has reached its spending cap of 2 EUR this bill period; more usage is refused until the next.');
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM outbox WHERE event_type = 'UsageSpendingCapEvent'"), '1');
  // online: nothing more is granted
  const a = (await srv.request('POST', '/api/v1/charging/requests', { body: { sessionId: 'cap-call', requestNumber: 0, type: 'initial',
    msisdn: m, destination: '33612345678', services: [{ service: 'voice', requested: 60 }] } })).json;
  assert.deepEqual([a.resultCode, a.services[0].granted], [4012, 0]);
});

test('a spending cap holds across rating groups of one request and across concurrent sessions', async () => {
  const PROD = '/tmf-api/productInventory/v4/product';
  const all = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const p = all.filter((x) => x.productOffering.id === 'po-postpaid-m' && x.productCharacteristic.some((c) => c.name === 'MSISDN'))[1];
  const m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const r = await srv.request('PATCH', `${PROD}/${p.id}`, { body: { productCharacteristic: [...p.productCharacteristic, { name: 'spendingCap', value: 1 }] },
    headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(r.status, 200, r.text);
  const cc = async (body) => (await srv.request('POST', '/api/v1/charging/requests', { body: { msisdn: m, destination: '33612345678', ...body } })).json;
  // two rating groups of EU voice at 0.19/min (first 60 s, then per second) against a cap of 1:
  // 240 s (0.76) to the first, the 75 s the 0.24 left buys (0.2375) to the second
  const a = await cc({ sessionId: 'cap2-a', requestNumber: 0, type: 'initial',
    services: [{ service: 'voice', ratingGroup: 1, requested: 240 }, { service: 'voice', ratingGroup: 2, requested: 300 }] });
  assert.deepEqual(a.services.map((s) => [s.resultCode, s.granted, s.finalUnit ?? false]), [[2001, 240, false], [2001, 75, true]]);
  // a second session on the line: the first one holds the whole cap
  const b = await cc({ sessionId: 'cap2-b', requestNumber: 0, type: 'initial', services: [{ service: 'voice', requested: 60 }] });
  assert.deepEqual([b.resultCode, b.services[0].granted], [4012, 0]);
  // the first ends having used 120 s of its first group only: 0.38 billed, 0.62 left for the next (195 s)
  const t = await cc({ sessionId: 'cap2-a', requestNumber: 1, type: 'terminate',
    services: [{ service: 'voice', ratingGroup: 1, used: 120 }, { service: 'voice', ratingGroup: 2, used: 0 }] });
  assert.equal(t.resultCode, 2001, JSON.stringify(t));
  const c = await cc({ sessionId: 'cap2-c', requestNumber: 0, type: 'initial', services: [{ service: 'voice', requested: 600 }] });
  assert.deepEqual([c.resultCode, c.services[0].granted, c.services[0].finalUnit], [2001, 195, true]);
});
