// auth.test.mjs: API keys (Authorization: Bearer), roles, revocation, and the
// TMF error body on 401/403.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, sleep, CATEGORY } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });

async function createKey(role, name = `${role}-${Date.now()}`) {
  const r = await srv.request('POST', '/admin/v1/keys', { body: { name, role } });
  assert.equal(r.status, 201, r.text);
  assert.equal(typeof r.json.key, 'string', r.text);
  assert.ok(r.json.key.length >= 16, 'key too short');
  return r.json;
}

test('no Authorization header: 401 with a TMF error body', async () => {
  const r = await srv.request('GET', CATEGORY, { key: null });
  assertTmfError(r, 401, assert);
});

test('an unknown key: 401', async () => {
  assertTmfError(await srv.request('GET', CATEGORY, { key: 'bss_bogus_0123456789abcdef0123456789' }), 401, assert);
});

test('a malformed Authorization header: 401', async () => {
  for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', srv.key]) {
    const r = await srv.request('GET', CATEGORY, { key: null, headers: { authorization: value } });
    assertTmfError(r, 401, assert);
  }
});

test('the admin key from admin.key works', async () => {
  const r = await srv.request('GET', CATEGORY);
  assert.equal(r.status, 200, r.text);
});

test('a readonly key may read but not create: 403', async () => {
  const k = await createKey('readonly');
  assert.equal(k.role, 'readonly');
  const get = await srv.request('GET', CATEGORY, { key: k.key });
  assert.equal(get.status, 200, get.text);
  const post = await srv.request('POST', CATEGORY, { key: k.key, body: { name: 'nope' } });
  assertTmfError(post, 403, assert);
});

test('the catalog is written by catalog (product manager) keys; an agent gets 403 naming the roles needed', async () => {
  const pm = await createKey('catalog');
  const r = await srv.request('POST', CATEGORY, { key: pm.key, body: { name: 'by a product manager' } });
  assert.equal(r.status, 201, r.text);
  const k = await createKey('agent');
  const a = await srv.request('POST', CATEGORY, { key: k.key, body: { name: 'by agent' } });
  assertTmfError(a, 403, assert);
  assert.equal(a.json.message, `the role 'agent' may not call POST ${CATEGORY}; it needs one of: admin, catalog`);
  assert.equal((await srv.request('GET', CATEGORY, { key: k.key })).status, 200, 'agents still read the catalog');
  // the product manager imports and exports, and reads who changed a price
  const imp = await srv.request('POST', '/admin/v1/catalog/import', { key: pm.key, body: { format: 'bss-catalog/1', categories: [{ id: 'cat-pm', name: 'PM' }] } });
  assert.equal(imp.status, 200, imp.text);
  assert.equal((await srv.request('GET', '/admin/v1/catalog/export', { key: pm.key })).status, 200);
  assert.equal((await srv.request('GET', `${CATEGORY}/cat-pm/history`, { key: pm.key })).status, 200);
  // but no customer data
  assertTmfError(await srv.request('GET', '/tmf-api/party/v4/individual', { key: pm.key }), 403, assert);
});

test('only admin may manage keys: 403 for agent', async () => {
  const k = await createKey('agent');
  assertTmfError(await srv.request('POST', '/admin/v1/keys', { key: k.key, body: { name: 'x', role: 'admin' } }), 403, assert);
  assertTmfError(await srv.request('GET', '/admin/v1/keys', { key: k.key }), 403, assert);
});

test('every role can be created; an unknown role is 400', async () => {
  for (const role of ['admin', 'agent', 'billing', 'readonly', 'network']) await createKey(role);
  assertTmfError(await srv.request('POST', '/admin/v1/keys', { body: { name: 'x', role: 'superuser' } }), 400, assert);
  assertTmfError(await srv.request('POST', '/admin/v1/keys', { body: { role: 'agent', name: 7 } }), 400, assert);
});

test('the key list never shows secrets', async () => {
  const k = await createKey('billing', 'listed-key');
  const r = await srv.request('GET', '/admin/v1/keys');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.includes('listed-key'), r.text);
  assert.ok(!r.text.includes(k.key), 'the list contains a key secret');
  assert.ok(!r.text.includes(srv.key), 'the list contains the admin key secret');
});

test('a revoked key is refused with 401 within 1.5 s', async () => {
  const k = await createKey('agent', 'to-revoke');
  assert.equal((await srv.request('GET', CATEGORY, { key: k.key })).status, 200);
  assert.ok(k.id, `POST /admin/v1/keys returned no id: ${JSON.stringify({ ...k, key: '...' })}`);
  const del = await srv.request('DELETE', `/admin/v1/keys/${encodeURIComponent(k.id)}`);
  assert.ok(del.status === 204 || del.status === 200, `revoke: ${del.status} ${del.text}`);
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < 1600) {
    last = await srv.request('GET', CATEGORY, { key: k.key });
    if (last.status === 401) break;
    await sleep(100);
  }
  assertTmfError(last, 401, assert);
  // and the admin key still works
  assert.equal((await srv.request('GET', CATEGORY)).status, 200);
});

test('the key list shows when a key was last used, and never its secret', async () => {
  const k = await createKey('readonly');
  let listed = (await srv.request('GET', '/admin/v1/keys')).json.find((x) => x.id === k.id);
  assert.equal(listed.lastUsedAt, undefined, 'a fresh key was never used');
  assert.equal(listed.key, undefined);
  assert.equal((await srv.request('GET', CATEGORY, { key: k.key })).status, 200);
  // recorded through the group-commit writer without holding the request: poll briefly
  for (let i = 0; i < 50 && !listed.lastUsedAt; i++) {
    await sleep(20);
    listed = (await srv.request('GET', '/admin/v1/keys')).json.find((x) => x.id === k.id);
  }
  assert.match(listed.lastUsedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(listed.key, undefined);
});
