// order.test.mjs: product orders (TMF622 /tmf-api/productOrderingManagement/v4,
// src/order) against a real `bss serve --demo` with the provisioning
// simulator: a new prepaid line from order to active product, its number
// and SIM put in service; an eSIM's activation code; a quote that writes
// nothing; idempotent externalIds; every bad input the issue names with its
// status and field; racing orders for one number; suspend, resume, plan
// change and termination with quarantine; cancellation; a failing HLR step
// rolled back; and a kill -9 in the middle of an order, resumed on restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import http from 'node:http';
import { startServer, stopServer, killServer, expectError, created, newApiKey, sleep, run, bssBin } from './lib/server.mjs';
import { PO, settle } from './lib/orders.mjs';

const CANCEL = '/tmf-api/productOrderingManagement/v4/cancelProductOrder';
const PROD = '/tmf-api/productInventory/v4/product';
const RES = '/tmf-api/resourceInventoryManagement/v4/resource';

let srv;
let agentKey;
let prepaid; // {customer, account}: a demo prepaid customer
let postpaid;

async function demoCustomer(s, offeringPrefix) {
  const lines = (await s.request('GET', `${PROD}?status=active&limit=1000`)).json;
  const l = lines.find((p) => p.productOffering.id.startsWith(offeringPrefix) && p.productCharacteristic.some((c) => c.name === 'MSISDN'));
  return { customer: l.relatedParty.find((r) => r.role === 'customer').id, account: l.billingAccount.id, line: l };
}

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5'] });
  agentKey = await newApiKey(srv, 'agent', 'Alice Agent');
  prepaid = await demoCustomer(srv, 'po-prepaid');
  postpaid = await demoCustomer(srv, 'po-postpaid');
});
after(async () => { await stopServer(srv); });

const line = (who, chars, extra = {}) => ({
  relatedParty: [{ id: who.customer, role: 'customer', '@referredType': 'Customer' }],
  billingAccount: { id: who.account },
  productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-prepaid-bundle-10' },
    product: { productCharacteristic: chars } }],
  ...extra,
});
const auto = [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }];

const char = (p, name) => (p.productCharacteristic.find((c) => c.name === name) || {}).value;

test('a new prepaid line: order, tasks, number and SIM in service, product active', async () => {
  const r = await srv.request('POST', PO, { key: agentKey, body: line(prepaid, auto, { externalId: 'shop-0001' }) });
  const o = await created(r);
  assert.equal(o.state, 'inProgress');
  assert.ok(o.orderDate);
  assert.deepEqual(o.stateChange.map((s) => s.state), ['acknowledged', 'inProgress']);
  assert.equal(o.stateChange[0].changedBy.name, 'Alice Agent');
  assert.equal(o.category, 'newLine');
  assert.ok(o.expectedCompletionDate > o.orderDate);
  const item = o.productOrderItem[0];
  const msisdn = char(item.product, 'MSISDN');
  assert.match(msisdn, /^316\d{8}$/);
  const done = await settle(srv, o.id);
  assert.equal(done.state, 'completed', JSON.stringify(done.stateChange));
  assert.equal(done.productOrderItem[0].state, 'completed');
  assert.ok(done.completionDate);
  const p = (await srv.request('GET', `${PROD}/${item.product.id}`)).json;
  assert.equal(p.status, 'active');
  assert.equal(char(p, 'MSISDN'), msisdn);
  assert.deepEqual(p.productOrderItem, [{ productOrderId: o.id, orderItemId: '1', orderItemAction: 'add' }]);
  for (const id of [msisdn, char(p, 'ICCID')]) {
    const res = (await srv.request('GET', `${RES}/${id}`)).json;
    assert.equal(res.resourceStatus, 'active', id);
    assert.equal(res.product.id, p.id);
  }
  const tasks = (await srv.request('GET', `${PO}/${o.id}/tasks`)).json;
  assert.deepEqual(tasks.map((t) => [t.type, t.state]), [['hlr.createSubscriber', 'done'], ['pcrf.setPolicy', 'done'],
    ['charging.createBuckets', 'done'], ['product.activate', 'done']]);
  // the same order again is the first one; other content under the same externalId is 409
  const again = await srv.request('POST', PO, { key: agentKey, body: line(prepaid, auto, { externalId: 'shop-0001' }) });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.id, o.id);
  assert.equal(again.headers['idempotent-replay'], 'true');
  const other = await srv.request('POST', PO, { key: agentKey, body: line(prepaid, [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'esim' }], { externalId: 'shop-0001' }) });
  expectError(other, 409, 'CONFLICT', 'externalId', 'externalId reused');
  assert.match(other.json.message, new RegExp(`used for order ${o.id} with other content`));
  // the customer view lists the new product
  const view = (await srv.request('GET', `/api/v1/customers/${prepaid.customer}/view`, { key: agentKey })).json;
  assert.ok(view.subscriptions.some((s) => s.id === p.id));
});

test('an eSIM line gets an activation code from the SM-DP+ step', async () => {
  const o = await created(await srv.request('POST', PO, { body: line(prepaid, [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'esim' }]) }));
  await settle(srv, o.id);
  const tasks = (await srv.request('GET', `${PO}/${o.id}/tasks`)).json;
  assert.equal(tasks[0].type, 'smdp.downloadOrder');
  assert.match(tasks[0].result.activationCode, /^LPA:1\$smdp\.example\.net\$[0-9A-Z]{5}-[0-9A-Z]{5}$/);
  const p = (await srv.request('GET', `${PROD}/${o.productOrderItem[0].product.id}`)).json;
  assert.equal(char(p, 'activationCode'), tasks[0].result.activationCode);
  const iccid = char(p, 'ICCID');
  const sim = (await srv.request('GET', `${RES}/${iccid}`)).json;
  assert.equal(sim.resourceCharacteristic.find((c) => c.name === 'profileType').value, 'esim');
  // the customer scans it: a PNG whose QR code reads back as the activation code
  const png = await getBytes(`/api/v1/products/${p.id}/esim-qr.png`, agentKey);
  assert.equal(png.status, 200);
  assert.equal(png.headers['content-type'], 'image/png');
  assert.equal(png.headers['cache-control'], 'no-store');
  const img = PNG.sync.read(png.body);
  const code = jsQR(new Uint8ClampedArray(img.data), img.width, img.height);
  assert.ok(code, 'a QR code is found in the image');
  assert.equal(code.data, tasks[0].result.activationCode);
  // a physical SIM has none
  const phys = (await srv.request('GET', `${PROD}?status=active&limit=1`)).json[0];
  expectError(await srv.request('GET', `/api/v1/products/${phys.id}/esim-qr.png`), 404, 'NOT_FOUND', 'activationCode', 'no eSIM');
  expectError(await srv.request('GET', `/api/v1/products/${phys.id}/esim-qr.png`, { key: await newApiKey(srv, 'billing', 'Bill') }), 403, 'FORBIDDEN', undefined, 'billing');
});

function getBytes(path, key) {
  const u = new URL(srv.url + path);
  return new Promise((resolve, reject) => {
    http.get({ host: u.hostname, port: u.port, path: u.pathname, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('a quote (dryRun) prices the order and writes nothing', async () => {
  const before = (await srv.request('GET', `${PO}?limit=1`)).headers['x-total-count'];
  const stats = (await srv.request('GET', '/admin/v1/inventory/stats')).json;
  const body = line(postpaid, [{ name: 'MSISDN', value: '+31655550007' }, { name: 'simType', value: 'physical' }]);
  body.productOrderItem[0].productOffering.id = 'po-postpaid-m';
  const r = await srv.request('POST', `${PO}?dryRun=true`, { body });
  assert.equal(r.status, 200, r.text);
  const one = r.json.orderTotalPrice.find((t) => t.priceType === 'oneTime').price.taxIncludedAmount;
  // activation 15.00 + the golden number 25.00
  assert.deepEqual(one, { unit: 'EUR', value: 40 });
  const names = r.json.productOrderItem[0].itemPrice.map((p) => p.productOfferingPrice.id);
  assert.ok(names.includes('pop-golden-number') && names.includes('pop-postpaid-m-monthly'), names.join());
  const rec = r.json.productOrderItem[0].itemPrice.find((p) => p.productOfferingPrice.id === 'pop-postpaid-m-monthly');
  assert.ok(rec.proratedFor.endDateTime > rec.proratedFor.startDateTime);
  assert.equal((await srv.request('GET', `${PO}?limit=1`)).headers['x-total-count'], before);
  assert.deepEqual((await srv.request('GET', '/admin/v1/inventory/stats')).json.msisdns, stats.msisdns);
  assert.equal((await srv.request('GET', `${RES}/31655550007`)).json.resourceStatus, 'available');
});

test('bad orders: every problem with its member, nothing reserved', async () => {
  const stats = (await srv.request('GET', '/admin/v1/inventory/stats')).json;
  const bad = async (body, status, code, field, what) => {
    const r = await srv.request('POST', PO, { body });
    expectError(r, status, code, field, what);
    return r;
  };
  const b1 = line(prepaid, auto);
  b1.productOrderItem[0].productOffering.id = 'po-nope';
  const r1 = await bad(b1, 422, 'UNPROCESSABLE', 'productOrderItem[0].productOffering.id', 'unknown offering');
  assert.match(r1.json.message, /no productOffering po-nope is sold on/);
  await bad(line(prepaid, [{ name: 'simType', value: 'physical' }]), 400, 'INVALID', 'productOrderItem[0].product.productCharacteristic', 'no MSISDN choice');
  await bad(line(prepaid, [{ name: 'MSISDN', value: 'auto' }]), 400, 'INVALID', 'productOrderItem[0].product.productCharacteristic', 'no SIM choice');
  const notInPool = await bad(line(prepaid, [{ name: 'MSISDN', value: '+31612999999' }, { name: 'simType', value: 'physical' }]), 422, 'UNPROCESSABLE', 'productOrderItem[0].product.productCharacteristic', 'a number not in the pool');
  assert.match(notInPool.json.message, /is not a number of the pool/);
  const taken = `+${char(prepaid.line, 'MSISDN')}`;
  await bad(line(prepaid, [{ name: 'MSISDN', value: taken }, { name: 'simType', value: 'physical' }]), 409, 'CONFLICT', 'productOrderItem[0].product.productCharacteristic', 'a number already taken');
  const badIccid = await bad(line(prepaid, [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }, { name: 'ICCID', value: '8931441000000000014' }]), 400, 'INVALID', 'productOrderItem[0].product.productCharacteristic', 'an ICCID with a bad check digit');
  assert.match(badIccid.json.message, /check digit/);
  const addon = line(prepaid, []);
  addon.productOrderItem[0] = { id: '1', action: 'add', productOffering: { id: 'po-addon-data-1gb' } };
  const a = await bad(addon, 422, 'UNPROCESSABLE', 'productOrderItem[0].productOffering.id', 'an add-on without its base plan');
  assert.match(a.json.message, /is an add-on; it needs its base plan/);
  // several problems at once: all of them, in details
  const many = line(prepaid, [{ name: 'simType', value: 'pigeon' }]);
  many.productOrderItem.push({ id: '1', action: 'sell' });
  const m = await bad(many, 400, 'INVALID', undefined, 'several problems');
  assert.ok(m.json.details.length >= 3, m.text);
  await bad({ ...line(prepaid, auto), relatedParty: [{ id: prepaid.customer, role: 'payer' }] }, 400, 'INVALID', 'relatedParty', 'no customer');
  await bad({ ...line(prepaid, auto), billingAccount: { id: 'nope' } }, 422, 'UNPROCESSABLE', 'billingAccount.id', 'unknown account');
  expectError(await srv.request('POST', `${PO}?dryRun=maybe`, { body: line(prepaid, auto) }), 400, 'INVALID', 'dryRun', 'dryRun');
  const ro = await newApiKey(srv, 'readonly', 'Auditor');
  expectError(await srv.request('POST', PO, { key: ro, body: line(prepaid, auto) }), 403, 'FORBIDDEN', undefined, 'readonly orders');
  assert.deepEqual((await srv.request('GET', '/admin/v1/inventory/stats')).json.msisdns.byState, stats.msisdns.byState, 'nothing reserved');
});

test('a currency that differs from the account\'s is refused', async () => {
  const cust = await created(await srv.request('POST', '/tmf-api/customerManagement/v4/customer', { body: { name: 'Dollar Dan', engagedParty: { id: (await created(await srv.request('POST', '/tmf-api/party/v4/individual', { body: { givenName: 'Dan', familyName: 'Dollar' } }))).id } } }));
  const acc = await created(await srv.request('POST', '/tmf-api/accountManagement/v4/billingAccount', { body: { name: 'Dan USD', currency: 'USD', customer: { id: cust.id }, relatedParty: [{ id: cust.engagedParty.id, role: 'owner', '@referredType': 'Individual' }] } }));
  const r = await srv.request('POST', PO, { body: line({ customer: cust.id, account: acc.id }, auto) });
  expectError(r, 422, 'UNPROCESSABLE', 'productOrderItem[0].productOffering.id', 'currency');
  assert.match(r.json.message, /is priced in EUR; the billing account pays in USD/);
});

test('five orders racing for one number: exactly one gets it', async () => {
  const body = () => line(prepaid, [{ name: 'MSISDN', value: '+31610001500' }, { name: 'simType', value: 'physical' }]);
  const all = await Promise.all(Array.from({ length: 5 }, () => srv.request('POST', PO, { key: agentKey, body: body() })));
  const won = all.filter((r) => r.status === 201);
  assert.equal(won.length, 1, all.map((r) => `${r.status} ${r.json && r.json.message}`).join('\n'));
  for (const r of all.filter((x) => x.status !== 201)) expectError(r, 409, 'CONFLICT', 'productOrderItem[0].product.productCharacteristic', 'lost the race');
  await settle(srv, won[0].json.id);
  // and for one SIM card handed over in a shop
  const card = (await srv.request('GET', `${RES}?@type=SimCard&resourceStatus=available&profileType=physical&limit=1`)).json[0].id;
  const sims = await Promise.all(Array.from({ length: 5 }, () => srv.request('POST', PO, { key: agentKey,
    body: line(prepaid, [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }, { name: 'ICCID', value: card }]) })));
  const got = sims.filter((r) => r.status === 201);
  assert.equal(got.length, 1, sims.map((r) => `${r.status} ${r.json && r.json.message}`).join('\n'));
  for (const r of sims.filter((x) => x.status !== 201)) expectError(r, 409, 'CONFLICT', 'productOrderItem[0].product.productCharacteristic', 'lost the SIM race');
  await settle(srv, got[0].json.id);
});

test('suspend, resume, plan change, terminate: each an order with its own tasks', async () => {
  const o = await created(await srv.request('POST', PO, { body: line(postpaid, auto, { productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-postpaid-s' }, product: { productCharacteristic: auto } }] }) }));
  await settle(srv, o.id);
  const pid = o.productOrderItem[0].product.id;
  const change = (item) => srv.request('POST', PO, { body: { relatedParty: [{ id: postpaid.customer, role: 'customer' }], billingAccount: { id: postpaid.account }, productOrderItem: [{ id: '1', ...item }] } });
  expectError(await change({ action: 'modify', product: { id: pid, status: 'suspended' } }), 400, 'INVALID', 'productOrderItem[0].product.statusReason', 'a suspension without its reason');
  const susp = await created(await change({ action: 'modify', product: { id: pid, status: 'suspended', statusReason: 'customerRequest' } }));
  await settle(srv, susp.id);
  assert.equal((await srv.request('GET', `${PROD}/${pid}`)).json.status, 'suspended');
  const tasks = (await srv.request('GET', `${PO}/${susp.id}/tasks`)).json.map((t) => t.type);
  assert.deepEqual(tasks, ['hlr.barSubscriber', 'product.setStatus']);
  expectError(await change({ action: 'modify', product: { id: pid, status: 'suspended', statusReason: 'customerRequest' } }), 409, 'STATE', 'productOrderItem[0].product.status', 'suspend twice');
  assert.equal((await srv.request('GET', `${PROD}/${pid}`)).json.statusReason, 'customerRequest');
  await settle(srv, (await created(await change({ action: 'modify', product: { id: pid, status: 'active' } }))).id);
  assert.equal((await srv.request('GET', `${PROD}/${pid}`)).json.status, 'active');
  const plan = await created(await change({ action: 'modify', productOffering: { id: 'po-postpaid-l' }, product: { id: pid } }));
  await settle(srv, plan.id);
  const after = (await srv.request('GET', `${PROD}/${pid}`)).json;
  assert.equal(after.productOffering.id, 'po-postpaid-l');
  assert.ok(after.productPrice.some((x) => x.productOfferingPrice.id === 'pop-postpaid-l-monthly'));
  const end = await created(await change({ action: 'delete', product: { id: pid } }));
  assert.equal(end.category, 'termination');
  await settle(srv, end.id);
  const gone = (await srv.request('GET', `${PROD}/${pid}`)).json;
  assert.equal(gone.status, 'terminated');
  const num = (await srv.request('GET', `${RES}/${char(gone, 'MSISDN')}`)).json;
  assert.equal(num.resourceStatus, 'quarantined');
  assert.ok(num.quarantineUntil > new Date(Date.now() + 89 * 86400000).toISOString());
  assert.equal((await srv.request('GET', `${RES}/${char(gone, 'ICCID')}`)).json.resourceStatus, 'retired');
  // a terminated product takes no more changes; a completed order cannot be cancelled
  expectError(await change({ action: 'modify', product: { id: pid, status: 'suspended', statusReason: 'fraud' } }), 409, 'STATE', 'productOrderItem[0].product.id', 'modifying a terminated product');
  const c = await srv.request('POST', CANCEL, { body: { productOrder: { id: end.id }, cancellationReason: 'changed my mind' } });
  expectError(c, 409, 'STATE', 'productOrder.id', 'cancelling a completed order');
  assert.match(c.json.message, /is completed: a completed order cannot be cancelled/);
});

test('a PATCH may add notes; the items and the state are not the client\'s', async () => {
  const o = await created(await srv.request('POST', PO, { body: line(prepaid, auto) }));
  const r = await srv.request('PATCH', `${PO}/${o.id}`, { body: { note: [{ text: 'customer picks up in the Utrecht shop' }], state: 'completed' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.note[0].text, 'customer picks up in the Utrecht shop');
  assert.notEqual(r.json.state, 'completed');
  expectError(await srv.request('PATCH', `${PO}/${o.id}`, { body: { billingAccount: { id: postpaid.account } } }), 409, 'CONFLICT', 'billingAccount', 'changing the account');
  await settle(srv, o.id);
});

test('a failing HLR step undoes the item: number and SIM back in the pool, product aborted', async () => {
  let s2 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5', '--provision-fail', 'hlr.createSubscriber=100'] });
  try {
    const who = await demoCustomer(s2, 'po-prepaid');
    const o = await created(await s2.request('POST', PO, { body: line(who, [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'esim' }]) }));
    const msisdn = char(o.productOrderItem[0].product, 'MSISDN');
    const iccid = char(o.productOrderItem[0].product, 'ICCID');
    const done = await settle(s2, o.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.productOrderItem[0].state, 'failed');
    const tasks = (await s2.request('GET', `${PO}/${o.id}/tasks`)).json.map((t) => [t.type, t.state, t.attempts]);
    assert.deepEqual(tasks, [['smdp.downloadOrder', 'done', 1], ['hlr.createSubscriber', 'failed', 3],
      ['pcrf.setPolicy', 'skipped', 0], ['charging.createBuckets', 'skipped', 0], ['product.activate', 'skipped', 0],
      ['undo:smdp.downloadOrder', 'done', 1], ['undo:item', 'done', 1]]);
    assert.equal((await s2.request('GET', `${RES}/${msisdn}`)).json.resourceStatus, 'available');
    assert.equal((await s2.request('GET', `${RES}/${iccid}`)).json.resourceStatus, 'available');
    assert.equal((await s2.request('GET', `${PROD}/${o.productOrderItem[0].product.id}`)).json.status, 'aborted');
    assert.match(s2.stderr(), /event=order\.task_failed order=\S+ item=1 task=hlr\.createSubscriber/);
    expectError(await s2.request('POST', `/api/v1/orders/${o.id}/retry`, { key: await newApiKey(s2, 'readonly', 'R') }), 403, 'FORBIDDEN', undefined, 'readonly retries');
    // the HLR is back: an agent retries the failed order
    s2.keepDataDir = true;
    s2.keepDatabase = true;
    await stopServer(s2);
    s2 = await startServer({ args: ['--default-country', 'NL', '--provision-latency', '5'], dataDir: s2.dataDir, pgDatabase: s2.pg || undefined });
    const retry = await created(await s2.request('POST', `/api/v1/orders/${o.id}/retry`));
    assert.equal(retry.retryOf.id, o.id);
    assert.equal(char(retry.productOrderItem[0].product, 'MSISDN'), msisdn);
    const ok = await settle(s2, retry.id);
    assert.equal(ok.state, 'completed');
    expectError(await s2.request('POST', `/api/v1/orders/${retry.id}/retry`), 409, 'STATE', 'state', 'retrying a completed order');
  } finally {
    await stopServer(s2);
  }
});

test('cancelling an order in progress undoes it', async () => {
  const s3 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '400'] });
  try {
    const who = await demoCustomer(s3, 'po-prepaid');
    const o = await created(await s3.request('POST', PO, { body: line(who, auto) }));
    await sleep(200); // the first step is running on the network: it finishes, then is undone
    const req = await created(await s3.request('POST', CANCEL, { body: { productOrder: { id: o.id }, cancellationReason: 'customer withdrew' } }));
    assert.equal(req.state, 'done');
    const done = await settle(s3, o.id, ['cancelled']);
    assert.deepEqual(done.stateChange.map((x) => x.state).slice(-3), ['assessingCancellation', 'pendingCancellation', 'cancelled']);
    assert.equal((await s3.request('GET', `${RES}/${char(o.productOrderItem[0].product, 'MSISDN')}`)).json.resourceStatus, 'available');
  } finally {
    await stopServer(s3);
  }
});

test('kill -9 in the middle of an order: the restarted server finishes it', async () => {
  let s4 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '700'] });
  const who = await demoCustomer(s4, 'po-prepaid');
  const o = await created(await s4.request('POST', PO, { body: line(who, auto) }));
  for (let i = 0; i < 200; i++) { // wait until the first step ran and the second is running
    const t = (await s4.request('GET', `${PO}/${o.id}/tasks`)).json;
    if (t[0].state === 'done' && t[1].state === 'running') break;
    await sleep(20);
  }
  await killServer(s4);
  s4 = await startServer({ args: ['--default-country', 'NL', '--provision-latency', '5'], dataDir: s4.dataDir, pgDatabase: s4.pg || undefined });
  try {
    const done = await settle(s4, o.id);
    assert.equal(done.state, 'completed');
    assert.match(s4.stderr(), /event=order\.resumed tasks=1/);
    const p = (await s4.request('GET', `${PROD}/${o.productOrderItem[0].product.id}`)).json;
    assert.equal(p.status, 'active');
    assert.equal((await s4.request('GET', `${RES}/${char(p, 'MSISDN')}`)).json.resourceStatus, 'active');
    const tasks = (await s4.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.ok(tasks.every((t) => t.state === 'done'), JSON.stringify(tasks));
  } finally {
    await stopServer(s4);
  }
});

test('a SIM swap: a new card, the same number, the old card retired', async () => {
  const o = await created(await srv.request('POST', PO, { body: line(prepaid, auto) }));
  await settle(srv, o.id);
  const pid = o.productOrderItem[0].product.id;
  const before = (await srv.request('GET', `${PROD}/${pid}`)).json;
  const swap = await created(await srv.request('POST', PO, { key: agentKey, body: { relatedParty: [{ id: prepaid.customer, role: 'customer' }], billingAccount: { id: prepaid.account },
    productOrderItem: [{ id: '1', action: 'modify', product: { id: pid, productCharacteristic: [{ name: 'simType', value: 'esim' }] } }] } }));
  const done = await settle(srv, swap.id);
  assert.equal(done.state, 'completed', JSON.stringify(done.stateChange));
  const tasks = (await srv.request('GET', `${PO}/${swap.id}/tasks`)).json.map((t) => t.type);
  assert.deepEqual(tasks, ['smdp.downloadOrder', 'hlr.swapSim', 'product.swapSim']);
  const after = (await srv.request('GET', `${PROD}/${pid}`)).json;
  assert.equal(char(after, 'MSISDN'), char(before, 'MSISDN'));
  assert.notEqual(char(after, 'ICCID'), char(before, 'ICCID'));
  assert.notEqual(char(after, 'IMSI'), char(before, 'IMSI'));
  assert.equal(char(after, 'simType'), 'esim');
  assert.match(char(after, 'activationCode'), /^LPA:1\$/);
  assert.equal((await srv.request('GET', `${RES}/${char(before, 'ICCID')}`)).json.resourceStatus, 'retired');
  const card = (await srv.request('GET', `${RES}/${char(after, 'ICCID')}`)).json;
  assert.equal(card.resourceStatus, 'active');
  assert.equal(card.product.id, pid);
  // a number change: a new number, the old one to quarantine
  const change = await created(await srv.request('POST', PO, { body: { relatedParty: [{ id: prepaid.customer, role: 'customer' }], billingAccount: { id: prepaid.account },
    productOrderItem: [{ id: '1', action: 'modify', product: { id: pid, productCharacteristic: [{ name: 'MSISDN', value: 'auto' }] } }] } }));
  await settle(srv, change.id);
  const renumbered = (await srv.request('GET', `${PROD}/${pid}`)).json;
  assert.notEqual(char(renumbered, 'MSISDN'), char(before, 'MSISDN'));
  assert.equal((await srv.request('GET', `${RES}/${char(before, 'MSISDN')}`)).json.resourceStatus, 'quarantined');
  assert.equal((await srv.request('GET', `${RES}/${char(renumbered, 'MSISDN')}`)).json.resourceStatus, 'active');
  // the same card again is refused
  const same = await srv.request('POST', PO, { body: { relatedParty: [{ id: prepaid.customer, role: 'customer' }], billingAccount: { id: prepaid.account },
    productOrderItem: [{ id: '1', action: 'modify', product: { id: pid, productCharacteristic: [{ name: 'ICCID', value: char(after, 'ICCID') }] } }] } });
  expectError(same, 400, 'INVALID', 'productOrderItem[0].product.productCharacteristic', 'the same SIM');
});

test('a shopper\'s number reservation becomes the order\'s', async () => {
  const hold = await created(await srv.request('POST', '/api/v1/inventory/reservations', { body: { resourceType: 'MSISDN', category: 'golden', minutes: 15 } }));
  const o = await created(await srv.request('POST', PO, { body: line(prepaid, [{ name: 'reservationId', value: hold.id }, { name: 'simType', value: 'physical' }]) }));
  assert.equal(char(o.productOrderItem[0].product, 'MSISDN'), hold.resource.id);
  assert.equal(char(o.productOrderItem[0].product, 'msisdnCategory'), 'golden');
  assert.ok(o.productOrderItem[0].itemPrice.some((p) => p.productOfferingPrice.id === 'pop-golden-number'));
  await settle(srv, o.id);
  assert.equal((await srv.request('GET', `${RES}/${hold.resource.id}`)).json.resourceStatus, 'active');
  const again = await srv.request('POST', PO, { body: line(prepaid, [{ name: 'reservationId', value: hold.id }, { name: 'simType', value: 'physical' }]) });
  expectError(again, 422, 'UNPROCESSABLE', 'productOrderItem[0].product.productCharacteristic', 'a used reservation');
});

test('orders past their SLA are listed (API, CLI) and counted in /metrics; the customer view shows open orders', async () => {
  const s5 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '3000', '--test-clock-start', '2026-06-01T09:00:00Z'], testClock: true });
  try {
    const who = await demoCustomer(s5, 'po-prepaid');
    const o = await created(await s5.request('POST', PO, { body: line(who, auto) }));
    assert.equal(o.expectedCompletionDate, '2026-06-01T11:00:00.000Z'); // a new line: 2 hours
    const view = (await s5.request('GET', `/api/v1/customers/${who.customer}/view`)).json;
    assert.deepEqual(view.openOrders.map((x) => x.id), [o.id]);
    assert.equal((await s5.request('GET', '/api/v1/orders/overdue')).json.total, 0);
    await s5.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-01T12:30:00Z' } });
    const late = (await s5.request('GET', '/api/v1/orders/overdue?limit=10')).json;
    assert.equal(late.total, 1);
    assert.equal(late.orders[0].id, o.id);
    assert.equal(late.orders[0].overdueMinutes, 90);
    assert.equal(late.orders[0].category, 'newLine');
    expectError(await s5.request('GET', '/api/v1/orders/overdue?limit=0'), 400, 'INVALID', 'limit', 'limit');
    const r = await run(bssBin, ['order', 'overdue', '--url', s5.url, '--key', s5.key]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^1 open orders past their expected completion/);
    assert.match(r.stdout, new RegExp(`${o.id} +newLine +inProgress +2026-06-01T11:00:00.000Z +1h30`));
    let metrics = '';
    for (let i = 0; i < 80 && !/bss_orders_overdue 1/.test(metrics); i++) {
      await sleep(100);
      metrics = (await s5.request('GET', '/metrics')).text;
    }
    assert.match(metrics, /^bss_orders_overdue 1$/m);
    assert.match(metrics, /^bss_provisioning_tasks_total\{outcome="done"\} \d+$/m);
    const t = await run(bssBin, ['order', 'tasks', o.id, '--url', s5.url, '--key', s5.key]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /hlr\.createSubscriber/);
  } finally {
    await stopServer(s5);
  }
});

test('port-in on a porting date, then port-out', async () => {
  const s6 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5', '--test-clock-start', '2026-06-01T09:00:00Z'], testClock: true });
  try {
    const who = await demoCustomer(s6, 'po-prepaid');
    const portIn = (chars) => s6.request('POST', PO, { body: line(who, [{ name: 'simType', value: 'physical' }, ...chars]) });
    const bad = [
      [[{ name: 'portInMSISDN', value: 'twelve' }, { name: 'donorOperator', value: 'KPN' }], 400, 'INVALID', /portInMSISDN twelve is not a phone number/],
      [[{ name: 'portInMSISDN', value: '+31651234567' }], 400, 'INVALID', /needs donorOperator/],
      [[{ name: 'portInMSISDN', value: '+31651234567' }, { name: 'donorOperator', value: 'KPN' }, { name: 'portingDate', value: '2026-12-01T00:00:00Z' }], 400, 'INVALID', /from now to 90 days ahead/],
      [[{ name: 'portInMSISDN', value: `+${char(who.line, 'MSISDN')}` }, { name: 'donorOperator', value: 'KPN' }], 409, 'CONFLICT', /is active, not available/],
    ];
    for (const [chars, status, code, msg] of bad) {
      const r = await portIn(chars);
      expectError(r, status, code, 'productOrderItem[0].product.productCharacteristic', JSON.stringify(chars));
      assert.match(r.json.message, msg);
    }
    const o = await created(await portIn([{ name: 'portInMSISDN', value: '06 5123 4567' }, { name: 'donorOperator', value: 'KPN' },
      { name: 'portingDate', value: '2026-06-03T06:00:00Z' }]));
    assert.equal(char(o.productOrderItem[0].product, 'MSISDN'), '31651234567');
    let res = (await s6.request('GET', `${RES}/31651234567`)).json;
    assert.equal(res.resourceStatus, 'reserved');
    assert.deepEqual(res.resourceCharacteristic.filter((c) => ['portedIn', 'donor'].includes(c.name)).map((c) => c.value), [true, 'KPN']);
    await sleep(500);
    let tasks = (await s6.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.deepEqual(tasks.map((t) => [t.type, t.state]).slice(0, 2), [['porting.requestPortIn', 'done'], ['hlr.createSubscriber', 'pending']]);
    assert.equal((await s6.request('GET', `${PO}/${o.id}`)).json.state, 'inProgress');
    await s6.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-03T06:00:01Z' } });
    const done = await settle(s6, o.id);
    assert.equal(done.state, 'completed');
    const pid = o.productOrderItem[0].product.id;
    assert.equal((await s6.request('GET', `${PROD}/${pid}`)).json.status, 'active');
    assert.equal((await s6.request('GET', `${RES}/31651234567`)).json.resourceStatus, 'active');
    // the customer leaves for another operator with the number
    const out = await created(await s6.request('POST', PO, { body: { relatedParty: [{ id: who.customer, role: 'customer' }], billingAccount: { id: who.account },
      productOrderItem: [{ id: '1', action: 'delete', product: { id: pid, productCharacteristic: [{ name: 'recipientOperator', value: 'Odido' }] } }] } }));
    await settle(s6, out.id);
    tasks = (await s6.request('GET', `${PO}/${out.id}/tasks`)).json.map((t) => t.type);
    assert.deepEqual(tasks, ['porting.confirmPortOut', 'pcrf.removePolicy', 'hlr.deleteSubscriber', 'product.portOut']);
    assert.equal((await s6.request('GET', `${PROD}/${pid}`)).json.status, 'terminated');
    res = (await s6.request('GET', `${RES}/31651234567`)).json;
    assert.equal(res.resourceStatus, 'portedOut');
    assert.equal(res.statusReason, 'ported out to Odido');
  } finally {
    await stopServer(s6);
  }
});

test('a downgrade waits for the next bill period; a lost SIM suspends the line and is marked lost', async () => {
  const s7 = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5', '--test-clock-start', '2026-06-10T09:00:00Z'], testClock: true });
  try {
    const who = await demoCustomer(s7, 'po-postpaid');
    const acc = (await s7.request('GET', `/tmf-api/accountManagement/v4/billingAccount/${who.account}`)).json;
    const o = await created(await s7.request('POST', PO, { body: line(who, auto, { productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-postpaid-l' }, product: { productCharacteristic: auto } }] }) }));
    await settle(s7, o.id);
    const pid = o.productOrderItem[0].product.id;
    const change = (item) => s7.request('POST', PO, { body: { relatedParty: [{ id: who.customer, role: 'customer' }], billingAccount: { id: who.account }, productOrderItem: [{ id: '1', ...item }] } });
    const down = await created(await change({ action: 'modify', productOffering: { id: 'po-postpaid-s' }, product: { id: pid } }));
    const pc = down.productOrderItem[0].planChange;
    assert.equal(pc.kind, 'downgrade');
    assert.equal(pc.fromOffering, 'po-postpaid-l');
    // the next bill period starts on the account's bill-cycle day
    const day = acc.billCycleDay;
    const next = new Date(Date.UTC(2026, 5 + (day <= 10 ? 1 : 0), day));
    assert.equal(pc.effectiveDate, next.toISOString());
    assert.deepEqual(down.productOrderItem[0].itemPrice, [], 'nothing charged for the new plan before it starts');
    await sleep(400);
    assert.equal((await s7.request('GET', `${PO}/${down.id}`)).json.state, 'inProgress');
    assert.equal((await s7.request('GET', `${PROD}/${pid}`)).json.productOffering.id, 'po-postpaid-l');
    await s7.request('PUT', '/admin/v1/clock', { body: { now: new Date(next.getTime() + 1000).toISOString() } });
    await settle(s7, down.id);
    const p = (await s7.request('GET', `${PROD}/${pid}`)).json;
    assert.equal(p.productOffering.id, 'po-postpaid-s');
    assert.deepEqual(p.lastPlanChange, pc);
    // an upgrade is at once
    const up = await created(await change({ action: 'modify', productOffering: { id: 'po-postpaid-m' }, product: { id: pid } }));
    assert.equal(up.productOrderItem[0].planChange.kind, 'upgrade');
    await settle(s7, up.id);
    assert.equal((await s7.request('GET', `${PROD}/${pid}`)).json.productOffering.id, 'po-postpaid-m');
    // the customer lost the phone
    const lost = await created(await change({ action: 'modify', product: { id: pid, status: 'suspended', statusReason: 'lostSim' } }));
    await settle(s7, lost.id);
    const lp = (await s7.request('GET', `${PROD}/${pid}`)).json;
    assert.equal(lp.status, 'suspended');
    assert.equal(lp.statusReason, 'lostSim');
    assert.equal((await s7.request('GET', `${RES}/${char(lp, 'ICCID')}`)).json.resourceStatus, 'lost');
    const tasks = (await s7.request('GET', `${PO}/${lost.id}/tasks`)).json;
    assert.equal(tasks[0].type, 'hlr.barSubscriber');
  } finally {
    await stopServer(s7);
  }
});

test('a retired offering and an ineligible customer are refused', async () => {
  const OFF = '/tmf-api/productCatalogManagement/v4/productOffering';
  const old = await created(await srv.request('POST', OFF, { body: { name: 'Prepaid 2019', lifecycleStatus: 'Active',
    productSpecification: { id: 'ps-mobile-line' }, productOfferingPrice: [{ id: 'pop-sim-prepaid' }] } }));
  const retired = await srv.request('PATCH', `${OFF}/${old.id}`, { body: { lifecycleStatus: 'Retired' } });
  assert.equal(retired.status, 200, retired.text);
  await sleep(300); // the compiled catalog is rebuilt after the write
  const b = line(prepaid, auto);
  b.productOrderItem[0].productOffering.id = old.id;
  const r = await srv.request('POST', PO, { body: b });
  expectError(r, 422, 'UNPROCESSABLE', 'productOrderItem[0].productOffering.id', 'a retired offering');
  assert.match(r.json.message, new RegExp(`${old.id} (is Retired, not for sale|is sold on)`));
  // the eligibility rules: prepaid plans are for consumers and businesses, not IoT customers
  const iot = (await srv.request('GET', '/tmf-api/customerManagement/v4/customer?segment=iot')).json[0];
  const acc = (await srv.request('GET', `/tmf-api/accountManagement/v4/billingAccount?customer.id=${iot.id}`)).json[0];
  const r2 = await srv.request('POST', PO, { body: line({ customer: iot.id, account: acc.id }, auto) });
  expectError(r2, 422, 'UNPROCESSABLE', 'productOrderItem[0].productOffering.id', 'an ineligible customer');
  assert.match(r2.json.message, /not eligible: .*segment/);
});

test('a bundle makes its child products; the line is the child that carries the number', async () => {
  const OFF = '/tmf-api/productCatalogManagement/v4/productOffering';
  const b = await srv.request('POST', OFF, { body: { name: 'Starter pack', lifecycleStatus: 'Active', isBundle: true,
    bundledProductOffering: [{ id: 'po-prepaid-bundle-10' }, { id: 'po-addon-data-1gb' }] } });
  const bundle = await created(b);
  await sleep(300); // the compiled catalog is rebuilt after the write
  const q = await srv.request('POST', `${PO}?dryRun=true`, { body: line(prepaid, auto, { productOrderItem: [{ id: '1', action: 'add', productOffering: { id: bundle.id }, product: { productCharacteristic: auto } }] }) });
  assert.equal(q.status, 200, q.text);
  const ids = q.json.productOrderItem[0].itemPrice.map((p) => p.productOfferingPrice.id);
  assert.ok(ids.includes('pop-sim-prepaid') && ids.includes('pop-addon-1gb'), ids.join()); // the bundled offerings' prices
  const o = await created(await srv.request('POST', PO, { body: line(prepaid, auto, { productOrderItem: [{ id: '1', action: 'add', productOffering: { id: bundle.id }, product: { productCharacteristic: auto } }] }) }));
  const done = await settle(srv, o.id);
  assert.equal(done.state, 'completed', JSON.stringify(done.stateChange));
  const parent = (await srv.request('GET', `${PROD}/${o.productOrderItem[0].product.id}`)).json;
  assert.equal(parent.isBundle, true);
  assert.equal(parent.status, 'active');
  assert.equal(parent.product.length, 2);
  const kids = await Promise.all(parent.product.map(async (k) => (await srv.request('GET', `${PROD}/${k.id}`)).json));
  assert.deepEqual(kids.map((k) => [k.productOffering.id, k.status]), [['po-prepaid-bundle-10', 'active'], ['po-addon-data-1gb', 'active']]);
  assert.deepEqual(kids[0].productRelationship, [{ relationshipType: 'bundled', product: { id: parent.id, '@referredType': 'Product' } }]);
  const msisdn = char(kids[0], 'MSISDN');
  assert.ok(msisdn);
  assert.equal((await srv.request('GET', `${RES}/${msisdn}`)).json.product.id, kids[0].id);
  // ending the bundle ends its children; the number goes to quarantine
  const end = await created(await srv.request('POST', PO, { body: { relatedParty: [{ id: prepaid.customer, role: 'customer' }], billingAccount: { id: prepaid.account },
    productOrderItem: [{ id: '1', action: 'delete', product: { id: parent.id } }] } }));
  await settle(srv, end.id);
  const tasks = (await srv.request('GET', `${PO}/${end.id}/tasks`)).json.map((t) => t.type);
  assert.deepEqual(tasks, ['pcrf.removePolicy', 'hlr.deleteSubscriber', 'product.terminate']);
  for (const k of [parent, ...kids]) assert.equal((await srv.request('GET', `${PROD}/${k.id}`)).json.status, 'terminated', k.id);
  assert.equal((await srv.request('GET', `${RES}/${msisdn}`)).json.resourceStatus, 'quarantined');
});
