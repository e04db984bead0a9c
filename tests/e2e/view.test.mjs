// view.test.mjs: the customer view (GET /api/v1/customers/{id}/view,
// src/customer/view.c) against a real `bss serve`: a customer with nothing
// but a party answers every part, empty; a customer with a billing
// account, interactions (logged on the customer, its party and its
// account) and tickets answers its accounts, the open tickets only and the
// last 20 interactions newest first; unknown customers are 404; reads by
// an agent key are recorded in the access audit; roles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, sleep, created } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const ACC = '/tmf-api/accountManagement/v4';
const PI = '/tmf-api/partyInteraction/v4/partyInteraction';
const TT = '/tmf-api/troubleTicket/v4/troubleTicket';
const PARTS = ['accounts', 'subscriptions', 'balances', 'usage', 'lastBills', 'openOrders', 'openTickets', 'lastInteractions'];

let srv;
let agentKey;

async function newCustomer(given) {
  const ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: { givenName: given, familyName: 'Lee' } }));
  const cust = await created(await srv.request('POST', CUSTOMER, { body: { name: `${given} Lee`, engagedParty: { id: ind.id } } }));
  return { ind, cust };
}

before(async () => {
  srv = await startServer({ args: ['--test-clock-start', '2026-03-02T09:00:00Z'], testClock: true });
  agentKey = (await created(await srv.request('POST', '/admin/v1/keys', { body: { name: 'Alice Agent', role: 'agent' } }))).key;
});

const view = (id, key = agentKey) => srv.request('GET', `/api/v1/customers/${id}/view`, { key });

test('a customer with no data yet: every part present and empty', async () => {
  const { ind, cust } = await newCustomer('Ann');
  const r = await view(cust.id);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.customer.id, cust.id);
  assert.equal(r.json.party.id, ind.id);
  for (const p of PARTS) {
    assert.ok(Array.isArray(r.json[p]), `${p}: ${r.text}`);
  }
  // the customer's own creation is not an interaction; nothing else exists yet
  for (const p of ['accounts', 'subscriptions', 'balances', 'lastBills', 'openOrders', 'openTickets']) assert.deepEqual(r.json[p], [], p);
});

test('accounts, open tickets and the last 20 interactions, newest first', async () => {
  const { ind, cust } = await newCustomer('Bob');
  const acct = await created(await srv.request('POST', `${ACC}/billingAccount`, { body: {
    name: 'Bob home', currency: 'EUR', billCycleDay: 5,
    relatedParty: [{ id: ind.id, '@referredType': 'Individual', role: 'owner' }, { id: cust.id, '@referredType': 'Customer', role: 'customer' }] } }));
  const subjects = [
    { id: cust.id, '@referredType': 'Customer' },
    { id: ind.id, '@referredType': 'Individual' },
    { id: acct.id, '@referredType': 'BillingAccount' },
  ];
  const ids = [];
  for (let i = 0; i < 24; i++) {
    const start = new Date(Date.UTC(2026, 2, 3, 8, i)).toISOString();
    const it = await created(await srv.request('POST', PI, { key: agentKey, body: {
      channel: ['call', 'email', 'chat'][i % 3], direction: 'inbound', reason: `contact ${i}`,
      interactionDate: { startDateTime: start }, relatedParty: [subjects[i % 3]] } }));
    ids.push(it.id);
  }
  const open = await created(await srv.request('POST', TT, { key: agentKey, body: {
    description: 'No data', ticketType: 'complaint', severity: 'minor', relatedParty: [{ id: cust.id, '@referredType': 'Customer' }] } }));
  const done = await created(await srv.request('POST', TT, { key: agentKey, body: {
    description: 'Wrong bill', ticketType: 'billing', severity: 'low', relatedParty: [{ id: acct.id, '@referredType': 'BillingAccount' }] } }));
  for (const status of ['inProgress', 'resolved']) {
    const p = await srv.request('PATCH', `${TT}/${done.id}`, { key: agentKey, body: { status } });
    assert.equal(p.status, 200, p.text);
  }
  const r = await view(cust.id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.accounts.map((a) => a.id), [acct.id]);
  assert.deepEqual(r.json.openTickets.map((t) => t.id), [open.id]);
  const last = r.json.lastInteractions;
  assert.equal(last.length, 20);
  assert.deepEqual(last.map((x) => x.id), ids.slice(4).reverse());
  for (const p of ['subscriptions', 'balances', 'lastBills', 'openOrders']) assert.deepEqual(r.json[p], [], p);
});

test('unknown customer: 404; roles', async () => {
  assertTmfError(await view('no-such-customer'), 404, assert);
  const { cust } = await newCustomer('Cy');
  const ro = (await created(await srv.request('POST', '/admin/v1/keys', { body: { name: 'Ro', role: 'readonly' } }))).key;
  assert.equal((await view(cust.id, ro)).status, 200);
  const net = (await created(await srv.request('POST', '/admin/v1/keys', { body: { name: 'Net', role: 'network' } }))).key;
  assertTmfError(await view(cust.id, net), 403, assert);
});

test('an agent opening the view is recorded in the access audit', async () => {
  const { cust } = await newCustomer('Dee');
  assert.equal((await view(cust.id)).status, 200);
  let rows = [];
  for (let i = 0; i < 50 && rows.length === 0; i++) {
    const a = await srv.request('GET', `/admin/v1/audit?resourceId=${cust.id}`);
    assert.equal(a.status, 200, a.text);
    rows = a.json.filter((x) => x.action === 'view');
    if (rows.length === 0) await sleep(20);
  }
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0].keyName, 'Alice Agent');
  assert.equal(rows[0].resourceKind, 'customer');
});
