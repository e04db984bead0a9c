// search.test.mjs: the customer search (GET /api/v1/search, src/customer/search.c)
// against a real `bss serve`: a party with an accented name, e-mail and
// mobile number, its customer and billing account are found by e-mail (any
// case), by phone (typed with spaces or 00), by accent- and case-
// insensitive name prefix, by account number and by id; bad input (no q,
// bad limit) answered 400 with the field; roles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, created } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const ACC = '/tmf-api/accountManagement/v4';

let srv;
let ind;
let cust;
let acct;
let agentKey;

before(async () => {
  srv = await startServer();
  ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: {
    givenName: 'Zoë', familyName: 'Müller-Łukasiewicz',
    contactMedium: [
      { mediumType: 'email', characteristic: { emailAddress: 'zoe.muller@example.de' } },
      { mediumType: 'mobile', characteristic: { phoneNumber: '+4915112345678' } },
    ] } }));
  cust = await created(await srv.request('POST', CUSTOMER, { body: { name: 'Zoë Müller-Łukasiewicz', engagedParty: { id: ind.id } } }));
  acct = await created(await srv.request('POST', `${ACC}/billingAccount`, { body: {
    name: 'Zoë home', currency: 'EUR', billCycleDay: 1,
    relatedParty: [{ id: ind.id, '@referredType': 'Individual', role: 'owner' }, { id: cust.id, '@referredType': 'Customer', role: 'customer' }] } }));
  agentKey = (await created(await srv.request('POST', '/admin/v1/keys', { body: { name: 'Alice Agent', role: 'agent' } }))).key;
});

const search = (q, extra = '') => srv.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}${extra}`, { key: agentKey });

async function hits(q) {
  const r = await search(q);
  assert.equal(r.status, 200, r.text);
  assert.ok(Array.isArray(r.json), r.text);
  return r.json;
}

test('by e-mail, any case: the party, with its customer', async () => {
  const h = await hits('Zoe.Muller@Example.DE');
  assert.equal(h.length, 1, JSON.stringify(h));
  const one = { kind: 'individual', id: ind.id, display: 'Zoë Müller-Łukasiewicz', matched: 'zoe.muller@example.de' };
  assert.deepEqual(h[0], { customerId: cust.id, ...one, matches: [one] });
});

test('by phone, typed with spaces or a 00 prefix', async () => {
  for (const q of ['+49 151 12345678', '0049 151 1234-5678', '+4915112345678']) {
    const h = await hits(q);
    assert.equal(h.length, 1, `${q}: ${JSON.stringify(h)}`);
    assert.equal(h[0].id, ind.id);
    assert.equal(h[0].customerId, cust.id);
    assert.equal(h[0].matched, '+4915112345678');
  }
  assert.deepEqual(await hits('+49 151 00000000'), []);
});

test('by name prefix: case- and accent-insensitive, any word', async () => {
  for (const q of ['Zoë', 'zoe', 'ZOE MU', 'müll', 'MULLER', 'łukas', 'lukasiewicz']) {
    const h = await hits(q);
    assert.equal(h.length, 1, `one row per person: ${q}: ${JSON.stringify(h)}`);
    assert.deepEqual([h[0].customerId, h[0].kind, h[0].id], [cust.id, 'individual', ind.id], q);
    const kinds = h[0].matches.map((x) => x.kind).sort();
    assert.ok(kinds.includes('individual') && kinds.includes('customer'), `${q}: ${JSON.stringify(h)}`);
  }
  assert.deepEqual(await hits('kasiewicz'), []); // a prefix, not a substring
});

test('by account number and by id', async () => {
  let h = await hits(acct.accountNumber.toLowerCase());
  assert.equal(h.length, 1, JSON.stringify(h));
  assert.equal(h[0].kind, 'billingAccount');
  assert.equal(h[0].customerId, cust.id);
  h = await hits(cust.id);
  assert.equal(h[0].kind, 'customer');
  assert.equal(h[0].id, cust.id);
});

test('bad input: 400 naming the parameter; limit honoured; roles', async () => {
  let r = await srv.request('GET', '/api/v1/search', { key: agentKey });
  assertTmfError(r, 400, assert);
  assert.equal(r.json.field, 'q');
  for (const lim of ['0', '101', 'ten', '']) {
    r = await search('zoe', `&limit=${lim}`);
    assertTmfError(r, 400, assert, `limit=${lim}`);
    assert.equal(r.json.field, 'limit');
  }
  r = await search('zoe', '&limit=1');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 1);
  const net = (await created(await srv.request('POST', '/admin/v1/keys', { body: { name: 'n', role: 'network' } }))).key;
  assertTmfError(await srv.request('GET', '/api/v1/search?q=zoe', { key: net }), 403, assert);
  assertTmfError(await srv.request('GET', '/api/v1/search?q=zoe', { key: null }), 401, assert);
});
