// history.test.mjs: the durable change history of business documents
// (GET {item}/history, docs/api.md): who (key id, name, role), when,
// through which door and which members changed, with the values before and
// after for kinds without personal data and member names only otherwise;
// kept after a delete and a restart; admin only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, created, expectError, newApiKey } from './lib/server.mjs';

const CAT = '/tmf-api/productCatalogManagement/v4';
const PARTY = '/tmf-api/party/v4/individual';
let srv;
before(async () => { srv = await startServer({ args: ['--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true }); });
after(async () => { await srv.stop(); });

test('a repriced price shows who changed it, when, and from what to what', async () => {
  const pm = await newApiKey(srv, 'admin', 'pm-anna');
  const keys = (await srv.request('GET', '/admin/v1/keys')).json;
  const pmId = keys.find((k) => k.name === 'pm-anna').id;
  const price = await created(await srv.request('POST', `${CAT}/productOfferingPrice`, { body: { name: 'Plan fee',
    priceType: 'recurring', price: { unit: 'EUR', value: 20 }, recurringChargePeriodType: 'month', lifecycleStatus: 'Active' } }));
  await srv.request('PUT', '/admin/v1/clock', { body: { now: '2026-06-02T09:30:00Z' } });
  const p = await srv.request('PATCH', `${CAT}/productOfferingPrice/${price.id}`, { key: pm, body: { price: { unit: 'EUR', value: 0.01 } } });
  assert.equal(p.status, 200, p.text);
  const h = await srv.request('GET', `${CAT}/productOfferingPrice/${price.id}/history`);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.json.length, 2);
  const [patch, create] = h.json;
  assert.deepEqual([patch.seq, patch.action, patch.at, patch.via], [2, 'patch', '2026-06-02T09:30:00.000Z', 'api']);
  assert.deepEqual(patch.by, { keyId: pmId, name: 'pm-anna', role: 'admin' });
  const members = Object.fromEntries(patch.changes.map((c) => [c.member, c]));
  assert.deepEqual(members.price, { member: 'price', from: { unit: 'EUR', value: 20 }, to: { unit: 'EUR', value: 0.01 } });
  assert.ok(members.version && members.validFor, 'the new version and its start are changes too');
  assert.ok(!members.lastUpdate, 'lastUpdate is not a change');
  assert.deepEqual([create.seq, create.action, create.by.name], [1, 'create', 'admin']);
  assert.ok(create.changes.some((c) => c.member === 'price' && !('from' in c)), 'create lists the members set');
  // a patch that changes nothing leaves no row; limit
  await srv.request('PATCH', `${CAT}/productOfferingPrice/${price.id}`, { body: { name: 'Plan fee' } });
  assert.equal((await srv.request('GET', `${CAT}/productOfferingPrice/${price.id}/history`)).json.length, 2);
  const one = await srv.request('GET', `${CAT}/productOfferingPrice/${price.id}/history?limit=1`);
  assert.deepEqual(one.json.map((e) => e.seq), [2]);
  expectError(await srv.request('GET', `${CAT}/productOfferingPrice/${price.id}/history?limit=0`), 400, 'INVALID', 'limit');
});

test('imports are recorded with the importing key; deletes keep the history; unknown ids are 404', async () => {
  const imp = await srv.request('POST', '/admin/v1/catalog/import', { body: { format: 'bss-catalog/1', categories: [{ id: 'cat-hist', name: 'Imported' }] } });
  assert.equal(imp.status, 200, imp.text);
  await srv.request('POST', '/admin/v1/catalog/import', { body: { format: 'bss-catalog/1', categories: [{ id: 'cat-hist', name: 'Renamed' }] } });
  assert.equal((await srv.request('DELETE', `${CAT}/category/cat-hist`)).status, 204);
  const h = await srv.request('GET', `${CAT}/category/cat-hist/history`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.map((e) => [e.action, e.via]), [['delete', 'api'], ['patch', 'import'], ['create', 'import']]);
  assert.deepEqual(h.json[1].changes.find((c) => c.member === 'name'), { member: 'name', from: 'Imported', to: 'Renamed' });
  assert.equal(h.json[1].by.name, 'admin');
  expectError(await srv.request('GET', `${CAT}/category/never-was/history`), 404, 'NOT_FOUND', 'id');
});

test('personal documents record member names only; only admins read histories', async () => {
  const party = await created(await srv.request('POST', PARTY, { body: { givenName: 'Hanna', familyName: 'Histoire' } }));
  assert.equal((await srv.request('PATCH', `${PARTY}/${party.id}`, { body: { familyName: 'Changed' } })).status, 200);
  const h = await srv.request('GET', `${PARTY}/${party.id}/history`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json[0].changes, [{ member: 'familyName' }]);
  assert.ok(!h.text.includes('Histoire') && !h.text.includes('Changed'), h.text);
  const agent = await newApiKey(srv, 'agent', 'care-bob');
  const r = await srv.request('GET', `${PARTY}/${party.id}/history`, { key: agent });
  expectError(r, 403, 'FORBIDDEN', undefined, 'agent reading a history');
});

test('the history is durable: it survives a restart', async () => {
  const cat = await created(await srv.request('POST', `${CAT}/category`, { body: { name: 'Durable' } }));
  srv.keepDatabase = true;
  srv.keepDataDir = true;
  await srv.stop();
  srv = await startServer({ dataDir: srv.dataDir, pgDatabase: srv.pg, args: ['--test-clock-start', '2026-06-01T10:00:00Z'], testClock: true });
  const h = await srv.request('GET', `${CAT}/category/${cat.id}/history`);
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.map((e) => e.action), ['create']);
});
