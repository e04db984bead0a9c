// customer.test.mjs: TMF629 customers against a real `bss serve`: created
// for real TMF632 parties, each bad input of the customer issue answered
// with its status, error code and field (missing engagedParty, a party that
// does not exist, illegal status transitions), customerSince, segment
// defaults, filters on typed columns, roles, and the events of a status change.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, expectError, created } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';

let srv;
let ind;
let org;
before(async () => {
  srv = await startServer();
  ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: { givenName: 'Ann', familyName: 'Lee' } }));
  org = await created(await srv.request('POST', `${PARTY}/organization`, { body: { name: 'Moon Football Club', tradingName: 'Moon FC' } }));
});

async function key(role) {
  const r = await srv.request('POST', '/admin/v1/keys', { body: { name: `${role}-${Date.now()}`, role } });
  assert.equal(r.status, 201, r.text);
  return r.json.key;
}

test('a customer for a real party: defaults, customerSince, segment', async () => {
  const c = await created(await srv.request('POST', CUSTOMER, {
    body: { name: 'Moon Football Club', engagedParty: { id: org.id } },
  }));
  assert.equal(c['@type'], 'Customer');
  assert.equal(c.engagedParty['@referredType'], 'Organization');
  assert.equal(c.status, 'prospect');
  assert.equal(c.segment, 'business');
  assert.equal(c.customerSince, undefined);
  assert.match(c.href, /\/tmf-api\/customerManagement\/v4\/customer\//);
  const r = await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { status: 'active' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'active');
  assert.match(r.json.customerSince, /^\d{4}-\d\d-\d\dT/);
  const g = await srv.request('GET', `${CUSTOMER}/${c.id}`);
  assert.equal(g.status, 200);
  assert.equal(g.json.customerSince, r.json.customerSince);
  // typed-column filters
  const l = await srv.request('GET', `${CUSTOMER}?status=active&engagedParty.id=${org.id}`);
  assert.equal(l.status, 200, l.text);
  assert.ok(l.json.some((x) => x.id === c.id), l.text);
});

test('missing engagedParty is 400 naming engagedParty', async () => {
  expectError(await srv.request('POST', CUSTOMER, { body: { name: 'Nobody' } }), 400, 'INVALID', 'engagedParty', 'no engagedParty');
  expectError(await srv.request('POST', CUSTOMER, { body: { name: 'X', engagedParty: { '@referredType': 'Individual' } } }),
    400, 'INVALID', 'engagedParty.id', 'engagedParty without id');
  expectError(await srv.request('POST', CUSTOMER, { body: { name: 'X', engagedParty: { id: ind.id, '@referredType': 'Alien' } } }),
    400, 'INVALID', 'engagedParty.@referredType', 'bad referredType');
});

test('an engagedParty that does not exist is 422 naming engagedParty.id', async () => {
  const r = await srv.request('POST', CUSTOMER, {
    body: { name: 'Ghost', engagedParty: { id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '@referredType': 'Individual' } },
  });
  expectError(r, 422, 'UNPROCESSABLE', 'engagedParty.id', 'unknown party');
  assert.match(r.json.message, /no Individual with id/);
  // the organization's id is not an Individual
  expectError(await srv.request('POST', CUSTOMER, { body: { name: 'X', engagedParty: { id: org.id, '@referredType': 'Individual' } } }),
    422, 'UNPROCESSABLE', 'engagedParty.id', 'wrong party kind');
});

test('illegal status transitions are 409 STATE; closed is final', async () => {
  const c = await created(await srv.request('POST', CUSTOMER, {
    body: { name: 'Ann Lee', engagedParty: { id: ind.id, '@referredType': 'Individual' } },
  }));
  assert.equal(c.segment, 'consumer');
  expectError(await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { status: 'suspended' } }), 409, 'STATE', 'status', 'prospect->suspended');
  expectError(await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { status: 'dormant' } }), 400, 'INVALID', 'status', 'unknown status');
  for (const s of ['active', 'suspended', 'active', 'closed']) {
    const r = await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { status: s } });
    assert.equal(r.status, 200, `${s}: ${r.text}`);
  }
  for (const s of ['active', 'prospect', 'suspended']) {
    expectError(await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { status: s } }), 409, 'STATE', 'status', `closed->${s}`);
  }
});

test('other bad members: segment, contact medium, card numbers, swapping the party', async () => {
  const base = { name: 'Ann', engagedParty: { id: ind.id } };
  expectError(await srv.request('POST', CUSTOMER, { body: { ...base, segment: 'martian' } }), 400, 'INVALID', 'segment', 'segment');
  const r = await srv.request('POST', CUSTOMER, {
    body: { ...base, contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'not-an-email' } }] },
  });
  assertTmfError(r, 400, assert, 'bad email');
  assert.match(r.json.field, /^contactMedium\[0\]/);
  const p = await srv.request('POST', CUSTOMER, {
    body: { ...base, paymentMethod: [{ id: 'pm-1', details: { cardNumber: '4111111111111111' } }] },
  });
  expectError(p, 400, 'INVALID', 'paymentMethod[0].details.cardNumber', 'PAN');
  assert.match(p.json.message, /card numbers are not stored; use a payment method token/);
  const c = await created(await srv.request('POST', CUSTOMER, {
    body: { ...base, segment: 'VIP', creditClass: 'A', relatedParty: [{ id: ind.id, role: 'accountManager', '@referredType': 'Individual' }] },
  }));
  assert.equal(c.segment, 'vip');
  expectError(await srv.request('PATCH', `${CUSTOMER}/${c.id}`, { body: { engagedParty: { id: org.id } } }), 409, 'CONFLICT', 'engagedParty.id', 'swap');
});

test('roles: readonly and billing read, agents write, billing and readonly cannot write customers', async () => {
  const ro = await key('readonly');
  const bill = await key('billing');
  const agent = await key('agent');
  const net = await key('network');
  assert.equal((await srv.request('GET', CUSTOMER, { key: ro })).status, 200);
  assert.equal((await srv.request('GET', CUSTOMER, { key: bill })).status, 200);
  assertTmfError(await srv.request('GET', CUSTOMER, { key: net }), 403, assert, 'network reads');
  assertTmfError(await srv.request('POST', CUSTOMER, { key: ro, body: { name: 'x', engagedParty: { id: ind.id } } }), 403, assert, 'readonly writes');
  assertTmfError(await srv.request('POST', CUSTOMER, { key: bill, body: { name: 'x', engagedParty: { id: ind.id } } }), 403, assert, 'billing writes');
  await created(await srv.request('POST', CUSTOMER, { key: agent, body: { name: 'By agent', engagedParty: { id: ind.id } } }));
  assert.equal((await srv.request('DELETE', `${CUSTOMER}/x`)).status, 405);
});
