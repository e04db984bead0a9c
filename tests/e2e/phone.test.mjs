// phone.test.mjs: phone numbers through libphonenumber: international
// forms with spaces and parentheses always; the operator's national forms
// with --default-country; stored as E.164; search finds a person by any
// form; --default-country is checked at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, created, expectError, bss } from './lib/server.mjs';

const PARTY = '/tmf-api/party/v4/individual';
let nl, world;
before(async () => {
  nl = await startServer({ args: ['--default-country', 'NL'] });
  world = await startServer();
});
after(async () => { await nl.stop(); await world.stop(); });

const person = (phone, familyName) => ({ givenName: 'Fon', familyName,
  contactMedium: [{ mediumType: 'mobile', characteristic: { phoneNumber: phone } }] });
const stored = (doc) => doc.contactMedium[0].characteristic.phoneNumber;

test('international forms are accepted as people type them and stored as E.164', async () => {
  for (const [typed, want] of [['+31 6 1234 5678', '+31612345678'], ['+31 (0)6 86665420', '+31686665420'],
    ['0031 6 8666 5420', '+31686665420'], ['+44 20 7946 0958', '+442079460958']]) {
    const p = await created(await world.request('POST', PARTY, { body: person(typed, `Intl ${typed}`) }));
    assert.equal(stored(p), want, typed);
  }
  const r = await world.request('POST', PARTY, { body: person('0686665420', 'Natl') });
  expectError(r, 400, 'INVALID', 'contactMedium[0].characteristic.phoneNumber', 'national without a default country');
  assert.match(r.json.message, /international form .*no default country is set \(--default-country\)/);
  expectError(await world.request('POST', PARTY, { body: person('+31 6 12', 'Short') }), 400, 'INVALID',
    'contactMedium[0].characteristic.phoneNumber', 'too short');
  expectError(await world.request('POST', PARTY, { body: person('call me', 'Words') }), 400, 'INVALID',
    'contactMedium[0].characteristic.phoneNumber', 'words');
});

test('with --default-country NL the national forms are accepted on create and in search', async () => {
  const forms = ['0686665420', '06-86 66 54 20', '06.86.66.54.20', '+31 (0)6 86665420', '+31686665420'];
  const p = await created(await nl.request('POST', PARTY, { body: person(forms[1], 'Nationaal') }));
  assert.equal(stored(p), '+31686665420');
  const patched = await nl.request('PATCH', `${PARTY}/${p.id}`, { body: { contactMedium: [{ mediumType: 'mobile', characteristic: { phoneNumber: '0612345678' } }] } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(stored(patched.json), '+31612345678');
  for (const q of ['0612345678', '06-12 34 56 78', '+31 6 1234 5678', '+31 (0)6 12345678']) {
    const s = await nl.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    assert.equal(s.status, 200, s.text);
    assert.ok(s.json.some((row) => JSON.stringify(row).includes(p.id)), `search ${q}: ${s.text}`);
  }
  const bad = await nl.request('POST', PARTY, { body: person('0612', 'Kort') });
  expectError(bad, 400, 'INVALID', 'contactMedium[0].characteristic.phoneNumber', 'a short national number');
  assert.match(bad.json.message, /not a valid phone number \(a national number is read as one of NL\)/);
});

test('--default-country must be a country with a numbering plan', async () => {
  const r = await bss(['serve', '--data-dir', '/nonexistent/never', '--default-country', 'XX']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /default-country: 'XX' is not an ISO 3166-1 alpha-2 country with a numbering plan/);
});
