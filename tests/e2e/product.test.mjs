// product.test.mjs: the product inventory (TMF637 /tmf-api/productInventory/v4/product,
// src/order/product.c) against a real `bss serve --demo`: a product written
// directly (an admin moving a base in) takes its offering's name, version and
// prices from the catalog; every bad input with its status and field; the
// status walk and its 409s; two live products never share a number, a SIM or
// an IMSI, and a terminated one frees them; the customer view lists products.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, expectError, created, newApiKey } from './lib/server.mjs';

const P = '/tmf-api/productInventory/v4/product';
let srv;
let who; // {customer, account} of a demo customer
let agentKey;

before(async () => {
  srv = await startServer({ args: ['--demo', '--default-country', 'NL'] });
  agentKey = await newApiKey(srv, 'agent', 'Alice Agent');
  const lines = (await srv.request('GET', `${P}?status=active&limit=1`)).json;
  const line = lines[0];
  who = { customer: line.relatedParty.find((r) => r.role === 'customer').id, account: line.billingAccount.id, line };
});
after(async () => { await stopServer(srv); });

const body = (extra = {}) => ({
  productOffering: { id: 'po-prepaid-payg' },
  billingAccount: { id: who.account },
  relatedParty: [{ id: who.customer, role: 'customer', '@referredType': 'Customer' }],
  productCharacteristic: [{ name: 'MSISDN', value: '06 2000 0001' }, { name: 'ICCID', value: '8931 4400 0000 0000 014' }],
  ...extra,
});

test('a product takes its offering\'s name, version and prices from the catalog', async () => {
  const p = await created(await srv.request('POST', P, { body: body({ status: 'active' }) }));
  assert.equal(p.name, 'Prepaid Pay as you go');
  assert.deepEqual(p.productOffering, { id: 'po-prepaid-payg', name: 'Prepaid Pay as you go', version: '1', '@referredType': 'ProductOffering' });
  assert.deepEqual(p.productPrice.map((x) => x.productOfferingPrice.id), ['pop-sim-prepaid', 'pop-voice-payg', 'pop-sms-payg', 'pop-data-payg']);
  assert.equal(p.productPrice[0].productOfferingPrice.version, '1');
  assert.equal(p.productPrice[0].priceType, 'oneTime');
  assert.deepEqual(p.productCharacteristic, [{ name: 'MSISDN', value: '31620000001' }, { name: 'ICCID', value: '8931440000000000014' }]);
  assert.ok(p.startDate, 'startDate set when it became active');
  const list = await srv.request('GET', `${P}?productOffering.id=po-prepaid-payg&status=active`, { key: agentKey });
  assert.ok(list.json.some((x) => x.id === p.id));
  const view = await srv.request('GET', `/api/v1/customers/${who.customer}/view`, { key: agentKey });
  assert.ok(view.json.subscriptions.some((s) => s.id === p.id), 'the customer view lists the product');
});

test('bad products are refused with the member at fault', async () => {
  const cases = [
    [{ productOffering: undefined }, 400, 'INVALID', 'productOffering'],
    [{ productOffering: { id: 'po-nope' } }, 422, 'UNPROCESSABLE', 'productOffering.id'],
    [{ billingAccount: { id: 'nope' } }, 422, 'UNPROCESSABLE', 'billingAccount.id'],
    [{ relatedParty: [{ id: who.customer, role: 'owner' }] }, 400, 'INVALID', 'relatedParty'],
    [{ relatedParty: [{ id: 'nobody', role: 'customer' }] }, 422, 'UNPROCESSABLE', 'relatedParty'],
    [{ productCharacteristic: [{ name: 'MSISDN', value: 'twelve' }] }, 400, 'INVALID', 'productCharacteristic[0].value'],
    [{ productCharacteristic: [{ name: 'ICCID', value: '8931440000000000012' }] }, 400, 'INVALID', 'productCharacteristic[0].value'],
    [{ productCharacteristic: [{ name: 'IMSI', value: '204-44' }] }, 400, 'INVALID', 'productCharacteristic[0].value'],
    [{ productCharacteristic: [{ name: 'MSISDN', value: '+31620000009' }, { name: 'msisdn', value: '+31620000008' }] }, 400, 'INVALID', 'productCharacteristic[1].value'],
    [{ status: 'sleeping' }, 400, 'INVALID', 'status'],
    [{ status: 'active', startDate: 'yesterday', productCharacteristic: [{ name: 'MSISDN', value: '06 2000 0077' }] }, 400, 'INVALID', 'startDate'],
  ];
  for (const [extra, status, code, field] of cases) {
    const b = body(extra);
    for (const k of Object.keys(extra)) if (extra[k] === undefined) delete b[k];
    expectError(await srv.request('POST', P, { body: b }), status, code, field, JSON.stringify(extra));
  }
  expectError(await srv.request('POST', P, { key: agentKey, body: body() }), 403, 'FORBIDDEN', undefined, 'agents order, they do not write products');
});

test('two live products never share a number, a SIM or an IMSI', async () => {
  const msisdn = who.line.productCharacteristic.find((c) => c.name === 'MSISDN').value;
  const r = await srv.request('POST', P, { body: body({ productCharacteristic: [{ name: 'MSISDN', value: `+${msisdn}` }] }) });
  expectError(r, 409, 'CONFLICT', 'productCharacteristic', 'a demo line\'s number');
  assert.equal(r.json.message, `MSISDN +${msisdn} belongs to product ${who.line.id} already`);
  const a = await created(await srv.request('POST', P, { body: body({ productCharacteristic: [{ name: 'IMSI', value: '204449999999999' }] }) }));
  expectError(await srv.request('POST', P, { body: body({ productCharacteristic: [{ name: 'IMSI', value: '204449999999999' }] }) }), 409, 'CONFLICT', 'productCharacteristic', 'IMSI twice');
  // once the first is gone, its IMSI is free
  assert.equal((await srv.request('PATCH', P + '/' + a.id, { body: { status: 'cancelled' } })).status, 200);
  await created(await srv.request('POST', P, { body: body({ productCharacteristic: [{ name: 'IMSI', value: '204449999999999' }] }) }));
});

test('the status walk: suspend, resume, terminate; the rest is 409', async () => {
  const p = await created(await srv.request('POST', P, { body: body({ status: 'active', productCharacteristic: [{ name: 'MSISDN', value: '+31620000100' }] }) }));
  const patch = (b) => srv.request('PATCH', `${P}/${p.id}`, { body: b });
  assert.equal((await patch({ status: 'suspended' })).json.status, 'suspended');
  const back = await patch({ status: 'created' });
  expectError(back, 409, 'STATE', 'status', 'suspended to created');
  assert.equal(back.json.message, 'a product cannot go from suspended to created; from suspended it may become: active, pendingTerminate, terminated');
  assert.equal((await patch({ status: 'active' })).json.status, 'active');
  const t = await patch({ status: 'terminated' });
  assert.equal(t.json.status, 'terminated');
  assert.ok(t.json.terminationDate);
  const again = await patch({ status: 'active' });
  expectError(again, 409, 'STATE', 'status', 'terminated is final');
  assert.match(again.json.message, /terminated is final$/);
  // the number is free for another product now
  await created(await srv.request('POST', P, { body: body({ productCharacteristic: [{ name: 'MSISDN', value: '+31620000100' }] }) }));
  const h = await srv.request('GET', `${P}/${p.id}/history`);
  assert.equal(h.status, 200, h.text);
  assert.ok(h.json.length >= 4);
  expectError(await srv.request('DELETE', `${P}/${p.id}`), 405, 'METHOD', undefined, 'no DELETE');
});
