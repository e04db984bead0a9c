// online_lines.test.mjs: online charging keeps each line it charges in
// memory on the writer (src/charging/engine.c), and must never answer from
// a line that changed: an add-on bought, a suspension, a resumption, a plan
// change, each made by an order while sessions run, is in force at the very
// next request. The oracle is the price enquiry, which always reads the
// line from the store; /metrics shows the lines were kept (hits).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, created } from './lib/server.mjs';
import { PO, settle } from './lib/orders.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const T0 = '2026-06-03T10:00:00Z';
let srv;
let who;

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--test-clock-start', T0], testClock: true });
  const lines = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const q = lines.find((p) => p.productOffering.id === 'po-postpaid-s' && p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  who = { customer: q.relatedParty.find((r) => r.role === 'customer').id, account: q.billingAccount.id };
});
after(async () => { await stopServer(srv); });

const order = async (items) => {
  const o = await created(await srv.request('POST', PO, { body: {
    relatedParty: [{ id: who.customer, role: 'customer', '@referredType': 'Customer' }],
    billingAccount: { id: who.account }, productOrderItem: items } }));
  const done = await settle(srv, o.id);
  assert.equal(done.state, 'completed', JSON.stringify(done));
  return done;
};
const cc = async (body) => { const r = await srv.request('POST', '/api/v1/charging/requests', { body }); assert.equal(r.status, 200, r.text); return r.json; };
// a minute's call to a Dutch mobile while roaming in the US (world-1): 1.99 a minute on the plan, 1.49 with EU+ roaming
const call = { destination: '31687654321', visitedPlmn: '310-260' };
const enquiry = async (m) => {
  const r = await srv.request('POST', '/api/v1/charging/price-enquiry', { body: { msisdn: m, service: 'voice', quantity: 60, ...call } });
  assert.equal(r.status, 200, r.text);
  return r.json;
};
const metric = async (name) => {
  const text = (await srv.request('GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in /metrics`);
  return Number(line.split(' ')[1]);
};

test('a line kept in memory follows its orders: add-on, suspension, resumption, add-on ended, termination', async () => {
  const o = await order([{ id: '1', action: 'add', productOffering: { id: 'po-postpaid-s' },
    product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }]);
  const pid = o.productOrderItem[0].product.id;
  const p = (await srv.request('GET', `${PROD}/${pid}`)).json;
  const m = p.productCharacteristic.find((c) => c.name === 'MSISDN').value.replace('+', '');
  const hits0 = await metric('bss_charging_line_reads_total{from="hit"}');

  // one minute, reported in a session's update: the line is read once, then kept
  let n = 0;
  const minute = async (sid) => {
    await cc({ sessionId: sid, requestNumber: n++, type: 'initial', msisdn: m, ...call, services: [{ service: 'voice', requested: 60 }] });
    const a = await cc({ sessionId: sid, requestNumber: n++, type: 'update', services: [{ service: 'voice', used: 60, requested: 60 }] });
    return a;
  };
  let a = await minute('lines-1');
  assert.equal(a.resultCode, 2001);
  assert.equal(a.services[0].charged, 1.99);
  assert.equal((await enquiry(m)).charge, 1.99);
  assert.ok(await metric('bss_charging_line_reads_total{from="hit"}') > hits0, 'the update found the line in memory');
  assert.ok(await metric('bss_charging_lines_resident') >= 1);

  // EU+ roaming bought: the next minute costs what the store says (1.49), not what memory had
  await order([{ id: '1', action: 'add', productOffering: { id: 'po-addon-roaming-plus' },
    product: { productRelationship: [{ relationshipType: 'addOnTo', product: { id: pid } }] } }]);
  assert.equal((await enquiry(m)).charge, 1.49);
  n = 0;
  a = await minute('lines-2');
  assert.equal(a.services[0].charged, 1.49);

  // suspended by an order while the session runs: the next update is refused; resumed: granted again
  const change = (item) => order([{ id: '1', ...item }]);
  await change({ action: 'modify', product: { id: pid, status: 'suspended', statusReason: 'customerRequest' } });
  a = await cc({ sessionId: 'lines-2', requestNumber: n++, type: 'update', services: [{ service: 'voice', used: 0, requested: 60 }] });
  assert.deepEqual([a.resultCode, a.reason], [4010, `line ${m} is suspended`]);
  await change({ action: 'modify', product: { id: pid, status: 'active' } });
  a = await cc({ sessionId: 'lines-2', requestNumber: n++, type: 'update', services: [{ service: 'voice', used: 60, requested: 60 }] });
  assert.equal(a.resultCode, 2001);
  assert.deepEqual([a.services[0].charged, a.services[0].usedTotal], [1.49, 120], 'the second minute at 1.49');

  // the add-on ends: back to the plan's roaming price
  const addon = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json
    .find((x) => x.productOffering.id === 'po-addon-roaming-plus' && x.productRelationship?.some((r) => r.product.id === pid));
  await order([{ id: '1', action: 'delete', product: { id: addon.id } }]);
  assert.equal((await enquiry(m)).charge, 1.99);
  n = 0;
  a = await minute('lines-3');
  assert.equal(a.services[0].charged, 1.99);

  // terminated: the number is no one's line any more
  await order([{ id: '1', action: 'delete', product: { id: pid } }]);
  a = await cc({ sessionId: 'lines-3', requestNumber: n++, type: 'update', services: [{ service: 'voice', used: 0 }] });
  assert.equal(a.resultCode, 5030, JSON.stringify(a));
});

test('a wallet kept in memory follows every other door: top-up, reservation, adjustment, a usage record', async () => {
  const P = '/tmf-api/prepayBalanceManagement/v4';
  const lines = (await srv.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const m = lines.filter((p) => p.productOffering.id === 'po-prepaid-payg')
    .map((p) => p.productCharacteristic.find((c) => c.name === 'MSISDN')?.value.replace('+', '')).filter(Boolean)[0];
  const wallet = async () => (await srv.request('GET', `${P}/bucket?logicalResource.id=${m}&usageType=monetary`)).json[0];
  const post = async (seg, body, key) => {
    const r = await srv.request('POST', `${P}/${seg}`, { body, headers: { 'Idempotency-Key': key } });
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  const w = await wallet();
  assert.equal(w.remainedAmount.amount, 10);
  const v = (more) => ({ service: 'voice', ...more });
  const call = { sessionId: 'mix-1', destination: '31687654321' };
  // 10.00 is 2400 s at 0.25 a minute; all of it used: nothing more to grant
  let a = await cc({ ...call, requestNumber: 0, type: 'initial', msisdn: m, services: [v({ requested: 2400 })] });
  assert.equal(a.services[0].granted, 2400);
  a = await cc({ ...call, requestNumber: 1, type: 'update', services: [v({ used: 2400, requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [4012, 10]);
  // topped up through TMF654: the next update is granted from it
  await post('topupBalance', { amount: { amount: 5, units: 'EUR' }, bucket: { id: w.id } }, 'mix-topup');
  a = await cc({ ...call, requestNumber: 2, type: 'update', services: [v({ used: 0, requested: 600 })] });
  assert.deepEqual([a.resultCode, a.services[0].granted], [2001, 600]);
  // 5.00, 2.50 held by the session; a reservation holds the other 2.50: an event finds nothing left
  await post('reserveBalance', { amount: { amount: 2.5, units: 'EUR' }, bucket: { id: w.id } }, 'mix-res');
  a = await cc({ sessionId: 'mix-ev-1', requestNumber: 0, type: 'event', msisdn: m, destination: '31687654321', services: [v({ requested: 60 })] });
  assert.equal(a.resultCode, 4012);
  // an adjustment gives 1.00: the event is charged from it
  await post('adjustBalance', { amount: { amount: 1, units: 'EUR' }, bucket: { id: w.id }, usageType: 'monetary', reason: 'goodwill' }, 'mix-adj');
  a = await cc({ sessionId: 'mix-ev-2', requestNumber: 0, type: 'event', msisdn: m, destination: '31687654321', services: [v({ requested: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [2001, 0.25]);
  // a usage record charged by TMF635 (0.25 for a minute) comes out of the same wallet
  const u = await srv.request('POST', '/tmf-api/usageManagement/v4/usage', { body: { usageType: 'voice', usageDate: T0,
    usageCharacteristic: [{ name: 'recordId', value: 'mix-cdr-1' }, { name: 'msisdn', value: m }, { name: 'quantity', value: 60 },
      { name: 'destination', value: '31687654321' }] } });
  assert.equal(u.status, 201, u.text);
  assert.equal((await wallet()).remainedAmount.amount, 5.5, '10 + 5 + 1 - 10 - 0.25 - 0.25');
  // the session ends having used 60 s of its 600 (0.25): 5.25 left, nothing held by it
  a = await cc({ ...call, requestNumber: 3, type: 'terminate', services: [v({ used: 60 })] });
  assert.deepEqual([a.resultCode, a.services[0].charged], [2001, 0.25]);
  const end = await wallet();
  assert.deepEqual([end.remainedAmount.amount, end.reservedAmount.amount], [5.25, 2.5]);
});
