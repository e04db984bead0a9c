// online.test.mjs: the online charging API (POST /api/v1/charging/requests)
// against a real `bss serve --demo` on a test clock (Wednesday 2026-06-03
// 10:00 UTC, peak): sessions granted from the demo's 10.00 EUR wallets,
// used units committed, final units and 4012 when the wallet is spent,
// retransmissions answered from the first answer, concurrent sessions that
// cannot spend more than the wallet holds, grants that return when their
// validity ends, interim reports that cost what one CDR costs, events,
// refunds and every bad request's answer. Values worked out by hand from
// data/demo/catalog.json: national mobile at peak is 0.25 a minute, the
// first 60 s whole, then by the second.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, expectError, runSql } from './lib/server.mjs';

const B = '/tmf-api/prepayBalanceManagement/v4/bucket';
const T0 = '2026-06-03T10:00:00Z';
let srv;
const payg = [];
let post;

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', T0], testClock: true });
  const all = (await srv.request('GET', '/tmf-api/productInventory/v4/product?status=active&limit=1000')).json;
  for (const p of all) {
    const m = p.productCharacteristic?.find((c) => c.name === 'MSISDN');
    if (!m) continue;
    if (p.productOffering.id === 'po-prepaid-payg') payg.push(m.value.replace('+', ''));
    if (p.productOffering.id === 'po-postpaid-s' && !post) post = m.value.replace('+', '');
  }
  assert.ok(payg.length >= 2 && post);
});
after(async () => { await stopServer(srv); });

const cc = (body) => srv.request('POST', '/api/v1/charging/requests', { body });
const ok = async (body) => { const r = await cc(body); assert.equal(r.status, 200, r.text); return r.json; };
const wallet = async (m) => (await srv.request('GET', `${B}?logicalResource.id=${m}&usageType=monetary`)).json[0];
const voice = (more) => ({ service: 'voice', ...more });

test('a session: granted from the wallet, used units committed, final units, then 4012; one usage at the end', async () => {
  const m = payg[0];
  let a = await ok({ sessionId: 'call-1', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321', services: [voice({ requested: 600 })] });
  assert.equal(a.resultCode, 2001);
  assert.deepEqual(a.services.map((s) => [s.resultCode, s.granted, s.finalUnit, s.validitySeconds]), [[2001, 600, undefined, 300]]);
  assert.deepEqual((await wallet(m)).reservedAmount, { amount: 2.5, units: 'EUR' }, '600 s at 0.25/min held');
  // 600 s used (2.50), 2000 more asked: the wallet holds 7.50 = 1800 s, granted as final units
  a = await ok({ sessionId: 'call-1', requestNumber: 1, type: 'update', services: [voice({ used: 600, requested: 2000 })] });
  assert.deepEqual(a.services.map((s) => [s.resultCode, s.granted, s.finalUnit, s.finalUnitAction, s.charged, s.usedTotal]),
    [[2001, 1800, true, 'TERMINATE', 2.5, 600]]);
  const w = await wallet(m);
  assert.deepEqual([w.remainedAmount.amount, w.reservedAmount.amount], [7.5, 7.5]);
  // sent again (a retransmission): the same answer, nothing charged twice
  const again = await cc({ sessionId: 'call-1', requestNumber: 1, type: 'update', services: [voice({ used: 600, requested: 2000 })] });
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.deepEqual(again.json, a);
  assert.equal((await wallet(m)).remainedAmount.amount, 7.5);
  // the final units used: the wallet is empty, nothing more
  a = await ok({ sessionId: 'call-1', requestNumber: 2, type: 'update', services: [voice({ used: 1800, requested: 600 })] });
  assert.equal(a.resultCode, 4012);
  assert.deepEqual(a.services.map((s) => [s.result, s.granted, s.charged, s.usedTotal]), [['CREDIT_LIMIT_REACHED', 0, 7.5, 2400]]);
  a = await ok({ sessionId: 'call-1', requestNumber: 3, type: 'terminate', services: [voice({ used: 0 })] });
  assert.equal(a.resultCode, 2001);
  assert.deepEqual([(await wallet(m)).remainedAmount.amount, (await wallet(m)).reservedAmount.amount], [0, 0]);
  // the session is one usage: 2400 s, 10.00, explained like any other
  const list = (await srv.request('GET', `/tmf-api/usageManagement/v4/usage?msisdn=${m}`)).json;
  assert.equal(list.length, 1);
  const x = (await srv.request('GET', `/api/v1/usage/${list[0].id}/explain`)).json;
  assert.equal(x.source, 'online');
  assert.equal(x.sourceRef, 'call-1');
  assert.equal(x.event.quantity, 2400);
  assert.equal(x.rating.charge, 10);
  assert.deepEqual(x.buckets.map((b) => [b.bucketSource, b.before, b.after]), [['wallet', 10, 0]]);
  // a closed session answers 5002
  a = await ok({ sessionId: 'call-1', requestNumber: 4, type: 'update', services: [voice({ used: 1 })] });
  assert.deepEqual([a.resultCode, a.reason], [5002, 'the session is closed']);
});

test('interim reports cost what one CDR of the whole call costs: the first minute is charged once', async () => {
  const m = payg[1];
  await ok({ sessionId: 'call-2', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321', services: [voice({ requested: 30 })] });
  // 30 s: the first 60 s are whole, 0.25
  let a = await ok({ sessionId: 'call-2', requestNumber: 1, type: 'update', services: [voice({ used: 30, requested: 30 })] });
  assert.equal(a.services[0].charged, 0.25);
  // 31 s more: 61 s in all = 0.254167, so this report adds 0.004167 (not another minute)
  a = await ok({ sessionId: 'call-2', requestNumber: 2, type: 'terminate', services: [voice({ used: 31 })] });
  assert.equal(a.services[0].charged, 0.004167);
  assert.equal((await wallet(m)).remainedAmount.amount, 9.745833);
});

test('two sessions on one wallet never spend more than it holds; a grant returns when its validity ends', async () => {
  const m = payg[1]; // 9.745833 left
  // 9.745833 at 0.25/min: 2339 s cost 9.745833 (half-up), 2340 s 9.75
  let a = await ok({ sessionId: 'call-3', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321', services: [voice({ requested: 3600 })] });
  assert.deepEqual([a.services[0].granted, a.services[0].finalUnit], [2339, true]);
  a = await ok({ sessionId: 'call-4', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].granted], [4012, 0], 'the first session holds it all');
  // 301 s later the first grant has lapsed (--quota-validity 300) and the second session gets its minute
  const r = await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-03T10:05:01Z' } });
  assert.ok(r.status < 300, r.text);
  a = await ok({ sessionId: 'call-4', requestNumber: 1, type: 'update', services: [voice({ used: 0, requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].granted], [2001, 60]);
  // the first session reports what it used of its lapsed grant: still charged (usage already spent)
  a = await ok({ sessionId: 'call-3', requestNumber: 1, type: 'terminate', services: [voice({ used: 120 })] });
  assert.equal(a.services[0].charged, 0.5);
  await ok({ sessionId: 'call-4', requestNumber: 2, type: 'terminate', services: [voice({ used: 60 })] });
  assert.equal((await wallet(m)).remainedAmount.amount, 8.995833);
});

test('data with two rating groups in one request, each with its own answer', async () => {
  const a = await ok({ sessionId: 'data-1', requestNumber: 0, type: 'initial', msisdn: post,
    services: [{ service: 'data', ratingGroup: 10, requested: 1048576 }, { service: 'data', ratingGroup: 20, requested: 2097152 }] });
  assert.equal(a.resultCode, 2001);
  assert.deepEqual(a.services.map((s) => [s.ratingGroup, s.resultCode, s.granted]), [[10, 2001, 1048576], [20, 2001, 2097152]]);
  const t = await ok({ sessionId: 'data-1', requestNumber: 1, type: 'terminate',
    services: [{ service: 'data', ratingGroup: 10, used: 500000 }, { service: 'data', ratingGroup: 20, used: 1000000 }] });
  assert.deepEqual(t.services.map((s) => s.usedTotal), [500000, 1000000]);
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE source_ref = 'data-1'"), '2');
});

test('events: a debit whole or not at all, a refund to the wallet, each answered once', async () => {
  const empty = payg[0];
  let a = await ok({ sessionId: 'ev-1', requestNumber: 0, type: 'event', msisdn: empty, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [4012, 0]);
  a = await ok({ sessionId: 'ev-2', requestNumber: 0, type: 'event', action: 'refund', msisdn: empty, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [2001, -0.25]);
  assert.equal((await wallet(empty)).remainedAmount.amount, 0.25);
  const again = await cc({ sessionId: 'ev-2', requestNumber: 0, type: 'event', action: 'refund', msisdn: empty, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.equal(again.headers['idempotent-replay'], 'true');
  assert.equal((await wallet(empty)).remainedAmount.amount, 0.25, 'refunded once');
  a = await ok({ sessionId: 'ev-3', requestNumber: 0, type: 'event', msisdn: empty, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [2001, 0.25]);
  assert.equal((await wallet(empty)).remainedAmount.amount, 0);
  a = await ok({ sessionId: 'ev-4', requestNumber: 0, type: 'event', action: 'refund', msisdn: post, destination: '31687654321', services: [voice({ requested: 60 })] });
  assert.equal(a.resultCode, 4011, 'a postpaid line has no wallet to refund to');
});

test('bad requests: each answered with its result code or its error', async () => {
  let a = await ok({ sessionId: 'x-1', requestNumber: 0, type: 'initial', msisdn: '31699999990', services: [voice({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.result], [5030, 'USER_UNKNOWN']);
  a = await ok({ sessionId: 'x-2', requestNumber: 1, type: 'update', services: [voice({ used: 10 })] });
  assert.deepEqual([a.resultCode, a.reason], [5002, 'no such session']);
  await ok({ sessionId: 'x-3', requestNumber: 0, type: 'initial', msisdn: post, destination: '31612345678', services: [voice({ requested: 60 })] });
  // an initial request again is a retransmission (the same session and number 0): the first answer
  const i2 = await cc({ sessionId: 'x-3', requestNumber: 0, type: 'initial', msisdn: post, services: [voice({ requested: 1 })] });
  assert.equal(i2.headers['idempotent-replay'], 'true');
  assert.equal(i2.json.services[0].granted, 60);
  await ok({ sessionId: 'x-3', requestNumber: 5, type: 'update', services: [voice({ used: 10 })] });
  expectError(await cc({ sessionId: 'x-3', requestNumber: 4, type: 'update', services: [voice({ used: 10 })] }), 409, 'CONFLICT', 'requestNumber', 'going back');
  // an earlier request sent again after a later one was answered: still its first answer
  const i3 = await cc({ sessionId: 'x-3', requestNumber: 0, type: 'initial', msisdn: post, services: [voice({ requested: 1 })] });
  assert.deepEqual([i3.headers['idempotent-replay'], i3.json.services[0].granted], ['true', 60]);
  expectError(await cc({ sessionId: 'x-4', requestNumber: 0, type: 'begin', msisdn: post, services: [voice({})] }), 400, 'INVALID', 'type', 'type');
  expectError(await cc({ sessionId: 'x-4', requestNumber: 0, type: 'initial', msisdn: post, services: [] }), 400, 'INVALID', 'services', 'none');
  expectError(await cc({ sessionId: 'x-4', requestNumber: 0, type: 'initial', services: [voice({})] }), 400, 'INVALID', 'msisdn', 'no msisdn');
  expectError(await cc({ sessionId: 'x-4', requestNumber: 0, type: 'initial', msisdn: post, services: [voice({ used: -1 })] }), 400, 'INVALID', 'services[0].used', 'negative');
  expectError(await cc({ sessionId: 'x-4', requestNumber: 0, type: 'initial', msisdn: post, services: [{ service: 'fax' }] }), 400, 'INVALID', 'services[0].service', 'service');
  expectError(await cc({ sessionId: '', requestNumber: 0, type: 'initial', msisdn: post, services: [voice({})] }), 400, 'INVALID', 'sessionId', 'no id');
  expectError(await cc({ sessionId: 'x-5', requestNumber: 3, type: 'initial', msisdn: post, services: [voice({})] }), 400, 'INVALID', 'requestNumber', 'initial is 0');
});

test('every bucket still equals the sum of its ledger', async () => {
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0');
});

test('a usage charged online is not charged again by its CDR or a TMF635 usage naming the session', async () => {
  const m = payg[1];
  const before = (await wallet(m)).remainedAmount.amount;
  let a = await ok({ sessionId: 'sms-ev-9', requestNumber: 0, type: 'event', msisdn: m, destination: '31612345678', services: [{ service: 'sms', requested: 1 }] });
  assert.equal(a.resultCode, 2001);
  const charged = a.services[0].charged;
  assert.ok(charged > 0, 'an SMS costs something on pay as you go');
  // the network's CDR of the same SMS, naming the event: a duplicate, not charged
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { tempDir, bss } = await import('./lib/server.mjs');
  const dir = tempDir('bss-online-cdr-');
  const f = path.join(dir, 'sms.csv');
  fs.writeFileSync(f, 'record_id,start_time,msisdn,service,destination,quantity,unit,session_id\n'
    + `cdr-sms-9,2026-06-03T10:05:00Z,${m},sms,31612345678,1,msg,sms-ev-9\n`);
  const r = await bss(['usage', 'import', f, '--url', srv.url, '--key', srv.key]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /1 read, 0 rated, 0 rejected, 1 duplicates/);
  fs.rmSync(dir, { recursive: true, force: true });
  // and by REST
  const u = await srv.request('POST', '/tmf-api/usageManagement/v4/usage', { body: { usageType: 'sms', usageDate: '2026-06-03T10:05:00Z',
    usageCharacteristic: [{ name: 'recordId', value: 'rest-sms-9' }, { name: 'msisdn', value: m }, { name: 'destination', value: '31612345678' },
      { name: 'quantity', value: 1 }, { name: 'sessionId', value: 'sms-ev-9' }] } });
  expectError(u, 409, 'CONFLICT', 'sessionId', 'charged online');
  assert.equal(u.json.message, 'record rest-sms-9 was charged online (session sms-ev-9)');
  assert.equal((await wallet(m)).remainedAmount.amount, +(before - charged).toFixed(6), 'charged once');
});

test('a session the network forgot is closed once its grant lapsed and a holding time passed; its usage is written', async () => {
  const m = post;
  await ok({ sessionId: 'lost-1', requestNumber: 0, type: 'initial', msisdn: m, destination: '31612345678', services: [voice({ requested: 120 })] });
  await ok({ sessionId: 'lost-1', requestNumber: 1, type: 'update', services: [voice({ used: 90, requested: 120 })] });
  // validity 300 s plus holding 300 s later (the clock stands at 10:05:01 since the concurrency test)
  const r = await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-03T10:15:30Z' } });
  assert.ok(r.status < 300, r.text);
  let state = '';
  for (let i = 0; i < 100 && state !== 'closed'; i++) {
    state = await runSql(srv, "SELECT state FROM charging_session WHERE id = 'lost-1'");
    if (state !== 'closed') await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(state, 'closed');
  assert.equal(await runSql(srv, "SELECT quantity FROM usage_record WHERE source_ref = 'lost-1'"), '90');
  const a = await ok({ sessionId: 'lost-1', requestNumber: 2, type: 'update', services: [voice({ used: 10 })] });
  assert.deepEqual([a.resultCode, a.reason], [5002, 'the session is closed']);
});

test('an update that reports one rating group leaves the other\'s grant held', async () => {
  const m = payg[0]; // spent by the first tests: 10.00 topped up
  const top = await srv.request('POST', '/tmf-api/prepayBalanceManagement/v4/topupBalance', { headers: { 'idempotency-key': 'rg-topup' },
    body: { amount: { amount: 10, units: 'EUR' }, bucket: { id: (await wallet(m)).id } } });
  assert.equal(top.status, 201, top.text);
  assert.equal((await wallet(m)).remainedAmount.amount, 10);
  let a = await ok({ sessionId: 'rg-1', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321',
    services: [voice({ ratingGroup: 1, requested: 600 }), voice({ ratingGroup: 2, requested: 600 })] });
  assert.deepEqual(a.services.map((s) => s.granted), [600, 600]);
  assert.equal((await wallet(m)).reservedAmount.amount, 5, 'two grants of 600 s at 0.25/min held');
  // group 1 reports its 600 s (2.50) and asks for 600 more; group 2, not named, keeps its 2.50
  a = await ok({ sessionId: 'rg-1', requestNumber: 1, type: 'update', services: [voice({ ratingGroup: 1, used: 600, requested: 600 })] });
  assert.deepEqual(a.services.map((s) => [s.ratingGroup, s.granted, s.charged]), [[1, 600, 2.5]]);
  let w = await wallet(m);
  assert.deepEqual([w.remainedAmount.amount, w.reservedAmount.amount], [7.5, 5]);
  // 7.50 left, 5.00 held: a second call may have the 2.50 between (600 s), final units
  a = await ok({ sessionId: 'rg-2', requestNumber: 0, type: 'initial', msisdn: m, destination: '31687654321', services: [voice({ requested: 900 })] });
  assert.deepEqual([a.services[0].granted, a.services[0].finalUnit], [600, true]);
  await ok({ sessionId: 'rg-2', requestNumber: 1, type: 'terminate', services: [voice({ used: 0 })] });
  // the end: group 2 used 60 s (0.25); everything held goes back
  a = await ok({ sessionId: 'rg-1', requestNumber: 2, type: 'terminate', services: [voice({ ratingGroup: 2, used: 60 })] });
  assert.equal(a.resultCode, 2001);
  w = await wallet(m);
  assert.deepEqual([w.remainedAmount.amount, w.reservedAmount.amount], [7.25, 0]);
});

test('what sessions leave behind goes: released holds after 10 minutes, a closed session\'s answers after an hour; nothing charged twice', async () => {
  const m = payg[1];
  const top = await srv.request('POST', '/tmf-api/prepayBalanceManagement/v4/topupBalance', { headers: { 'idempotency-key': 'purge-topup' },
    body: { amount: { amount: 5, units: 'EUR' }, bucket: { id: (await wallet(m)).id } } });
  assert.equal(top.status, 201, top.text);
  const call = { sessionId: 'purge-1', destination: '31687654321' };
  await ok({ ...call, requestNumber: 0, type: 'initial', msisdn: m, services: [voice({ requested: 60 })] });
  await ok({ ...call, requestNumber: 1, type: 'update', services: [voice({ used: 60, requested: 60 })] });
  const end = await ok({ ...call, requestNumber: 2, type: 'terminate', services: [voice({ used: 30 })] });
  const ev = { sessionId: 'purge-ev', requestNumber: 0, type: 'event', msisdn: m, destination: '31687654321', services: [voice({ requested: 60 })] };
  const first = await ok(ev);
  assert.equal(first.services[0].charged, 0.25);
  const left = (await wallet(m)).remainedAmount.amount;
  const sql = (q) => runSql(srv, q);
  assert.equal(await sql("SELECT COUNT(*) FROM charging_request WHERE session_id = 'purge-1'"), '3');
  assert.ok(Number(await sql("SELECT COUNT(*) FROM balance_reservation WHERE source_id = 'purge-1' AND state = 'released'")) >= 1);
  // an hour and more later the charging cycle removes them
  // (the clock stands near 10:15:30 since the forgotten-session test)
  assert.ok((await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-03T11:30:00Z' } })).status < 300);
  let n = '';
  for (let i = 0; i < 100 && n !== '0'; i++) {
    n = await sql("SELECT COUNT(*) FROM charging_request WHERE session_id = 'purge-1'");
    if (n !== '0') await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(n, '0', 'the closed session\'s answers are gone');
  assert.equal(await sql("SELECT COUNT(*) FROM balance_reservation WHERE source_id = 'purge-1'"), '0');
  // its terminate sent again: the session is closed, nothing charged; the event keeps its answer
  const again = await ok({ ...call, requestNumber: 2, type: 'terminate', services: [voice({ used: 30 })] });
  assert.deepEqual([again.resultCode, again.reason], [5002, 'the session is closed']);
  assert.equal(end.resultCode, 2001);
  const replay = await cc(ev);
  assert.equal(replay.headers['idempotent-replay'], 'true');
  assert.deepEqual(replay.json, first);
  assert.equal((await wallet(m)).remainedAmount.amount, left, 'nothing charged twice');
  assert.equal(await sql("SELECT COUNT(*) FROM usage_record WHERE source_ref = 'purge-1'"), '1');
});

test('a session\'s hold is one row, filled again in place at each grant; one no grant takes is released', async () => {
  const m = payg[1];
  const top = await srv.request('POST', '/tmf-api/prepayBalanceManagement/v4/topupBalance', { headers: { 'idempotency-key': 'inplace-topup' },
    body: { amount: { amount: 5, units: 'EUR' }, bucket: { id: (await wallet(m)).id } } });
  assert.equal(top.status, 201, top.text);
  const sql = (q) => runSql(srv, q);
  const holds = () => sql("SELECT id || ':' || state || ':' || amount FROM balance_reservation WHERE source_id = 'inplace-1' ORDER BY created_ms, id");
  const call = { sessionId: 'inplace-1', destination: '31687654321' };
  await ok({ ...call, requestNumber: 0, type: 'initial', msisdn: m, services: [voice({ requested: 60 })] });
  const [id] = (await holds()).split(':');
  assert.equal(await holds(), `${id}:active:250000`, '60 s at 0.25/min held');
  const w0 = await wallet(m);
  // used 60 s, 120 more asked: the same row holds 0.50 now
  await ok({ ...call, requestNumber: 1, type: 'update', services: [voice({ used: 60, requested: 120 })] });
  assert.equal(await holds(), `${id}:active:500000`);
  let w = await wallet(m);
  assert.deepEqual([w.remainedAmount.amount, w.reservedAmount.amount], [+(w0.remainedAmount.amount - 0.25).toFixed(6), 0.5]);
  // used 30 s, nothing more asked: no grant fills it, so it is released
  await ok({ ...call, requestNumber: 2, type: 'update', services: [voice({ used: 30 })] });
  assert.equal(await holds(), `${id}:released:0`);
  w = await wallet(m);
  assert.deepEqual([w.remainedAmount.amount, w.reservedAmount.amount], [+(w0.remainedAmount.amount - 0.375).toFixed(6), 0]);
  // asked again: a new row; the terminate releases it by its id
  await ok({ ...call, requestNumber: 3, type: 'update', services: [voice({ used: 0, requested: 60 })] });
  const rows = (await holds()).split('\n');
  assert.equal(rows.length, 2);
  assert.match(rows[1], /:active:250000$/);
  await ok({ ...call, requestNumber: 4, type: 'terminate', services: [voice({ used: 0 })] });
  assert.equal(await sql("SELECT COUNT(*) FROM balance_reservation WHERE source_id = 'inplace-1' AND state = 'active'"), '0');
  assert.equal((await wallet(m)).reservedAmount.amount, 0);
});
