// ticket.test.mjs: TMF621 trouble tickets (/tmf-api/troubleTicket/v4/troubleTicket,
// src/customer/ticket.c) against a real `bss serve` with a test clock: the
// SLA due time from severity, the status walk acknowledged -> inProgress ->
// pending -> inProgress -> resolved -> (reopen) -> resolved -> closed with
// its history, illegal transitions answered 409, the assignee taken from
// the key that starts work, notes appended by PATCH, every bad input with
// its status and field, and roles (billing may write tickets).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, expectError, created, newApiKey } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4';
const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const TT = '/tmf-api/troubleTicket/v4/troubleTicket';

let srv;
let cust;
let agentKey;
let billingKey;
let readKey;

before(async () => {
  srv = await startServer({ args: ['--test-clock-start', '2026-03-02T09:00:00Z'], testClock: true });
  const ind = await created(await srv.request('POST', `${PARTY}/individual`, { body: { givenName: 'Ann', familyName: 'Lee' } }));
  cust = await created(await srv.request('POST', CUSTOMER, { body: { name: 'Ann Lee', engagedParty: { id: ind.id } } }));
  agentKey = await newApiKey(srv, 'agent', 'Alice Agent');
  billingKey = await newApiKey(srv, 'billing', 'Bea Billing');
  readKey = await newApiKey(srv, 'readonly', 'Auditor');
});

const ticket = (extra = {}) => ({
  description: 'No mobile data since Monday', ticketType: 'complaint', severity: 'major',
  relatedParty: [{ id: cust.id, '@referredType': 'Customer', role: 'customer' }], ...extra,
});

test('SLA due time from severity', async () => {
  const want = { critical: '2026-03-02T13:00:00.000Z', major: '2026-03-03T09:00:00.000Z',
    minor: '2026-03-05T09:00:00.000Z', low: '2026-03-09T09:00:00.000Z' };
  for (const [severity, due] of Object.entries(want)) {
    const t = await created(await srv.request('POST', TT, { key: agentKey, body: ticket({ severity }) }));
    assert.equal(t.expectedResolutionDate, due, severity);
    assert.equal(t.status, 'acknowledged');
    assert.equal(t.creationDate, '2026-03-02T09:00:00.000Z');
  }
});

test('the status walk, its history, the assignee and notes', async () => {
  const t = await created(await srv.request('POST', TT, { key: agentKey, body: ticket({ note: [{ text: 'customer called' }] }) }));
  const patch = (body, k = agentKey) => srv.request('PATCH', `${TT}/${t.id}`, { key: k, body });
  expectError(await patch({ status: 'resolved' }), 409, 'STATE', 'status', 'acknowledged -> resolved');
  let r = await patch({ status: 'inProgress', note: [{ text: 'checking the APN' }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.relatedParty.find((p) => p.role === 'assignee').name, 'Alice Agent');
  assert.deepEqual(r.json.note.map((n) => n.text), ['customer called', 'checking the APN']);
  r = await patch({ status: 'pending', statusChangeReason: 'waiting for the customer to restart' });
  assert.equal(r.status, 200, r.text);
  r = await patch({ status: 'inProgress' });
  r = await patch({ status: 'resolved' }, billingKey);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.resolutionDate);
  r = await patch({ status: 'inProgress' }); // reopened
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.resolutionDate, undefined);
  await patch({ status: 'resolved' });
  r = await patch({ status: 'closed' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.statusChange.map((s) => s.status),
    ['acknowledged', 'inProgress', 'pending', 'inProgress', 'resolved', 'inProgress', 'resolved', 'closed']);
  assert.equal(r.json.statusChange[2].changeReason, 'waiting for the customer to restart');
  expectError(await patch({ status: 'inProgress' }), 409, 'STATE', 'status', 'closed is final');
  assert.equal(r.json.note.length, 2);
});

test('bad input: each rule with its status, code and field', async () => {
  const cases = [
    [ticket({ severity: undefined }), 400, 'INVALID', 'severity'],
    [ticket({ severity: 'urgent' }), 400, 'INVALID', 'severity'],
    [ticket({ description: undefined }), 400, 'INVALID', 'description'],
    [ticket({ ticketType: undefined }), 400, 'INVALID', 'ticketType'],
    [ticket({ status: 'inProgress' }), 409, 'STATE', 'status'],
    [ticket({ status: 'open' }), 400, 'INVALID', 'status'],
    [ticket({ relatedParty: [{ id: 'nobody', '@referredType': 'Customer' }] }), 422, 'UNPROCESSABLE', 'relatedParty[0].id'],
    [ticket({ relatedEntity: [{ '@referredType': 'Product' }] }), 400, 'INVALID', 'relatedEntity[0].id'],
    [ticket({ note: [{ text: '' }] }), 400, 'INVALID', 'note[0].text'],
    [ticket({ note: 'hello' }), 400, 'INVALID', 'note'],
  ];
  for (const [body, status, code, field] of cases) {
    expectError(await srv.request('POST', TT, { key: agentKey, body }), status, code, field, JSON.stringify(body));
  }
});

test('roles and lists: readonly reads, billing writes, filter by status and severity', async () => {
  assertTmfError(await srv.request('POST', TT, { key: readKey, body: ticket() }), 403, assert);
  await created(await srv.request('POST', TT, { key: billingKey, body: ticket({ severity: 'critical', ticketType: 'billing dispute' }) }));
  const r = await srv.request('GET', `${TT}?severity=critical&status=acknowledged`, { key: readKey });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.length >= 2, r.text);
  assert.ok(r.json.every((t) => t.severity === 'critical'));
});

test('card numbers in the description or a note are refused with the path; an ICCID is not a card number', async () => {
  const card = 'customer paid with 4111 1111 1111 1111';
  const cases = [
    [ticket({ description: `charged twice, ${card}` }), 'description'],
    [ticket({ note: [{ text: 'ok' }, { text: card }] }), 'note[1].text'],
  ];
  for (const [body, field] of cases) {
    const r = await srv.request('POST', TT, { key: agentKey, body });
    expectError(r, 400, 'INVALID', field, JSON.stringify(body));
    assert.match(r.json.message, /card numbers are not stored; use a payment method token/);
  }
  const sim = 'SIM 8931440301234567897 swapped';
  const t = await created(await srv.request('POST', TT, { key: agentKey, body: ticket({ description: sim, note: [{ text: sim }] }) }));
  assert.equal(t.description, sim);
  assert.equal(t.note[0].text, sim);
  const p = await srv.request('PATCH', `${TT}/${t.id}`, { key: agentKey, body: { note: [{ text: card }] } });
  expectError(p, 400, 'INVALID', 'note[0].text', 'card number in an appended note');
  const g = await srv.request('GET', `${TT}/${t.id}`, { key: readKey });
  assert.deepEqual(g.json.note.map((n) => n.text), [sim]);
});
