// erasure.test.mjs: GDPR erasure must erase. A person is seeded into every
// resource that can hold their data (party, consent, customer with
// description and characteristics, billing account with description and
// contacts, an interaction and a trouble ticket that name the customer and
// the account by name, events, the search index); after the erasure the
// whole store (every table, every JSON column, the outbox payloads) is
// searched for their name, e-mail, phone and identification number: zero
// hits. An erased party is frozen: writes that would re-identify it or give
// it new roles are 409.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectError, run } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const ACC = '/tmf-api/accountManagement/v4/billingAccount';
const INTERACTION = '/tmf-api/partyInteraction/v4/partyInteraction';
const TICKET = '/tmf-api/troubleTicket/v4/troubleTicket';
const SECRETS = ['Wilhelmina', 'Erasetest', 'wilhelmina.erasetest@example.org', '15199887766', 'X9876543Q'];

let srv;
before(async () => { srv = await startServer({ args: ['--outbox-poll', '50'] }); });
after(async () => { await srv.stop(); });

async function post(path, body) {
  const r = await srv.request('POST', path, { body });
  assert.equal(r.status, 201, `POST ${path}: ${r.text}`);
  return r.json;
}

// Everything the store holds, as text: a dump of every table.
async function storeText() {
  if (srv.backend === 'postgres') {
    const r = await run('pg_dump', ['--data-only', '--no-owner', srv.pg.url], { env: process.env });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }
  const r = await run('sqlite3', [srv.dbUrl.replace(/^sqlite:/, ''), '.dump'], { env: process.env });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

let person, customer, account, org, child;

test('a person seeded everywhere their data can go', async () => {
  person = await post(`${PARTY}/individual`, {
    givenName: 'Wilhelmina', familyName: 'Erasetest',
    contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'wilhelmina.erasetest@example.org' } },
                    { mediumType: 'mobile', characteristic: { phoneNumber: '+4915199887766' } }],
    individualIdentification: [{ identificationType: 'passport', identificationId: 'X9876543Q', issuingCountry: 'DE' }],
  });
  await post(`${PARTY}/individual/${person.id}/consent`, { purpose: 'marketing', channel: 'email', granted: true,
    source: 'agent', wordingVersion: 'v1', note: 'Wilhelmina said yes on the phone' });
  customer = await post(CUSTOMER, { name: 'Wilhelmina Erasetest', engagedParty: { id: person.id, name: 'Wilhelmina Erasetest' },
    description: 'VIP: Wilhelmina Erasetest, call +4915199887766',
    characteristic: [{ name: 'nickname', value: 'Willi Erasetest' }],
    contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'wilhelmina.erasetest@example.org' } }] });
  account = await post(ACC, { name: 'Wilhelmina Erasetest household', currency: 'EUR',
    description: 'the Erasetest family account',
    relatedParty: [{ id: person.id, '@referredType': 'Individual', role: 'owner', name: 'Wilhelmina Erasetest' }],
    contact: [{ contactType: 'primary', contactName: 'Wilhelmina Erasetest',
                contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'wilhelmina.erasetest@example.org' } }] }] });
  await post(INTERACTION, { direction: 'inbound', channel: [{ name: 'call' }],
    reason: 'Wilhelmina Erasetest asked about her bill', description: 'called from +4915199887766',
    relatedParty: [{ id: customer.id, '@referredType': 'Customer', role: 'customer', name: 'Wilhelmina Erasetest' }],
    relatedEntity: [{ id: account.id, '@referredType': 'BillingAccount', role: 'account', name: 'Wilhelmina Erasetest household' }],
    note: [{ text: 'Wilhelmina will call back' }] });
  await post(TICKET, { description: 'Erasetest: no data since Monday', ticketType: 'complaint', severity: 'minor',
    name: 'Wilhelmina Erasetest complaint',
    relatedParty: [{ id: account.id, '@referredType': 'BillingAccount', role: 'account', name: 'Wilhelmina Erasetest household' }] });
  const found = await srv.request('GET', '/api/v1/search?q=erasetest');
  assert.ok(found.json.length >= 1, found.text);
  const text = await storeText();
  for (const s of SECRETS) assert.ok(text.includes(s), `seeded: ${s}`);
});

test('after the erasure the whole store holds none of it', async () => {
  const r = await srv.request('POST', `${PARTY}/individual/${person.id}/erase`, { body: { reason: 'the person asked (GDPR art. 17)' } });
  assert.equal(r.status, 200, r.text);
  const text = await storeText();
  const hits = [];
  for (const s of SECRETS) {
    let at = text.indexOf(s);
    while (at >= 0 && hits.length < 20) {
      hits.push(`${s}: ...${text.slice(Math.max(0, at - 160), at + 60).replace(/\s+/g, ' ')}...`);
      at = text.indexOf(s, at + 1);
    }
  }
  assert.deepEqual(hits, [], `still in the store:\n${hits.join('\n')}`);
  const found = await srv.request('GET', '/api/v1/search?q=erasetest');
  assert.deepEqual(found.json, []);
  // the records stay, under the pseudonym: ids, amounts, dates and statuses
  assert.equal((await srv.request('GET', `${CUSTOMER}/${customer.id}`)).status, 200);
  assert.equal((await srv.request('GET', `${ACC}/${account.id}`)).status, 200);
});

test('an erased party is frozen: no re-identifying write, no new role', async () => {
  const pat = (path, body) => srv.request('PATCH', path, { body });
  expectError(await pat(`${PARTY}/individual/${person.id}`, { givenName: 'Wilhelmina' }), 409, 'STATE', 'status',
              'the party itself');
  expectError(await pat(`${CUSTOMER}/${customer.id}`, { name: 'Wilhelmina Erasetest' }), 409, 'CONFLICT', 'name',
              'its customer, renamed');
  expectError(await pat(`${ACC}/${account.id}`, { description: 'Erasetest again' }), 409, 'CONFLICT', 'description',
              'its account');
  expectError(await srv.request('POST', CUSTOMER, { body: { name: 'new role', engagedParty: { id: person.id } } }), 409,
              'CONFLICT', 'engagedParty.id', 'a new customer');
  expectError(await srv.request('POST', ACC, { body: { name: 'new account', currency: 'EUR',
    relatedParty: [{ id: person.id, '@referredType': 'Individual', role: 'owner' }] } }), 409, 'CONFLICT',
  'relatedParty[0].id', 'a new account');
  expectError(await srv.request('POST', `${PARTY}/individual/${person.id}/consent`, { body: { purpose: 'marketing',
    channel: 'sms', granted: true, source: 'agent', wordingVersion: 'v1' } }), 409, 'STATE', 'id', 'a new consent');
  // what may change: the customer's status (a contract ends), nothing that names a person
  const st = await pat(`${CUSTOMER}/${customer.id}`, { status: 'closed' });
  assert.equal(st.status, 200, st.text);
});

test('erasing an organization renames it in its children and everywhere it is named', async () => {
  org = await post(`${PARTY}/organization`, { tradingName: 'Erasetest Holding' });
  child = await post(`${PARTY}/organization`, { tradingName: 'Child Ltd',
    organizationParentRelationship: { relationshipType: 'parent', organization: { id: org.id, name: 'Erasetest Holding' } } });
  const r = await srv.request('POST', `${PARTY}/organization/${org.id}/erase`, { body: { reason: 'the person asked (GDPR art. 17)' } });
  assert.equal(r.status, 200, r.text);
  const c = await srv.request('GET', `${PARTY}/organization/${child.id}`);
  assert.equal(c.status, 200);
  assert.ok(!c.text.includes('Erasetest'), c.text);
  assert.equal(c.json.organizationParentRelationship.organization.id, org.id);
  const text = await storeText();
  assert.ok(!text.includes('Erasetest Holding'), 'nowhere in the store');
});
