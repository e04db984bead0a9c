// party.test.mjs: TMF632 parties, consent and privacy end to end: the bad
// inputs of the customer issue that belong to parties (invalid e-mail,
// non-E.164 phone, birth date in the future, unknown country code,
// duplicate identification number, organization cycles), each answered
// with its status, error code and field path; consent granted, withdrawn
// and its history; the access audit of agent reads; the GDPR export; and
// erasure refused while the party has an active product (a row inserted in
// the product table, which has no API yet) or an unpaid balance, then
// allowed once the product is terminated, after which nothing personal is
// left in the export.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, sleep, expectError, runSql, created, newApiKey } from './lib/server.mjs';

const BASE = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const BILLING = '/tmf-api/accountManagement/v4/billingAccount';
let srv;

before(async () => { srv = await startServer(); });

async function post(path, body, key) {
  const r = await srv.request('POST', path, { body, key });
  assert.equal(r.status, 201, `POST ${path}: ${r.text}`);
  return r.json;
}

async function bad(seg, body, status, code, field) {
  const r = await srv.request('POST', `${BASE}/${seg}`, { body });
  expectError(r, status, code, field, `POST ${seg} ${JSON.stringify(body).slice(0, 160)}`);
  return r;
}

async function keyFor(role) {
  const r = await srv.request('POST', '/admin/v1/keys', { body: { name: `${role}-alice`, role } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const jane = () => ({
  givenName: 'Jane', familyName: 'Müller', birthDate: '1988-07-14', gender: 'female', nationality: 'DE',
  languageAbility: [{ languageCode: 'de', isFavouriteLanguage: true }, { languageCode: 'en-GB' }],
  contactMedium: [
    { mediumType: 'email', preferred: true, characteristic: { emailAddress: 'jane.mueller@example.de' } },
    { mediumType: 'mobile', characteristic: { phoneNumber: '+4915112345678' } },
    { mediumType: 'postalAddress', characteristic: { street1: 'Hauptstraße 5', city: 'Berlin', postCode: '10115', country: 'DE' } },
  ],
  individualIdentification: [{ identificationType: 'passport', identificationId: 'C01X00T47', issuingCountry: 'DE',
    issuingAuthority: 'Stadt Berlin' }],
});

let party;
test('an individual with contact media, languages and a passport', async () => {
  party = await post(`${BASE}/individual`, jane());
  assert.equal(party.status, 'initialized');
  assert.equal(party['@type'], 'Individual');
  assert.match(party.href, new RegExp(`${BASE}/individual/${party.id}$`));
  const r = await srv.request('GET', `${BASE}/individual?familyName=${encodeURIComponent('Müller')}`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.map((p) => p.id), [party.id]);
});

test('bad input: each refused with its code and field', async () => {
  const base = { givenName: 'A', familyName: 'B' };
  const medium = (m) => ({ ...base, contactMedium: [m] });
  await bad('individual', medium({ mediumType: 'email', characteristic: { emailAddress: 'jane@@example.com' } }),
    400, 'INVALID', 'contactMedium[0].characteristic.emailAddress');
  await bad('individual', medium({ mediumType: 'email', characteristic: { emailAddress: 'jane@example' } }),
    400, 'INVALID', 'contactMedium[0].characteristic.emailAddress');
  await bad('individual', medium({ mediumType: 'phone', characteristic: { phoneNumber: '030 1234567' } }),
    400, 'INVALID', 'contactMedium[0].characteristic.phoneNumber');
  await bad('individual', medium({ mediumType: 'phone', characteristic: { phoneNumber: '+2812345678' } }),
    400, 'INVALID', 'contactMedium[0].characteristic.phoneNumber');
  await bad('individual', { ...base, birthDate: '2999-01-01' }, 400, 'INVALID', 'birthDate');
  const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  await bad('individual', { ...base, birthDate: tomorrow }, 400, 'INVALID', 'birthDate');
  await bad('individual', { ...base, birthDate: '1990-02-30' }, 400, 'INVALID', 'birthDate');
  await bad('individual', { ...base, nationality: 'XX' }, 400, 'INVALID', 'nationality');
  await bad('individual', medium({ mediumType: 'postalAddress', characteristic: { city: 'London', country: 'UK' } }),
    400, 'INVALID', 'contactMedium[0].characteristic.country');
  await bad('individual', { ...base, languageAbility: [{ languageCode: 'xx' }] }, 400, 'INVALID',
    'languageAbility[0].languageCode');
  const dup = await bad('individual', { ...base, individualIdentification: [{ identificationType: 'passport',
    identificationId: 'c01x 00t47', issuingCountry: 'DE' }] }, 409, 'EXISTS', 'individualIdentification[0].identificationId');
  assert.match(dup.json.message, /already registered/);
  await bad('individual', { familyName: 'B' }, 400, 'INVALID', 'givenName');
  await bad('individual', { ...base, status: 'erased' }, 400, 'INVALID', 'status');
  await bad('organization', { isLegalEntity: true }, 400, 'INVALID', 'tradingName');
  await bad('organization', { tradingName: 'X', organizationParentRelationship: { organization: { id: 'nope' } } },
    400, 'INVALID', 'organizationParentRelationship.organization.id');
  // PATCH runs the same rules
  const r = await srv.request('PATCH', `${BASE}/individual/${party.id}`, { body: { birthDate: '2999-12-31' } });
  expectError(r, 400, 'INVALID', 'birthDate', 'PATCH birthDate');
});

test('organization hierarchy: parents must exist, cycles are 422', async () => {
  const group = await post(`${BASE}/organization`, { tradingName: 'Acme Group', organizationIdentification: [
    { identificationType: 'companyRegistration', identificationId: 'HRB 4711', issuingCountry: 'DE' }] });
  const sub = await post(`${BASE}/organization`, { tradingName: 'Acme Mobile',
    organizationParentRelationship: { relationshipType: 'subsidiary', organization: { id: group.id } } });
  const r = await srv.request('PATCH', `${BASE}/organization/${group.id}`, {
    body: { organizationParentRelationship: { organization: { id: sub.id } } } });
  expectError(r, 422, 'UNPROCESSABLE', 'organizationParentRelationship.organization.id', 'cycle');
  await bad('organization', { tradingName: 'Copycat', organizationIdentification: [
    { identificationType: 'companyRegistration', identificationId: 'HRB4711', issuingCountry: 'DE' }] },
  409, 'EXISTS', 'organizationIdentification[0].identificationId');
  const kids = await srv.request('GET', `${BASE}/organization?organizationParentRelationship.organization.id=${group.id}`);
  assert.deepEqual(kids.json.map((o) => o.id), [sub.id]);
});

test('consent: grant, withdraw, current state and history', async () => {
  const path = `${BASE}/individual/${party.id}/consent`;
  const c1 = await post(path, { purpose: 'marketing', channel: 'sms', granted: true, source: 'agent', wordingVersion: 'mkt-2026-01' });
  assert.equal(c1.granted, true);
  assert.equal(c1.partyId, party.id);
  await post(path, { purpose: 'marketing', channel: 'email', granted: true, source: 'selfCare', wordingVersion: 'mkt-2026-01',
    note: 'ticked the box in the app' });
  const w = await post(path, { purpose: 'marketing', channel: 'sms', granted: false, source: 'channel', wordingVersion: 'mkt-2026-01' });
  assert.equal(w.granted, false);
  const cur = await srv.request('GET', path);
  assert.equal(cur.status, 200);
  const state = Object.fromEntries(cur.json.map((c) => [`${c.purpose}/${c.channel}`, c.granted]));
  assert.deepEqual(state, { 'marketing/email': true, 'marketing/sms': false });
  const hist = await srv.request('GET', `${path}?history=true`);
  assert.equal(hist.json.length, 3);
  // bad input
  const r1 = await srv.request('POST', path, { body: { purpose: 'spam', channel: 'sms', granted: true, source: 'agent', wordingVersion: 'v' } });
  expectError(r1, 400, 'INVALID', 'purpose', 'purpose');
  const r2 = await srv.request('POST', path, { body: { purpose: 'profiling', channel: 'sms', granted: 'yes', source: 'agent', wordingVersion: 'v' } });
  expectError(r2, 400, 'INVALID', 'granted', 'granted');
  const r3 = await srv.request('POST', path, { body: { purpose: 'profiling', channel: 'sms', granted: true, source: 'agent' } });
  expectError(r3, 400, 'INVALID', 'wordingVersion', 'wordingVersion');
  const r4 = await srv.request('POST', `${BASE}/individual/no-such-party/consent`,
    { body: { purpose: 'profiling', channel: 'sms', granted: true, source: 'agent', wordingVersion: 'v' } });
  expectError(r4, 404, 'NOT_FOUND', undefined, 'unknown party');
  const r5 = await srv.request('GET', `${path}?history=maybe`);
  expectError(r5, 400, 'INVALID', 'history', 'history=maybe');
});

test('reads by an agent key are in the access audit; admins read it', async () => {
  const agent = await keyFor('agent');
  const readonly = await keyFor('readonly');
  const r = await srv.request('GET', `${BASE}/individual/${party.id}`, { key: agent.key });
  assert.equal(r.status, 200);
  const l = await srv.request('GET', `${BASE}/individual?id=${party.id}`, { key: agent.key });
  assert.equal(l.status, 200);
  // readonly may read, not write
  assert.equal((await srv.request('GET', `${BASE}/individual/${party.id}`, { key: readonly.key })).status, 200);
  assertTmfError(await srv.request('POST', `${BASE}/individual`, { key: readonly.key, body: { givenName: 'x', familyName: 'y' } }), 403, assert);
  let rows = [];
  for (let i = 0; i < 50 && rows.length < 3; i++) {
    await sleep(20);
    rows = (await srv.request('GET', `/admin/v1/audit?resourceId=${party.id}`)).json;
  }
  const mine = rows.filter((a) => a.keyId === agent.id);
  assert.deepEqual(mine.map((a) => a.action).sort(), ['list', 'read'], JSON.stringify(rows));
  assert.equal(mine[0].keyName, 'agent-alice');
  assert.equal(mine[0].resourceKind, 'individual');
  assert.ok(rows.some((a) => a.keyId === readonly.id));
  const byKey = await srv.request('GET', `/admin/v1/audit?keyId=${agent.id}`);
  assert.equal(byKey.status, 200);
  assert.ok(byKey.json.every((a) => a.keyId === agent.id) && byKey.json.length >= 2);
  // both filters: the one key's reads of the one party; none: every read, newest first
  const both = (await srv.request('GET', `/admin/v1/audit?resourceId=${party.id}&keyId=${readonly.id}`)).json;
  assert.ok(both.length >= 1 && both.every((a) => a.keyId === readonly.id && a.resourceId === party.id), JSON.stringify(both));
  const every = (await srv.request('GET', '/admin/v1/audit?limit=1000')).json;
  assert.ok(every.length >= rows.length && every.some((a) => a.keyId === agent.id) && every.some((a) => a.keyId === readonly.id));
  assert.ok(every.every((a, i) => i === 0 || every[i - 1].at >= a.at), 'newest first');
  // admin reads are not audited; the audit is for admins only
  assert.ok(!rows.some((a) => a.keyName === 'admin'), JSON.stringify(rows)); // test 1 read it with the admin key
  assertTmfError(await srv.request('GET', '/admin/v1/audit', { key: agent.key }), 403, assert);
  expectError(await srv.request('GET', '/admin/v1/audit?who=x'), 400, 'INVALID', 'who', 'unknown audit filter');
});

let customer, account;
test('export: one document with everything personal', async () => {
  customer = await post(CUSTOMER, { name: 'Jane Müller', engagedParty: { id: party.id, '@referredType': 'Individual' } });
  account = await post(BILLING, { name: 'Jane Müller billing', currency: 'EUR', billCycleDay: 1,
    relatedParty: [{ id: customer.id, role: 'owner', '@referredType': 'Customer' }] });
  const r = await srv.request('GET', `${BASE}/individual/${party.id}/export`);
  assert.equal(r.status, 200, r.text);
  const e = r.json;
  assert.equal(e.partyId, party.id);
  assert.equal(e.party.familyName, 'Müller');
  assert.equal(e.consents.length, 3);
  assert.deepEqual(e.customers.map((c) => c.id), [customer.id]);
  assert.deepEqual(e.accounts.map((a) => a.id), [account.id]);
  assert.ok(Array.isArray(e.interactions) && Array.isArray(e.troubleTickets));
  assert.ok(e.accessAudit.length >= 2);
  expectError(await srv.request('GET', `${BASE}/individual/nope/export`), 404, 'NOT_FOUND', undefined, 'export 404');
});

test('erase: refused while a product is active or a balance is unpaid, then done', async () => {
  await runSql(srv, `INSERT INTO product (id, offering_id, offering_version, status, account_id, doc, created_ms, updated_ms, row_version) VALUES ('prod-jane-1', 'o', '1', 'active', '${account.id}', '{}', 0, 0, 1)`);
  const erase = () => srv.request('POST', `${BASE}/individual/${party.id}/erase`, { body: { reason: 'the person asked (GDPR art. 17)' } });
  let r = await erase();
  expectError(r, 409, 'CONFLICT', 'product', 'erase with an active product');
  assert.match(r.json.message, /prod-jane-1/);
  assert.match(r.json.message, /terminate/);
  await runSql(srv, "UPDATE product SET status = 'terminated' WHERE id = 'prod-jane-1'");
  // the balance is the server's (the receivables ledger will keep it): a client cannot set it, so cannot
  // zero it to get past the check either; here the store is given one directly, as the ledger will
  const setBalance = (value) => runSql(srv, srv.backend === 'postgres'
    ? `UPDATE tmf666_billing_account SET doc = jsonb_set(doc::jsonb, '{balance}', '{"unit":"EUR","value":${value}}')::text WHERE id = '${account.id}'`
    : `UPDATE tmf666_billing_account SET doc = json_set(doc, '$.balance', json('{"unit":"EUR","value":${value}}')) WHERE id = '${account.id}'`);
  await setBalance(12.5);
  const p = await srv.request('PATCH', `${BILLING}/${account.id}`, { body: { balance: { unit: 'EUR', value: 0 }, description: 'try' } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.json.balance, { unit: 'EUR', value: 12.5 }, 'a client PATCH of the balance is ignored');
  r = await erase();
  expectError(r, 409, 'CONFLICT', 'balance', 'erase with an unpaid balance');
  assert.match(r.json.message, /12\.5 EUR/);
  await setBalance(0);
  r = await erase();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'erased');
  assert.match(r.json.pseudonym, /^anon-/);
  const again = await erase();
  assert.equal(again.status, 200);
  assert.equal(again.json.pseudonym, r.json.pseudonym);
  // nothing personal is left
  const x = await srv.request('GET', `${BASE}/individual/${party.id}/export`);
  assert.equal(x.status, 200);
  const text = JSON.stringify(x.json);
  for (const secret of ['Müller', 'Jane', 'jane.mueller@example.de', '+4915112345678', 'Hauptstraße', 'C01X00T47',
    '1988-07-14', 'ticked the box']) assert.ok(!text.includes(secret), `${secret} still in the export: ${text}`);
  assert.equal(x.json.party.status, 'erased');
  assert.equal(x.json.customers[0].name, r.json.pseudonym);
  assert.equal(x.json.consents.length, 3); // the decisions stay, their free text does not
  // the financial record is still there, under the pseudonym
  assert.equal((await srv.request('GET', `${BILLING}/${account.id}`)).status, 200);
  // the passport number is free again; an erased party takes no changes
  await post(`${BASE}/individual`, { givenName: 'Other', familyName: 'Person', individualIdentification: [
    { identificationType: 'passport', identificationId: 'C01X00T47', issuingCountry: 'DE' }] });
  const pr = await srv.request('PATCH', `${BASE}/individual/${party.id}`, { body: { givenName: 'Jane' } });
  expectError(pr, 409, 'STATE', 'status', 'PATCH of an erased party');
  const cr = await srv.request('POST', `${BASE}/individual/${party.id}/consent`,
    { body: { purpose: 'marketing', channel: 'sms', granted: true, source: 'agent', wordingVersion: 'v' } });
  expectError(cr, 409, 'STATE', undefined, 'consent of an erased party');
});

test('an organization is exported and erased the same way', async () => {
  const org = await post(`${BASE}/organization`, { tradingName: 'Kiosk Schmidt', contactMedium: [
    { mediumType: 'email', characteristic: { emailAddress: 'schmidt@kiosk.example' } }],
  organizationIdentification: [{ identificationType: 'companyRegistration', identificationId: 'HRA 99', issuingCountry: 'DE' }] });
  const x = await srv.request('GET', `${BASE}/organization/${org.id}/export`);
  assert.equal(x.status, 200);
  assert.equal(x.json.partyType, 'Organization');
  const r = await srv.request('POST', `${BASE}/organization/${org.id}/erase`, { body: { reason: 'the person asked (GDPR art. 17)' } });
  assert.equal(r.status, 200, r.text);
  const after = await srv.request('GET', `${BASE}/organization/${org.id}`);
  assert.equal(after.json.status, 'erased');
  assert.ok(!JSON.stringify(after.json).includes('Schmidt'));
  expectError(await srv.request('POST', `${BASE}/organization/nope/erase`, { body: { reason: 'the person asked (GDPR art. 17)' } }), 404, 'NOT_FOUND', undefined, 'erase 404');
});

test('an erasure needs a reason and a privacy or admin key; the reason is kept in the change history', async () => {
  const party = await created(await srv.request('POST', `${BASE}/individual`, { body: { givenName: 'Rea', familyName: 'Son' } }));
  const url = `${BASE}/individual/${party.id}/erase`;
  expectError(await srv.request('POST', url), 400, 'INVALID', 'reason', 'no body');
  expectError(await srv.request('POST', url, { body: {} }), 400, 'INVALID', 'reason', 'no reason');
  expectError(await srv.request('POST', url, { body: { reason: '   ' } }), 400, 'INVALID', 'reason', 'blank reason');
  expectError(await srv.request('POST', url, { body: { reason: 7 } }), 400, 'INVALID', 'reason', 'a number');
  expectError(await srv.request('POST', url, { body: { reason: 'x'.repeat(501) } }), 400, 'INVALID', 'reason', 'too long');
  expectError(await srv.request('POST', url, { body: { reason: 'card 4111 1111 1111 1111' } }), 400, 'INVALID', 'reason', 'a card number');
  expectError(await srv.request('POST', url, { body: [] }), 400, 'INVALID', undefined, 'not an object');
  const agent = await newApiKey(srv, 'agent', 'erase-agent');
  const r = await srv.request('POST', url, { key: agent, body: { reason: 'asked' } });
  expectError(r, 403, 'FORBIDDEN', undefined, 'agent');
  assert.match(r.json.message, /it needs one of: admin, privacy$/);
  const dpo = await newApiKey(srv, 'privacy', 'dpo');
  const ok = await srv.request('POST', url, { key: dpo, body: { reason: 'asked by e-mail, ticket 991' } });
  assert.equal(ok.status, 200, ok.text);
  const h = (await srv.request('GET', `${BASE}/individual/${party.id}/history`)).json;
  assert.deepEqual([h[0].action, h[0].reason, h[0].by.name, h[0].by.role], ['erase', 'asked by e-mail, ticket 991', 'dpo', 'privacy']);
  assert.ok(!JSON.stringify(h).includes('Rea'), 'the history holds nothing erased');
  // the privacy officer exports too, but writes nothing else
  assert.equal((await srv.request('GET', `${BASE}/individual/${party.id}/export`, { key: dpo })).status, 200);
  expectError(await srv.request('POST', `${BASE}/individual`, { key: dpo, body: { givenName: 'No', familyName: 'Way' } }), 403, 'FORBIDDEN', undefined, 'privacy creating a party');
});

test('a second individual with the same name and e-mail or phone is 409 naming the first, unless confirmed', async () => {
  const body = (given, family, mail, phone) => ({ givenName: given, familyName: family, contactMedium: [
    { mediumType: 'email', characteristic: { emailAddress: mail } },
    ...(phone ? [{ mediumType: 'mobile', characteristic: { phoneNumber: phone } }] : [])] });
  const first = await created(await srv.request('POST', `${BASE}/individual`, { body: body('Dup', 'Licate', 'dup.licate@example.org', '+31 6 2000 0001') }));
  // same name (any case and accents), same e-mail in another case
  let r = await srv.request('POST', `${BASE}/individual`, { body: body('dup', 'LICATÉ', 'Dup.Licate@Example.org') });
  expectError(r, 409, 'CONFLICT', 'contactMedium', 'same name and e-mail');
  assert.equal(r.json.message, `possibly a duplicate: an individual with this name and e-mail or phone exists (${first.id}); use it, or send ?confirmDuplicate=true to create another`);
  // same name and phone typed differently
  r = await srv.request('POST', `${BASE}/individual`, { body: body('Dup', 'Licate', 'other@example.org', '+31620000001') });
  expectError(r, 409, 'CONFLICT', 'contactMedium', 'same name and phone');
  // another name with the same e-mail (a shared family mailbox) is no duplicate
  await created(await srv.request('POST', `${BASE}/individual`, { body: body('Anna', 'Licate', 'dup.licate@example.org') }));
  // confirmed: created
  const again = await srv.request('POST', `${BASE}/individual?confirmDuplicate=true`, { body: body('Dup', 'Licate', 'dup.licate@example.org') });
  assert.equal(again.status, 201, again.text);
  expectError(await srv.request('POST', `${BASE}/individual?confirmDuplicate=maybe`, { body: body('X', 'Y', 'x@example.org') }),
    400, 'INVALID', 'confirmDuplicate', 'a bad confirmDuplicate');
});
