// consent.test.mjs: what a care agent records in one go and where it is
// seen: several channels in one request (all or none), consents by
// customer id (the party it engages), and the consents in the customer view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, created, expectError } from './lib/server.mjs';

let srv, party, customer;
before(async () => {
  srv = await startServer();
  party = await created(await srv.request('POST', '/tmf-api/party/v4/individual', { body: { givenName: 'Con', familyName: 'Sent' } }));
  customer = await created(await srv.request('POST', '/tmf-api/customerManagement/v4/customer', { body: { name: 'Con Sent',
    engagedParty: { id: party.id, '@referredType': 'Individual' } } }));
});
after(async () => { await srv.stop(); });

const decision = (extra) => ({ purpose: 'marketing', granted: true, source: 'agent', wordingVersion: 'mkt-2026-01', ...extra });

test('several channels in one request: one decision each, recorded together', async () => {
  const r = await srv.request('POST', `/tmf-api/party/v4/individual/${party.id}/consent`, { body: decision({ channel: ['sms', 'email'] }) });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.map((d) => [d.channel, d.granted, d.partyId]), [['sms', true, party.id], ['email', true, party.id]]);
  const now = (await srv.request('GET', `/tmf-api/party/v4/individual/${party.id}/consent`)).json;
  assert.deepEqual(now.filter((c) => c.purpose === 'marketing').map((c) => c.channel).sort(), ['email', 'sms']);
  // one bad channel: nothing is recorded, the error names it
  const bad = await srv.request('POST', `/tmf-api/party/v4/individual/${party.id}/consent`, { body: decision({ channel: ['post', 'pigeon'], granted: false }) });
  expectError(bad, 400, 'INVALID', 'channel[1]', 'an unknown channel in the list');
  expectError(await srv.request('POST', `/tmf-api/party/v4/individual/${party.id}/consent`, { body: decision({ channel: ['sms', 'sms'] }) }),
    400, 'INVALID', 'channel[1]', 'a repeated channel');
  expectError(await srv.request('POST', `/tmf-api/party/v4/individual/${party.id}/consent`, { body: decision({ channel: [] }) }),
    400, 'INVALID', 'channel', 'no channel');
  const hist = (await srv.request('GET', `/tmf-api/party/v4/individual/${party.id}/consent?history=true`)).json;
  assert.ok(!hist.some((c) => c.channel === 'post'), 'the refused list wrote nothing');
});

test('consents by customer id are those of the party it engages', async () => {
  const base = `/tmf-api/customerManagement/v4/customer/${customer.id}/consent`;
  const r = await srv.request('POST', base, { body: decision({ purpose: 'profiling', channel: 'email', granted: false }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.partyId, party.id);
  const list = (await srv.request('GET', base)).json;
  assert.ok(list.some((c) => c.purpose === 'profiling' && c.granted === false), JSON.stringify(list));
  const same = (await srv.request('GET', `/tmf-api/party/v4/individual/${party.id}/consent`)).json;
  assert.deepEqual(list, same);
  expectError(await srv.request('GET', '/tmf-api/customerManagement/v4/customer/nope/consent'), 404, 'NOT_FOUND', 'id', 'unknown customer');
});

test('the customer view shows the consents in force', async () => {
  const v = (await srv.request('GET', `/api/v1/customers/${customer.id}/view`)).json;
  assert.ok(Array.isArray(v.consents), JSON.stringify(v));
  assert.deepEqual(v.consents.filter((c) => c.purpose === 'marketing').map((c) => c.channel).sort(), ['email', 'sms']);
  assert.ok(v.consents.some((c) => c.purpose === 'profiling' && c.granted === false));
});
