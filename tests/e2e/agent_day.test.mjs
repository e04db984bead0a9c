// agent_day.test.mjs: a care agent's day end to end (issue 4, "done when"),
// against a real `bss serve` on SQLite or PostgreSQL (BSS_E2E_BACKEND), with
// an AGENT key made by the admin and a test clock moved between steps so
// every time in the answers is exact:
//
//   individual -> customer -> billing account -> marketing consent by e-mail,
//   withdrawn (current state withdrawn, history both) -> an inbound call ->
//   a ticket opened, worked, noted and resolved (SLA from severity) next to
//   one left open -> search by e-mail and by phone (spaces, 00 prefix) ->
//   the customer view, every part -> GDPR export -> erase refused while a
//   product is active (a product row inserted with sqlite3/psql: ordering
//   has no API yet), also after the customer is closed -> product terminated
//   -> erase -> nothing personal left (export, interaction and ticket texts
//   "[erased]", search) -> the access audit lists the agent's reads.
//
// The steps depend on each other and run in order (node:test runs the tests
// of a file sequentially).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, sleep, expectError, runSql } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const BILLING = '/tmf-api/accountManagement/v4/billingAccount';
const PI = '/tmf-api/partyInteraction/v4/partyInteraction';
const TT = '/tmf-api/troubleTicket/v4/troubleTicket';

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (min) => new Date(T0 + min * 60000).toISOString(); // the clock `min` minutes into the day
const HOUR = 60;

const EMAIL = 'eloise.vandam@example.com';
const MOBILE = '+31612345678';
const STREET = 'Oudegracht 231';

let srv;
let agent; // {id, key, name}
let dpo; // the privacy officer's key: erasures are theirs, not the care agent's
const s = {}; // what the steps create

before(async () => {
  srv = await startServer({ args: ['--test-clock-start', at(0)], testClock: true });
  const r = await srv.request('POST', '/admin/v1/keys', { body: { name: 'Anouk (care)', role: 'agent' } });
  assert.equal(r.status, 201, r.text);
  agent = { id: r.json.id, key: r.json.key, name: 'Anouk (care)' };
  assert.ok(agent.id && agent.key, r.text);
  const d = await srv.request('POST', '/admin/v1/keys', { body: { name: 'Daan (privacy officer)', role: 'privacy' } });
  assert.equal(d.status, 201, d.text);
  dpo = { id: d.json.id, key: d.json.key, name: 'Daan (privacy officer)' };
});

// ---- helpers ----

async function clock(min) {
  const r = await srv.request('PUT', '/admin/v1/clock', { body: { now: at(min) } });
  assert.ok(r.status === 200 || r.status === 204, `PUT clock: ${r.status} ${r.text}`);
}

const as = (method, path, body) => srv.request(method, path, { key: agent.key, body });
const asDpo = (method, path, body) => srv.request(method, path, { key: dpo.key, body });
const REASON = { reason: 'the customer asked to be forgotten (ticket ERASE-17)' };

async function ok(r, status, what) {
  assert.equal(r.status, status, `${what}: ${r.text}`);
  return r.json;
}

const search = async (q) => ok(await as('GET', `/api/v1/search?q=${encodeURIComponent(q)}`), 200, `search ${q}`);

// ---- the day ----

test('09:00 an individual, read back by the agent', async () => {
  s.party = await ok(await as('POST', `${PARTY}/individual`, {
    givenName: 'Eloïse', familyName: 'van Dam', birthDate: '1991-04-23', gender: 'female', nationality: 'NL',
    languageAbility: [{ languageCode: 'nl', isFavouriteLanguage: true }, { languageCode: 'en' }],
    contactMedium: [
      { mediumType: 'email', preferred: true, characteristic: { emailAddress: EMAIL } },
      { mediumType: 'mobile', characteristic: { phoneNumber: MOBILE } },
      { mediumType: 'postalAddress', characteristic: { street1: STREET, city: 'Utrecht', postCode: '3511 AH', country: 'NL' } },
    ],
    individualIdentification: [{ identificationType: 'nationalIdCard', identificationId: 'IUK837261', issuingCountry: 'NL' }],
  }), 201, 'create individual');
  const p = s.party;
  assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(p.href, `${srv.url}${PARTY}/individual/${p.id}`);
  assert.equal(p['@type'], 'Individual');
  assert.equal(p.status, 'initialized');
  assert.equal(p.givenName, 'Eloïse');
  assert.equal(p.contactMedium[0].characteristic.emailAddress, EMAIL);
  const g = await ok(await as('GET', `${PARTY}/individual/${p.id}`), 200, 'agent reads the party');
  assert.deepEqual(g, p);
});

test('09:01 a customer engaging the party', async () => {
  await clock(1);
  s.customer = await ok(await as('POST', CUSTOMER, {
    name: 'Eloïse van Dam', engagedParty: { id: s.party.id }, status: 'active',
    characteristic: [{ name: 'paymentType', value: 'postpaid' }],
  }), 201, 'create customer');
  const c = s.customer;
  assert.equal(c['@type'], 'Customer');
  assert.equal(c.href, `${srv.url}${CUSTOMER}/${c.id}`);
  assert.deepEqual(c.engagedParty, { id: s.party.id, '@referredType': 'Individual' });
  assert.equal(c.status, 'active');
  assert.equal(c.segment, 'consumer');
  assert.equal(c.customerSince, at(1));
});

test('09:02 a billing account for the customer', async () => {
  await clock(2);
  s.account = await ok(await as('POST', BILLING, {
    name: 'Eloïse van Dam mobiel', currency: 'EUR', billCycleDay: 14,
    relatedParty: [{ id: s.party.id, '@referredType': 'Individual', role: 'owner', name: 'Eloïse van Dam' }],
    customer: { id: s.customer.id },
    billStructure: { presentationMedia: [{ id: 'email' }] },
    creditLimit: { unit: 'EUR', value: 150 },
    defaultPaymentMethod: { id: 'pm_sepa_eloise', '@referredType': 'PaymentMethod' },
  }), 201, 'create billing account');
  const a = s.account;
  assert.match(a.accountNumber, /^BA-\d{6}$/);
  assert.equal(a.state, 'active');
  assert.equal(a.currency, 'EUR');
  assert.equal(a.billCycleDay, 14);
  assert.equal(a.customer.id, s.customer.id);
  assert.equal(a.lastModified, at(2));
});

test('09:03 marketing consent by e-mail, withdrawn at 09:04: state withdrawn, history both', async () => {
  const path = `${PARTY}/individual/${s.party.id}/consent`;
  await clock(3);
  const grant = await ok(await as('POST', path, { purpose: 'marketing', channel: 'email', granted: true, source: 'agent',
    wordingVersion: 'mkt-2026-01', note: 'agreed on the phone' }), 201, 'grant');
  assert.deepEqual({ ...grant, id: undefined }, { id: undefined, partyId: s.party.id, purpose: 'marketing', channel: 'email',
    granted: true, recordedAt: at(3), source: 'agent', wordingVersion: 'mkt-2026-01', recordedBy: agent.name,
    note: 'agreed on the phone' });
  await clock(4);
  const withdraw = await ok(await as('POST', path, { purpose: 'marketing', channel: 'email', granted: false,
    source: 'channel', wordingVersion: 'mkt-2026-01' }), 201, 'withdraw');
  assert.equal(withdraw.granted, false);
  assert.equal(withdraw.recordedAt, at(4));
  const cur = await ok(await as('GET', path), 200, 'current consent');
  assert.deepEqual(cur.map((c) => [c.purpose, c.channel, c.granted, c.recordedAt]), [['marketing', 'email', false, at(4)]]);
  const hist = await ok(await as('GET', `${path}?history=true`), 200, 'consent history');
  assert.deepEqual(hist.map((c) => [c.id, c.granted, c.source, c.recordedAt]),
    [[grant.id, true, 'agent', at(3)], [withdraw.id, false, 'channel', at(4)]]);
});

test('09:10 an inbound call is logged, the agent taken from the key', async () => {
  await clock(10);
  s.call = await ok(await as('POST', PI, {
    channel: 'call', direction: 'inbound', reason: 'no mobile data',
    interactionDate: { startDateTime: at(10), endDateTime: at(16) },
    relatedParty: [{ id: s.customer.id, '@referredType': 'Customer', role: 'customer' }],
    note: [{ text: 'Eloïse has had no mobile data since her SIM swap this morning.' }],
  }), 201, 'log a call');
  const i = s.call;
  assert.equal(i['@type'], 'PartyInteraction');
  assert.deepEqual(i.channel, [{ name: 'call', '@type': 'ChannelRef' }]);
  assert.equal(i.direction, 'inbound');
  assert.equal(i.status, 'completed');
  assert.deepEqual(i.interactionDate, { startDateTime: at(10), endDateTime: at(16) });
  assert.deepEqual(i.relatedParty.find((p) => p.role === 'agent'),
    { id: agent.id, name: agent.name, role: 'agent', '@referredType': 'ApiKey' });
  assert.deepEqual(i.note, [{ text: 'Eloïse has had no mobile data since her SIM swap this morning.', author: agent.name, date: at(10), '@type': 'Note' }]);
});

test('09:20 a major ticket: SLA 24 h, worked, noted and resolved; a low one stays open', async () => {
  await clock(20);
  const t = await ok(await as('POST', TT, {
    description: 'No mobile data since the SIM swap of Eloïse van Dam', ticketType: 'network', severity: 'Major',
    relatedParty: [{ id: s.customer.id, '@referredType': 'Customer', role: 'customer' }],
    relatedEntity: [{ id: s.call.id, '@referredType': 'PartyInteraction', role: 'reportedIn' }],
  }), 201, 'open ticket');
  assert.equal(t.status, 'acknowledged');
  assert.equal(t.severity, 'major');
  assert.equal(t.creationDate, at(20));
  assert.equal(t.expectedResolutionDate, at(20 + 24 * HOUR));
  const patch = (body) => as('PATCH', `${TT}/${t.id}`, body);
  await clock(25);
  let r = await ok(await patch({ status: 'inProgress' }), 200, 'inProgress');
  assert.equal(r.status, 'inProgress');
  assert.deepEqual(r.relatedParty.find((p) => p.role === 'assignee'),
    { id: agent.id, name: agent.name, role: 'assignee', '@referredType': 'ApiKey' });
  await clock(30);
  r = await ok(await patch({ note: [{ text: 'APN profile missing on the new SIM; re-provisioned.' }] }), 200, 'note');
  assert.deepEqual(r.note, [{ text: 'APN profile missing on the new SIM; re-provisioned.', author: agent.name, date: at(30), '@type': 'Note' }]);
  await clock(40);
  r = await ok(await patch({ status: 'resolved', statusChangeReason: 'customer confirms data works' }), 200, 'resolve');
  assert.equal(r.status, 'resolved');
  assert.equal(r.resolutionDate, at(40));
  assert.equal(r.expectedResolutionDate, at(20 + 24 * HOUR)); // unchanged: the severity did not change
  assert.deepEqual(r.statusChange.map((c) => [c.status, c.changeDate]),
    [['acknowledged', at(20)], ['inProgress', at(25)], ['resolved', at(40)]]);
  assert.equal(r.statusChange[2].changeReason, 'customer confirms data works');
  assert.equal(r.note.length, 1);
  s.resolved = r;
  await clock(45);
  s.open = await ok(await as('POST', TT, {
    description: 'Eloïse asks for a paper copy of her first bill', ticketType: 'billing', severity: 'low',
    relatedParty: [{ id: s.account.id, '@referredType': 'BillingAccount', role: 'billingAccount' }],
  }), 201, 'second ticket');
  assert.equal(s.open.expectedResolutionDate, at(45 + 7 * 24 * HOUR));
});

test('09:50 search finds her by e-mail and by phone', async () => {
  await clock(50);
  const want = { customerId: s.customer.id, kind: 'individual', id: s.party.id, display: 'Eloïse van Dam' };
  const { customerId, ...doc } = want;
  assert.deepEqual(await search('Eloise.VanDam@Example.COM'), [{ ...want, matched: EMAIL, matches: [{ ...doc, matched: EMAIL }] }]);
  for (const q of ['+31 6 1234 5678', '0031 6 1234 5678', '+31 612 345 678']) {
    assert.deepEqual(await search(q), [{ ...want, matched: MOBILE, matches: [{ ...doc, matched: MOBILE }] }], q);
  }
  const byName = await search('eloise');
  assert.equal(byName.length, 1, `one row for the person: ${JSON.stringify(byName)}`);
  assert.deepEqual([byName[0].customerId, byName[0].kind, byName[0].id], [s.customer.id, 'individual', s.party.id]);
  assert.deepEqual(byName[0].matches.map((h) => h.kind).sort(), ['billingAccount', 'customer', 'individual']);
});

test('09:51 the customer view: every part', async () => {
  await clock(51);
  const v = await ok(await as('GET', `/api/v1/customers/${s.customer.id}/view`), 200, 'view');
  assert.deepEqual(Object.keys(v).sort(), ['accounts', 'balances', 'consents', 'customer', 'lastBills', 'lastInteractions',
    'openOrders', 'openTickets', 'party', 'subscriptions', 'usage']);
  assert.ok(v.consents.some((c) => c.purpose === 'marketing' && c.channel === 'email'), JSON.stringify(v.consents));
  assert.equal(v.customer.id, s.customer.id);
  assert.equal(v.customer.status, 'active');
  assert.equal(v.party.id, s.party.id);
  assert.equal(v.party.familyName, 'van Dam');
  assert.deepEqual(v.accounts.map((a) => [a.id, a.accountNumber]), [[s.account.id, s.account.accountNumber]]);
  for (const p of ['subscriptions', 'balances', 'usage', 'lastBills', 'openOrders']) assert.deepEqual(v[p], [], p);
  assert.deepEqual(v.openTickets.map((t) => t.id), [s.open.id]); // not the resolved one
  const li = v.lastInteractions;
  const start = (i) => i.interactionDate.startDateTime;
  for (let k = 1; k < li.length; k++) assert.ok(start(li[k - 1]) >= start(li[k]), `not newest first: ${JSON.stringify(li.map(start))}`);
  // the call, and the system log of the events of the day (attribute edits such as the note are not logged)
  const summary = li.map((i) => [i.channel[0].name, i.reason, start(i)]);
  assert.deepEqual(summary, [
    ['system', 'TroubleTicketCreateEvent', at(45)],
    ['system', 'TroubleTicketStateChangeEvent', at(40)],
    ['system', 'TroubleTicketStateChangeEvent', at(25)],
    ['system', 'TroubleTicketCreateEvent', at(20)],
    ['call', 'no mobile data', at(10)],
    ['system', 'BillingAccountCreateEvent', at(2)],
    ['system', 'CustomerCreateEvent', at(1)],
    ['system', 'IndividualCreateEvent', at(0)],
  ], JSON.stringify(summary));
  assert.equal(li[4].id, s.call.id);
  const sys = li.filter((i) => i.channel[0].name === 'system');
  assert.ok(sys.every((i) => i.direction === 'internal' && i.relatedEntity[0].role === 'subject'), JSON.stringify(sys));
  assert.equal(li[1].relatedEntity[0].id, s.resolved.id);
});

test('09:55 export: the party, consent history, the call and the tickets', async () => {
  await clock(55);
  const e = await ok(await as('GET', `${PARTY}/individual/${s.party.id}/export`), 200, 'export');
  assert.equal(e.partyId, s.party.id);
  assert.equal(e.partyType, 'Individual');
  assert.equal(e.exportedAt, at(55));
  assert.deepEqual(e.party, (await ok(await srv.request('GET', `${PARTY}/individual/${s.party.id}`), 200, 'party')));
  assert.deepEqual(e.consents.map((c) => c.granted), [true, false]);
  assert.deepEqual(e.customers.map((c) => c.id), [s.customer.id]);
  assert.deepEqual(e.accounts.map((a) => a.id), [s.account.id]);
  const call = e.interactions.find((i) => i.id === s.call.id);
  assert.ok(call, JSON.stringify(e.interactions.map((i) => i.id)));
  assert.equal(call.note[0].text, 'Eloïse has had no mobile data since her SIM swap this morning.');
  assert.deepEqual(e.troubleTickets.map((t) => t.id).sort(), [s.resolved.id, s.open.id].sort());
  assert.ok(Array.isArray(e.accessAudit));
});

test('10:00 erase is refused while the customer is active with an active product, and after closing', async () => {
  await clock(60);
  await runSql(srv, `INSERT INTO product (id, offering_id, offering_version, status, account_id, doc, created_ms, updated_ms, row_version) VALUES ('prod-eloise-1', 'po-postpaid-m', '1', 'active', '${s.account.id}', '{}', 0, 0, 1)`);
  // the agent may not erase: the privacy officer does, with a reason
  const refused = await as('POST', `${PARTY}/individual/${s.party.id}/erase`, REASON);
  expectError(refused, 403, 'FORBIDDEN', undefined, 'an agent erasing');
  assert.match(refused.json.message, /it needs one of: admin, privacy$/);
  expectError(await asDpo('POST', `${PARTY}/individual/${s.party.id}/erase`, {}), 400, 'INVALID', 'reason', 'erase without a reason');
  const erase = () => asDpo('POST', `${PARTY}/individual/${s.party.id}/erase`, REASON);
  let r = await erase();
  expectError(r, 409, 'CONFLICT', 'product', 'erase with an active product');
  assert.match(r.json.message, /prod-eloise-1/);
  assert.match(r.json.message, /terminate/);
  // the agent closes the customer: the product is still active, so still refused
  await clock(61);
  const c = await ok(await as('PATCH', `${CUSTOMER}/${s.customer.id}`, { status: 'closed' }), 200, 'close customer');
  assert.equal(c.status, 'closed');
  assert.equal(c.customerSince, at(1));
  r = await erase();
  expectError(r, 409, 'CONFLICT', 'product', 'erase of a closed customer with an active product');
});

test('10:05 product terminated: erase succeeds', async () => {
  await runSql(srv, "UPDATE product SET status = 'terminated' WHERE id = 'prod-eloise-1'");
  await clock(65);
  const r = await ok(await asDpo('POST', `${PARTY}/individual/${s.party.id}/erase`, REASON), 200, 'erase');
  assert.equal(r.id, s.party.id);
  assert.equal(r.status, 'erased');
  assert.match(r.pseudonym, /^anon-[0-9a-f-]{36}$/);
  assert.equal(r.erasedAt, at(65));
  assert.equal(r.changed.customersAndAccounts, 2);
  assert.equal(r.changed.troubleTickets, 2);
  assert.ok(r.changed.interactions >= 1, JSON.stringify(r.changed));
  s.pseudonym = r.pseudonym;
});

test('10:06 the export holds nothing personal; financial records stay under the pseudonym', async () => {
  await clock(66);
  const e = await ok(await as('GET', `${PARTY}/individual/${s.party.id}/export`), 200, 'export after erase');
  s.erasedExport = e;
  const text = JSON.stringify(e);
  for (const secret of ['Eloïse', 'Eloise', 'van Dam', EMAIL, MOBILE, STREET, '3511 AH', '1991-04-23', 'IUK837261',
    'agreed on the phone', 'SIM swap', 'APN profile', 'customer confirms', 'paper copy']) {
    assert.ok(!text.includes(secret), `${secret} is still in the export: ${text}`);
  }
  assert.equal(e.party.status, 'erased');
  assert.equal(e.party.givenName, '[erased]');
  assert.equal(e.party.pseudonym, s.pseudonym);
  assert.equal(e.party.contactMedium, undefined);
  assert.equal(e.customers[0].name, s.pseudonym);
  assert.equal(e.customers[0].status, 'closed');
  assert.equal(e.accounts[0].name, s.pseudonym);
  assert.equal(e.accounts[0].accountNumber, s.account.accountNumber); // the financial record stays
  assert.deepEqual(e.accounts[0].creditLimit, { unit: 'EUR', value: 150 });
  assert.deepEqual(e.consents.map((c) => c.granted), [true, false]); // the decisions stay ...
  assert.equal(e.consents[0].note, '[erased]'); // ... their free text does not
});

test('10:06 the call and the tickets, read directly: texts "[erased]", facts kept', async () => {
  const call = await ok(await as('GET', `${PI}/${s.call.id}`), 200, 'the call after erasure');
  assert.equal(call.note[0].text, '[erased]');
  assert.deepEqual(call.channel, [{ name: 'call', '@type': 'ChannelRef' }]);
  assert.equal(call.reason, '[erased]'); // free text: what the person said
  assert.deepEqual(call.interactionDate, { startDateTime: at(10), endDateTime: at(16) });
  const resolved = await ok(await as('GET', `${TT}/${s.resolved.id}`), 200, 'the resolved ticket after erasure');
  assert.equal(resolved.description, '[erased]');
  assert.equal(resolved.note[0].text, '[erased]');
  assert.equal(resolved.statusChange[2].changeReason, '[erased]');
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.severity, 'major');
  assert.equal(resolved.expectedResolutionDate, at(20 + 24 * HOUR));
  const open = await ok(await as('GET', `${TT}/${s.open.id}`), 200, 'the open ticket after erasure');
  assert.equal(open.description, '[erased]');
  for (const doc of [call, resolved, open]) assert.ok(!JSON.stringify(doc).includes('Elo'), JSON.stringify(doc));
});

test('10:06 the export of the erased party still lists the call and the tickets, texts "[erased]"', () => {
  // docs/customer-care.md: the export holds every interaction / ticket naming the party
  // "directly or through its customer or accounts"; the customer and account still name it.
  const e = s.erasedExport;
  const call = e.interactions.find((i) => i.id === s.call.id);
  assert.ok(call, `the call is missing from the export after erasure: interactions ${JSON.stringify(e.interactions.map((i) => i.id))}`);
  assert.equal(call.note[0].text, '[erased]');
  const tickets = Object.fromEntries(e.troubleTickets.map((t) => [t.id, t]));
  assert.deepEqual(Object.keys(tickets).sort(), [s.resolved.id, s.open.id].sort(), 'the tickets after erasure');
  assert.equal(tickets[s.resolved.id].description, '[erased]');
  assert.equal(tickets[s.open.id].description, '[erased]');
});

test('10:07 search by the old e-mail, phone or name finds nothing', async () => {
  await clock(67);
  assert.deepEqual(await search(EMAIL), []);
  assert.deepEqual(await search('0031 6 1234 5678'), []);
  assert.deepEqual(await search('eloise'), []);
  assert.deepEqual(await search('van dam'), []);
});

test('the access audit lists the agent reads', async () => {
  const want = [
    ['read', 'individual', s.party.id],
    ['read', 'consent', s.party.id],
    ['search', 'search', s.party.id],
    ['view', 'customer', s.customer.id],
    ['view', 'customer', s.party.id],
    ['export', 'individual', s.party.id],
    ['read', 'partyInteraction', s.call.id],
    ['read', 'troubleTicket', s.resolved.id],
  ];
  let rows = [];
  const missing = () => want.filter(([a, k, id]) => !rows.some((x) => x.action === a && x.resourceKind === k && x.resourceId === id));
  for (let i = 0; i < 100; i++) {
    const r = await srv.request('GET', `/admin/v1/audit?keyId=${agent.id}&limit=100`);
    assert.equal(r.status, 200, r.text);
    rows = r.json;
    if (missing().length === 0) break;
    await sleep(20);
  }
  assert.deepEqual(missing(), [], JSON.stringify(rows.map((x) => [x.action, x.resourceKind, x.resourceId])));
  assert.ok(rows.every((x) => x.keyId === agent.id && x.keyName === agent.name), JSON.stringify(rows));
  const first = rows.find((x) => x.action === 'read' && x.resourceKind === 'individual');
  assert.equal(first.at, at(0));
  // the erasure is the privacy officer's, in the audit and in the party's change history with its reason
  const byDpo = await ok(await srv.request('GET', `/admin/v1/audit?keyId=${dpo.id}&limit=100`), 200, 'audit of the dpo');
  const erased = byDpo.find((x) => x.action === 'erase');
  assert.equal(erased.at, at(65));
  const hist = await ok(await srv.request('GET', `${PARTY}/individual/${s.party.id}/history`), 200, 'party history');
  assert.deepEqual([hist[0].action, hist[0].via, hist[0].reason, hist[0].by.name, hist[0].at],
    ['erase', 'erasure', REASON.reason, dpo.name, at(65)]);
  assert.equal(hist[0].changes[0].changed.troubleTickets, 2);
  // the admin's own reads (this list, the party read in the export step) are not audited
  const all = await ok(await srv.request('GET', `/admin/v1/audit?resourceId=${s.party.id}&limit=100`), 200, 'audit by party');
  assert.ok(all.every((x) => x.keyId === agent.id || x.keyId === dpo.id), JSON.stringify(all));
  // the audit is for admins only
  assertTmfError(await as('GET', '/admin/v1/audit'), 403, assert);
});
