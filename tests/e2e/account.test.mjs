// account.test.mjs: TMF666 accounts against a real `bss serve`: billing
// accounts for real parties and customers, each bad input of the customer
// issue that concerns accounts answered with its status, code and field
// (bill-cycle day 29-31, unknown currency, cycles and currency mismatches
// in corporate hierarchies, missing owner, card numbers), server-assigned
// account numbers searchable by filter, bill structure references to the
// seeded presentation media, the other account kinds, and roles.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, expectError, created } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const ACC = '/tmf-api/accountManagement/v4';

let srv;
let ind;
let org;
let cust;
before(async () => {
  srv = await startServer();
  ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: { givenName: 'Ann', familyName: 'Lee' } }));
  org = await created(await srv.request('POST', `${PARTY}/organization`, { body: { name: 'Acme Logistics', tradingName: 'Acme' } }));
  cust = await created(await srv.request('POST', CUSTOMER, { body: { name: 'Ann Lee', engagedParty: { id: ind.id } } }));
});

const owner = () => [{ id: ind.id, '@referredType': 'Individual', role: 'owner', name: 'Ann Lee' }];
const orgOwner = () => [{ id: org.id, '@referredType': 'Organization', role: 'owner', name: 'Acme' }];
const post = (seg, body, key) => srv.request('POST', `${ACC}/${seg}`, { body, key });

test('the seeded bill presentation media are listed and usable', async () => {
  const r = await srv.request('GET', `${ACC}/billPresentationMedia`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.map((m) => m.name).sort(), ['email', 'paper', 'portal']);
  assert.equal((await srv.request('GET', `${ACC}/billPresentationMedia/email`)).status, 200);
  assert.equal((await srv.request('GET', `${ACC}/billPresentationMedia/fax`)).status, 404);
});

test('a billing account: number, currency, cycle day, customer, bill structure', async () => {
  const fmt = await created(await post('billFormat', { name: 'Detailed invoice' }));
  const spec = await created(await post('billingCycleSpecification', { name: 'Monthly on the 15th', frequency: 'monthly', billCycleDay: 15 }));
  const a = await created(await post('billingAccount', {
    name: 'Home', relatedParty: owner(), currency: 'EUR', billCycleDay: 28,
    creditLimit: { unit: 'EUR', value: 150 },
    billStructure: { format: { id: fmt.id }, presentationMedia: [{ id: 'email' }], cycleSpecification: { id: spec.id } },
    defaultPaymentMethod: { id: 'tok_visa_4242' },
    taxExemption: [{ certificateReference: 'EX-2026-001', reason: 'diplomatic', validFor: { startDateTime: '2026-01-01T00:00:00Z' } }],
  }));
  assert.match(a.accountNumber, /^BA-\d{6}$/);
  assert.equal(a.state, 'active');
  assert.equal(a.billCycleDay, 28);
  assert.equal(a.customer.id, cust.id);
  assert.equal(a['@type'], 'BillingAccount');
  const l = await srv.request('GET', `${ACC}/billingAccount?accountNumber=${a.accountNumber}`);
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.map((x) => x.id), [a.id]);
  const byCustomer = await srv.request('GET', `${ACC}/billingAccount?customer.id=${cust.id}`);
  assert.ok(byCustomer.json.some((x) => x.id === a.id), byCustomer.text);
  // the number is the server's
  const p = await srv.request('PATCH', `${ACC}/billingAccount/${a.id}`, { body: { accountNumber: 'BA-1', billCycleDay: 3 } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.accountNumber, a.accountNumber);
  assert.equal(p.json.billCycleDay, 3);
});

test('bill-cycle day 29-31 is 400 naming billCycleDay and saying why', async () => {
  for (const day of [29, 30, 31]) {
    const r = await post('billingAccount', { name: 'H', relatedParty: owner(), currency: 'EUR', billCycleDay: day });
    expectError(r, 400, 'INVALID', 'billCycleDay', `day ${day}`);
    assert.match(r.json.message, /a day every month has/);
  }
  expectError(await post('billingAccount', { name: 'H', relatedParty: owner(), currency: 'EUR', billCycleDay: 0 }), 400, 'INVALID', 'billCycleDay', 'day 0');
});

test('an unknown or missing currency is 400 naming currency', async () => {
  expectError(await post('billingAccount', { name: 'H', relatedParty: owner(), currency: 'XYZ' }), 400, 'INVALID', 'currency', 'XYZ');
  expectError(await post('billingAccount', { name: 'H', relatedParty: owner() }), 400, 'INVALID', 'currency', 'none');
  expectError(await post('billingAccount', { name: 'H', relatedParty: owner(), currency: 'EUR', creditLimit: { unit: 'USD', value: 5 } }),
    400, 'INVALID', 'creditLimit.unit', 'limit in another currency');
});

test('owner, parties and references', async () => {
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR' }), 400, 'INVALID', 'relatedParty', 'no relatedParty');
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: [{ id: ind.id, role: 'user' }] }),
    400, 'INVALID', 'relatedParty', 'no owner');
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: [{ id: 'nobody', role: 'owner', '@referredType': 'Individual' }] }),
    422, 'UNPROCESSABLE', 'relatedParty[0].id', 'unknown owner');
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: owner(), billStructure: { presentationMedia: [{ id: 'pigeon' }] } }),
    422, 'UNPROCESSABLE', 'billStructure.presentationMedia[0].id', 'unknown medium');
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: owner(), billStructure: { format: { id: 'none' } } }),
    422, 'UNPROCESSABLE', 'billStructure.format.id', 'unknown format');
  const pan = await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: owner(), defaultPaymentMethod: { id: 'x', number: '4111 1111 1111 1111' } });
  expectError(pan, 400, 'INVALID', 'defaultPaymentMethod.number', 'PAN');
  assert.match(pan.json.message, /card numbers are not stored; use a payment method token/);
  expectError(await post('billingAccount', { name: 'H', currency: 'EUR', relatedParty: owner(), taxExemption: [{ reason: 'x' }] }),
    400, 'INVALID', 'taxExemption[0].certificateReference', 'exemption without certificate');
});

test('corporate hierarchies: parent must exist, share the currency, and never form a cycle (422)', async () => {
  const hq = await created(await post('billingAccount', { name: 'Acme HQ', relatedParty: orgOwner(), currency: 'EUR' }));
  const branch = await created(await post('billingAccount', { name: 'Acme North', relatedParty: orgOwner(), currency: 'EUR', parentAccount: { id: hq.id } }));
  const team = await created(await post('billingAccount', { name: 'Acme North fleet', relatedParty: orgOwner(), currency: 'EUR', parentAccount: { id: branch.id } }));
  const kids = await srv.request('GET', `${ACC}/billingAccount?parentAccount.id=${hq.id}`);
  assert.deepEqual(kids.json.map((x) => x.id), [branch.id]);
  const cyc = await srv.request('PATCH', `${ACC}/billingAccount/${hq.id}`, { body: { parentAccount: { id: team.id } } });
  expectError(cyc, 422, 'UNPROCESSABLE', 'parentAccount', 'cycle');
  assert.match(cyc.json.message, /cycle/);
  expectError(await srv.request('PATCH', `${ACC}/billingAccount/${hq.id}`, { body: { parentAccount: { id: hq.id } } }),
    422, 'UNPROCESSABLE', 'parentAccount', 'self');
  expectError(await post('billingAccount', { name: 'Acme US', relatedParty: orgOwner(), currency: 'USD', parentAccount: { id: hq.id } }),
    422, 'UNPROCESSABLE', 'parentAccount', 'currency');
  expectError(await post('billingAccount', { name: 'Acme ?', relatedParty: orgOwner(), currency: 'EUR', parentAccount: { id: 'missing' } }),
    422, 'UNPROCESSABLE', 'parentAccount.id', 'missing parent');
});

test('state transitions: closed is final (409)', async () => {
  const a = await created(await post('billingAccount', { name: 'Temp', relatedParty: owner(), currency: 'EUR' }));
  for (const s of ['suspended', 'active', 'closed']) {
    const r = await srv.request('PATCH', `${ACC}/billingAccount/${a.id}`, { body: { state: s } });
    assert.equal(r.status, 200, r.text);
  }
  expectError(await srv.request('PATCH', `${ACC}/billingAccount/${a.id}`, { body: { state: 'active' } }), 409, 'STATE', 'state', 'reopen');
  expectError(await srv.request('PATCH', `${ACC}/billingAccount/${a.id}`, { body: { currency: 'USD' } }), 409, 'CONFLICT', 'currency', 'currency change');
});

test('party, financial and settlement accounts', async () => {
  const pa = await created(await post('partyAccount', { name: 'Travel account', relatedParty: [{ id: org.id, '@referredType': 'Organization' }] }));
  assert.match(pa.accountNumber, /^PA-\d{6}$/);
  const fa = await created(await post('financialAccount', { name: 'Administration account', accountBalance: [{ balanceType: 'receivable', amount: { unit: 'EUR', value: -12.5 } }] }));
  assert.match(fa.accountNumber, /^FA-\d{6}$/);
  const sa = await created(await post('settlementAccount', { name: 'Per Usage Account', relatedParty: [{ id: org.id, '@referredType': 'Organization' }] }));
  assert.match(sa.accountNumber, /^SA-\d{6}$/);
  expectError(await post('settlementAccount', { name: 'x', relatedParty: [{ id: 'ghost', '@referredType': 'Organization' }] }),
    422, 'UNPROCESSABLE', 'relatedParty[0].id', 'ghost');
  expectError(await post('financialAccount', { name: 'x', creditLimit: { unit: 'EUR', value: '1.1234567' } }), 400, 'INVALID', 'creditLimit.value', 'seven decimals');
  expectError(await post('partyAccount', {}), 400, 'INVALID', 'name', 'no name');
  expectError(await post('billingCycleSpecification', { name: 'x', billCycleDay: 31 }), 400, 'INVALID', 'billCycleDay', 'spec day 31');
});

test('roles: billing writes accounts, readonly only reads, agents cannot configure media', async () => {
  const mk = async (role) => (await srv.request('POST', '/admin/v1/keys', { body: { name: `${role}-${Date.now()}`, role } })).json.key;
  const bill = await mk('billing');
  const ro = await mk('readonly');
  const agent = await mk('agent');
  await created(await post('billingAccount', { name: 'By billing', relatedParty: owner(), currency: 'EUR' }, bill));
  assert.equal((await srv.request('GET', `${ACC}/billingAccount`, { key: ro })).status, 200);
  assertTmfError(await post('billingAccount', { name: 'x', relatedParty: owner(), currency: 'EUR' }, ro), 403, assert, 'readonly');
  assertTmfError(await post('billPresentationMedia', { name: 'sms' }, agent), 403, assert, 'agent media');
  await created(await post('billPresentationMedia', { name: 'sms', description: 'a link by SMS' }));
});
