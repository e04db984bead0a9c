// interaction.test.mjs: TMF683 party interactions
// (/tmf-api/partyInteraction/v4/partyInteraction, src/customer/interaction.c)
// against a real `bss serve`: an agent logs a call about a customer (the
// agent comes from the API key, the channel shorthand is normalised), adds
// notes by PATCH without losing the old ones, every bad input with its
// status and field, filters, roles, and the system interactions recorded
// from events (a customer's status change) in the event's transaction.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, created, newApiKey } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const PI = '/tmf-api/partyInteraction/v4/partyInteraction';

let srv;
let ind;
let cust;
let agentKey;
let readKey;
let billingKey;

before(async () => {
  srv = await startServer();
  ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: { givenName: 'Ann', familyName: 'Lee' } }));
  cust = await created(await srv.request('POST', CUSTOMER, { body: { name: 'Ann Lee', engagedParty: { id: ind.id } } }));
  agentKey = await newApiKey(srv, 'agent', 'Alice Agent');
  readKey = await newApiKey(srv, 'readonly', 'Auditor');
  billingKey = await newApiKey(srv, 'billing', 'Billing Bot');
});

const subject = () => [{ id: cust.id, '@referredType': 'Customer', role: 'customer' }];
const call = (extra = {}) => ({ channel: 'call', direction: 'inbound', reason: 'bill question', relatedParty: subject(), ...extra });

test('an agent logs a call: channel, agent from the key, date, notes', async () => {
  const i = await created(await srv.request('POST', PI, { key: agentKey, body: call({ note: [{ text: 'asked about roaming' }] }) }));
  assert.equal(i['@type'], 'PartyInteraction');
  assert.equal(i.href, `${srv.url}${PI}/${i.id}`);
  assert.deepEqual(i.channel, [{ name: 'call', '@type': 'ChannelRef' }]);
  assert.equal(i.status, 'completed');
  assert.ok(i.interactionDate.startDateTime);
  const agent = i.relatedParty.find((p) => p.role === 'agent');
  assert.equal(agent.name, 'Alice Agent');
  assert.equal(i.note[0].author, 'Alice Agent');
  assert.equal(i.note[0].text, 'asked about roaming');
  const p = await srv.request('PATCH', `${PI}/${i.id}`, { key: agentKey, body: { note: [{ text: 'called back' }] } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(p.json.note.map((n) => n.text), ['asked about roaming', 'called back']);
  const g = await srv.request('GET', `${PI}/${i.id}`, { key: readKey });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.note.length, 2);
});

test('bad input: each rule with its status and field', async () => {
  const cases = [
    [{ channel: 'call', direction: 'inbound', relatedParty: subject() }, 400, 'reason'],
    [call({ channel: 'fax' }), 400, 'channel[0].name'],
    [call({ channel: undefined }), 400, 'channel'],
    [call({ direction: 'sideways' }), 400, 'direction'],
    [call({ relatedParty: [] }), 400, 'relatedParty'],
    [call({ relatedParty: [{ id: 'nobody', '@referredType': 'Customer' }] }), 422, 'relatedParty[0].id'],
    [call({ relatedEntity: [{ name: 'no id' }] }), 400, 'relatedEntity[0].id'],
    [call({ note: [{ author: 'x' }] }), 400, 'note[0].text'],
    [call({ interactionDate: { startDateTime: 'soon' } }), 400, 'interactionDate.startDateTime'],
    [call({ status: 'lost' }), 400, 'status'],
  ];
  for (const [body, status, field] of cases) {
    const r = await srv.request('POST', PI, { key: agentKey, body });
    assertTmfError(r, status, assert, JSON.stringify(body));
    assert.equal(r.json.field, field, r.text);
  }
});

test('roles: readonly and billing keys read but do not write; no DELETE', async () => {
  assertTmfError(await srv.request('POST', PI, { key: readKey, body: call() }), 403, assert);
  assertTmfError(await srv.request('POST', PI, { key: billingKey, body: call() }), 403, assert);
  const l = await srv.request('GET', PI, { key: billingKey });
  assert.equal(l.status, 200, l.text);
  const i = await created(await srv.request('POST', PI, { body: call({ channel: [{ name: 'email' }], direction: 'outbound', reason: 'offer' }) }));
  const d = await srv.request('DELETE', `${PI}/${i.id}`);
  assert.ok(d.status === 404 || d.status === 405, d.text);
});

test('filters on direction and reason run on typed columns', async () => {
  await created(await srv.request('POST', PI, { key: agentKey, body: call({ channel: 'chat', reason: 'unlock code' }) }));
  const r = await srv.request('GET', `${PI}?reason=unlock%20code`, { key: agentKey });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 1);
  assert.equal(r.json[0].channel[0].name, 'chat');
});

test('system interactions: a customer status change is logged in its own transaction', async () => {
  const p = await srv.request('PATCH', `${CUSTOMER}/${cust.id}`, { body: { status: 'active' } });
  assert.equal(p.status, 200, p.text);
  const r = await srv.request('GET', `${PI}?reason=CustomerStateChangeEvent`, { key: agentKey });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.length, 1, r.text);
  const s = r.json[0];
  assert.equal(s.channel[0].name, 'system');
  assert.equal(s.direction, 'internal');
  assert.equal(s.relatedEntity[0].id, cust.id);
});

test('card numbers in notes are refused with the note path; an ICCID is not a card number', async () => {
  const card = 'customer paid with 4111 1111 1111 1111';
  const r = await srv.request('POST', PI, { key: agentKey, body: call({ note: [{ text: card }] }) });
  assertTmfError(r, 400, assert, 'card number in a note');
  assert.equal(r.json.field, 'note[0].text', r.text);
  assert.match(r.json.message, /^note\[0\]\.text: card numbers are not stored; use a payment method token/);
  const sim = 'new SIM 8931440301234567897 sent';
  const i = await created(await srv.request('POST', PI, { key: agentKey, body: call({ note: [{ text: sim }] }) }));
  assert.equal(i.note[0].text, sim);
  const p = await srv.request('PATCH', `${PI}/${i.id}`, { key: agentKey, body: { note: [{ text: card }] } });
  assertTmfError(p, 400, assert, 'card number in an appended note');
  assert.equal(p.json.field, 'note[0].text', p.text);
  const g = await srv.request('GET', `${PI}/${i.id}`, { key: readKey });
  assert.deepEqual(g.json.note.map((n) => n.text), [sim]);
  const other = await srv.request('POST', PI, { key: agentKey, body: call({ reason: 'card 5500-0000-0000-0004 declined' }) });
  assertTmfError(other, 400, assert, 'card number in the reason');
  assert.equal(other.json.field, 'reason', other.text);
});

test('the channel spellings care tools send are read as the channel, stored under its TMF name', async () => {
  for (const [sent, stored] of [['phone', 'call'], ['Telephone', 'call'], ['voice', 'call'], ['e-mail', 'email'],
    ['webchat', 'chat'], ['store', 'shop'], ['web', 'selfCare'], ['APP', 'selfCare']]) {
    const i = await created(await srv.request('POST', PI, { key: agentKey, body: call({ channel: sent }) }));
    assert.deepEqual(i.channel, [{ name: stored, '@type': 'ChannelRef' }], sent);
  }
  const r = await srv.request('POST', PI, { key: agentKey, body: call({ channel: [{ name: 'pigeon' }] }) });
  assert.equal(r.status, 400);
  assert.equal(r.json.field, 'channel[0].name');
  assert.equal(r.json.message, 'channel[0].name must be one of call (or phone, telephone, voice), email (e-mail, mail), chat (webchat, liveChat), shop (store, retail), selfCare (web, app, portal, selfService)');
});
