// logging.test.mjs: who did what, in the log. One http.request line per
// request (id, method, route pattern, status, time, bytes, key name and
// role), the X-Request-Id accepted or generated, echoed, and carried into
// every line the request causes; info lines for key create/revoke, party
// export and erasure, catalog import/export, and the start-up settings with
// secrets redacted; --request-log false turns the request lines off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, bss, created, newApiKey } from './lib/server.mjs';

const CAT = '/tmf-api/productCatalogManagement/v4/category';
const PARTY = '/tmf-api/party/v4/individual';
let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const lines = (s, event) => s.split('\n').filter((l) => l.includes(` event=${event} `) || l.endsWith(` event=${event}`));
const field = (line, k) => { const m = new RegExp(`(?:^| )${k}=("(?:[^"\\\\]|\\\\.)*"|\\S*)`).exec(line); return m ? m[1].replace(/^"|"$/g, '') : undefined; };

async function until(pred) {
  for (let i = 0; i < 100; i++) { const v = pred(); if (v) return v; await new Promise((r) => setTimeout(r, 20)); }
  return pred();
}

test('one http.request line per request, with the id the client sent, echoed', async () => {
  const r = await srv.request('GET', `${CAT}?limit=1`, { headers: { 'X-Request-Id': 'care-tool-42' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-request-id'], 'care-tool-42');
  const line = await until(() => lines(srv.stderr(), 'http.request').find((l) => l.includes('req=care-tool-42 ')));
  assert.ok(line, srv.tail(5));
  assert.equal(field(line, 'level'), 'info');
  assert.equal(field(line, 'method'), 'GET');
  assert.equal(field(line, 'route'), CAT, 'the route pattern, never the query');
  assert.equal(field(line, 'status'), '200');
  assert.match(field(line, 'ms'), /^\d+\.\d{3}$/);
  assert.equal(field(line, 'in'), '0');
  assert.equal(field(line, 'out'), String(Buffer.byteLength(r.text)));
  assert.equal(field(line, 'key'), 'admin');
  assert.equal(field(line, 'role'), 'admin');
});

test('a generated id is echoed and names the line; ids that are not safe are replaced', async () => {
  const r = await srv.request('GET', '/health');
  const id = r.headers['x-request-id'];
  assert.match(id, /^[0-9a-f]+-[0-9a-f]+$/);
  const line = await until(() => lines(srv.stderr(), 'http.request').find((l) => l.includes(`req=${id} `)));
  assert.equal(field(line, 'route'), '/health');
  assert.equal(field(line, 'key'), '-');
  const bad = await srv.request('GET', '/health', { headers: { 'X-Request-Id': 'a b"c' } });
  assert.notEqual(bad.headers['x-request-id'], 'a b"c');
  // a path parameter shows as its pattern, a stranger's request as 401 with no key
  const p = await srv.request('GET', `${CAT}/no-such-id`);
  assert.equal(p.status, 404);
  const pl = await until(() => lines(srv.stderr(), 'http.request').find((l) => l.includes(`req=${p.headers['x-request-id']} `)));
  assert.equal(field(pl, 'route'), `${CAT}/{id}`);
  const s = await srv.request('GET', '/tmf-api/nothing', { key: '' });
  assert.equal(s.status, 401);
  const sl = await until(() => lines(srv.stderr(), 'http.request').find((l) => l.includes(`req=${s.headers['x-request-id']} `)));
  assert.deepEqual([field(sl, 'route'), field(sl, 'status'), field(sl, 'key')], ['-', '401', '-']);
});

test('the lines a request causes carry its id: key create and revoke, export, erasure, catalog import and export', async () => {
  const k = await srv.request('POST', '/admin/v1/keys', { body: { name: 'log-test', role: 'agent' }, headers: { 'X-Request-Id': 'mk-key-1' } });
  assert.equal(k.status, 201);
  const made = await until(() => lines(srv.stderr(), 'auth.key_created').find((l) => l.includes('req=mk-key-1 ')));
  assert.ok(made, srv.tail(5));
  assert.deepEqual([field(made, 'id'), field(made, 'name'), field(made, 'role'), field(made, 'by')], [k.json.id, 'log-test', 'agent', 'admin']);
  assert.ok(!made.includes(k.json.key), 'the key itself is never logged');
  assert.equal((await srv.request('DELETE', `/admin/v1/keys/${k.json.id}`, { headers: { 'X-Request-Id': 'rm-key-1' } })).status, 204);
  const gone = await until(() => lines(srv.stderr(), 'auth.key_revoked').find((l) => l.includes('req=rm-key-1 ')));
  assert.equal(field(gone, 'id'), k.json.id);

  const party = await created(await srv.request('POST', PARTY, { body: { givenName: 'Loggy', familyName: 'Lines' } }));
  assert.equal((await srv.request('GET', `${PARTY}/${party.id}/export`, { headers: { 'X-Request-Id': 'exp-1' } })).status, 200);
  const ex = await until(() => lines(srv.stderr(), 'party.exported').find((l) => l.includes('req=exp-1 ')));
  assert.deepEqual([field(ex, 'kind'), field(ex, 'id'), field(ex, 'by')], ['individual', party.id, 'admin']);
  const er = await srv.request('POST', `${PARTY}/${party.id}/erase`, { body: { reason: 'customer asked (ticket 7)' }, headers: { 'X-Request-Id': 'era-1' } });
  assert.equal(er.status, 200, er.text);
  const el = await until(() => lines(srv.stderr(), 'party.erased').find((l) => l.includes('req=era-1 ')));
  assert.deepEqual([field(el, 'id'), field(el, 'by')], [party.id, 'admin']);
  assert.ok(!srv.stderr().includes('Loggy'), 'no personal data in the log');

  const imp = await srv.request('POST', '/admin/v1/catalog/import', { body: { format: 'bss-catalog/1', categories: [{ id: 'cat-log', name: 'Logged' }] }, headers: { 'X-Request-Id': 'imp-1' } });
  assert.equal(imp.status, 200, imp.text);
  const il = await until(() => lines(srv.stderr(), 'catalog.imported').find((l) => l.includes('req=imp-1 ')));
  assert.deepEqual([field(il, 'dryRun'), field(il, 'created'), field(il, 'updated'), field(il, 'by')], ['false', '1', '0', 'admin']);
  assert.equal((await srv.request('GET', '/admin/v1/catalog/export', { headers: { 'X-Request-Id': 'cex-1' } })).status, 200);
  assert.ok(await until(() => lines(srv.stderr(), 'catalog.exported').find((l) => l.includes('req=cex-1 '))));
});

test('catalog writes rebuild the compiled catalog quietly: one info line at start-up only', async () => {
  await created(await srv.request('POST', CAT, { body: { name: 'Quiet' } }));
  await new Promise((r) => setTimeout(r, 300));
  const infos = lines(srv.stderr(), 'catalog.rebuild').filter((l) => l.includes('level=info'));
  assert.equal(infos.length, 1, infos.join('\n'));
});

test('the start-up settings are logged, with the store password redacted', async () => {
  const r = await bss(['serve', '--data-dir', srv.dataDir + '-nowhere', '--db', 'postgres://bss:s3cret-pw@127.0.0.1:1/bss?sslmode=disable&password=other-pw',
    '--listen', '127.0.0.1:1', '--rate-limit', 'agent=5'], { timeoutMs: 20000 });
  assert.notEqual(r.code, 0);
  const line = lines(r.stderr, 'config')[0];
  assert.ok(line, r.stderr);
  assert.equal(field(line, 'db'), 'postgres://bss:***@127.0.0.1:1/bss?sslmode=disable&password=***');
  assert.equal(field(line, 'rate-limit'), 'agent=5');
  assert.equal(field(line, 'request-log'), 'true');
  assert.ok(!r.stderr.includes('s3cret') && !r.stderr.includes('other-pw'), r.stderr);
});

test('--request-log false: no request lines, the other lines stay', async () => {
  const quiet = await startServer({ args: ['--request-log=false'] });
  try {
    const other = await newApiKey(quiet, 'agent', 'quiet-agent');
    assert.equal((await quiet.request('GET', `${CAT}?limit=1`, { key: other })).status, 200);
    assert.equal(lines(quiet.stderr(), 'http.request').length, 0);
    assert.equal(lines(quiet.stderr(), 'auth.key_created').length, 1);
  } finally {
    await quiet.stop();
  }
});
