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
