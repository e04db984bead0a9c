// errors.test.mjs: every kind of bad input gets a clear error: malformed JSON
// (400 with line and column), wrong types, body over the cap (413), unknown
// route (404), wrong method (405 + Allow), bad limit/offset/filter (400), a
// store that stays busy (503 + Retry-After) and bad configuration (exit 2
// naming the option).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, assertTmfError, bss, tempDir, freePort, psql, sleep, childEnv,
         CATEGORY } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });

test('malformed JSON: 400 naming the line and column', async () => {
  const r = await srv.request('POST', CATEGORY, { body: '{\n  "name": "x",\n  "description" }\n' });
  assertTmfError(r, 400, assert);
  assert.match(r.json.message, /line/i, r.text);
  assert.match(r.json.message, /column/i, r.text);
  assert.match(r.json.message, /3/, `the error is on line 3: ${r.text}`);
});

test('an empty body and a truncated body are 400', async () => {
  assertTmfError(await srv.request('POST', CATEGORY, { body: '' }), 400, assert);
  assertTmfError(await srv.request('POST', CATEGORY, { body: '{"name": "x"' }), 400, assert);
});

test('a JSON body that is not an object is 400', async () => {
  assertTmfError(await srv.request('POST', CATEGORY, { body: '[{"name": "x"}]' }), 400, assert);
  assertTmfError(await srv.request('POST', CATEGORY, { body: '"name"' }), 400, assert);
});

test('wrong types are 400', async () => {
  for (const body of [{ name: 42 }, { name: ['a'] }, { name: 'x', isRoot: 'yes' }, { name: 'x', lifecycleStatus: 3 },
                      { name: 'x', validFor: 'tomorrow' }, { name: 'x', validFor: { startDateTime: 'not a date' } },
                      { name: 'x', validFor: { startDateTime: '2026-02-30T00:00:00Z' } }]) {
    const r = await srv.request('POST', CATEGORY, { body });
    assertTmfError(r, 400, assert, JSON.stringify(body));
  }
});

test('unknown route: 404 with a TMF error body', async () => {
  assertTmfError(await srv.request('GET', '/no/such/route'), 404, assert);
  assertTmfError(await srv.request('GET', '/tmf-api/productCatalogManagement/v4/nothing'), 404, assert);
  assertTmfError(await srv.request('GET', '/tmf-api/productCatalogManagement/v4/category/a/b'), 404, assert);
});

test('wrong method: 405 with an Allow header', async () => {
  const r = await srv.request('PUT', CATEGORY, { body: { name: 'x' } });
  assertTmfError(r, 405, assert);
  const allow = (r.headers.allow || '').split(',').map((s) => s.trim());
  assert.ok(allow.includes('GET') && allow.includes('POST'), `Allow: ${r.headers.allow}`);
  const h = await srv.request('DELETE', '/health');
  assertTmfError(h, 405, assert);
  assert.ok((h.headers.allow || '').includes('GET'), `Allow: ${h.headers.allow}`);
});

test('bad limit and offset values are 400', async () => {
  for (const q of ['limit=-1', 'limit=abc', 'limit=1.5', 'limit=99999999999999999999', 'offset=-5',
                   'offset=x', 'offset=1e3']) {
    const r = await srv.request('GET', `${CATEGORY}?${q}`);
    assertTmfError(r, 400, assert, q);
    assert.match(r.json.message + ' ' + (r.json.reason || ''), /limit|offset/, `${q}: ${r.text}`);
  }
});

test('malformed filters are 400', async () => {
  for (const q of ['name=%ZZ', 'validFor..startDateTime=x', 'na%20me=x', 'a.b.c.d.e.f.g.h.i.j=1']) {
    const r = await srv.request('GET', `${CATEGORY}?${q}`);
    assertTmfError(r, 400, assert, q);
  }
});

test('a date filter with a value that is not a date is 400', async () => {
  for (const q of ['lastUpdate.gt=yesterday', 'lastUpdate.lt=2026-13-01T00:00:00Z',
                   'validFor.startDateTime.gte=2026-02-30T00:00:00Z']) {
    const r = await srv.request('GET', `${CATEGORY}?${q}`);
    assertTmfError(r, 400, assert, q);
  }
});

test('body over --max-body is 413; a body under it is accepted', async () => {
  const small = await startServer({ args: ['--max-body', '1024'] });
  try {
    const big = await small.request('POST', CATEGORY, { body: { name: 'big', description: 'x'.repeat(2000) } });
    assertTmfError(big, 413, assert);
    const ok = await small.request('POST', CATEGORY, { body: { name: 'small', description: 'x'.repeat(800) } });
    assert.equal(ok.status, 201, ok.text);
  } finally {
    await stopServer(small);
  }
});

// Holds the store's write lock from another process until release() is called.
async function holdStoreLock(server) {
  let child;
  let ready;
  if (server.backend === 'postgres') {
    const table = await psql(server.dbUrl,
      "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'tmf620_category'");
    assert.ok(table, 'no category table found in the PostgreSQL database');
    child = spawn('psql', ['-X', '-Atq', server.dbUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n`);
  } else {
    child = spawn('sqlite3', [path.join(server.dataDir, 'bss.db')], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  }
  let out = '';
  let err = '';
  ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { out += d; if (out.includes('locked')) resolve(); });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`lock holder exited (${code}): ${err}`)));
  });
  await Promise.race([ready, sleep(10000).then(() => { throw new Error(`lock not taken: ${err}`); })]);
  return {
    release: async () => {
      const gone = new Promise((r) => child.on('exit', r));
      child.stdin.end(server.backend === 'postgres' ? 'ROLLBACK;\n\\q\n' : 'ROLLBACK;\n.quit\n');
      await Promise.race([gone, sleep(5000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

test('a store busy beyond the retries is 503 with Retry-After, and recovers', async () => {
  const busy = await startServer({ args: ['--db-busy-timeout', '100', '--db-retries', '1'] });
  try {
    // the category table exists once one category was made
    assert.equal((await busy.request('POST', CATEGORY, { body: { name: 'before' } })).status, 201);
    const lock = await holdStoreLock(busy);
    let r;
    const t0 = Date.now();
    try {
      r = await busy.request('POST', CATEGORY, { body: { name: 'while locked' } });
    } finally {
      await lock.release();
    }
    assertTmfError(r, 503, assert);
    assert.match(r.headers['retry-after'] || '', /^\d+$/, `Retry-After: ${r.headers['retry-after']}`);
    assert.ok(Date.now() - t0 < 5000, `503 took ${Date.now() - t0} ms`);
    const after = await busy.request('POST', CATEGORY, { body: { name: 'after' } });
    assert.equal(after.status, 201, after.text);
  } finally {
    await stopServer(busy);
  }
});

// ---- configuration errors: exit status 2 and a message naming the option ----

async function serveExpectingConfigError(args, { env, conf } = {}) {
  const dir = tempDir();
  if (conf !== undefined) fs.writeFileSync(path.join(dir, 'bss.conf'), conf);
  const port = await freePort();
  const r = await bss(['serve', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, ...args],
                      { env: childEnv(env || {}), timeoutMs: 10000 });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 2, `expected exit 2, got ${r.code} ${r.signal || ''}; stderr:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/);
  return r.stderr;
}

test('an unknown flag: exit 2 naming it', async () => {
  const err = await serveExpectingConfigError(['--no-such-flag', '1']);
  assert.match(err, /no-such-flag/);
});

test('a bad --listen: exit 2 naming listen', async () => {
  for (const v of ['nonsense', '127.0.0.1:99999', '127.0.0.1:', ':abc']) {
    const err = await serveExpectingConfigError(['--listen', v]);
    assert.match(err, /listen/, `--listen ${v}: ${err}`);
  }
});

test('bad numeric flag values: exit 2 naming the option', async () => {
  for (const [flag, v] of [['--threads', 'many'], ['--max-body', '-1'], ['--db-retries', '1x']]) {
    const err = await serveExpectingConfigError([flag, v]);
    assert.match(err, new RegExp(flag.slice(2)), `${flag} ${v}: ${err}`);
  }
});

test('a bad value in bss.conf: exit 2 naming file:line and the option', async () => {
  const err = await serveExpectingConfigError([], { conf: '# comment\nlog-level = info\n\nthreads = banana\n' });
  assert.match(err, /bss\.conf:4/, err);
  assert.match(err, /threads/, err);
});

test('an unknown option in bss.conf: exit 2 naming it', async () => {
  const err = await serveExpectingConfigError([], { conf: 'colour = blue\n' });
  assert.match(err, /bss\.conf:1/, err);
  assert.match(err, /colour/, err);
});

test('a bad environment variable: exit 2 naming it', async () => {
  const err = await serveExpectingConfigError([], { env: { BSS_MAX_BODY: 'lots' } });
  assert.match(err, /BSS_MAX_BODY|max-body/, err);
});

test('referenceError points at a page that exists and explains the code', async () => {
  const r = await srv.request('GET', '/tmf-api/productCatalogManagement/v4/category?limit=x');
  assert.equal(r.status, 400);
  const ref = new URL(r.json.referenceError);
  assert.equal(ref.hash, '#INVALID');
  const page = await srv.request('GET', ref.pathname, { key: null });
  assert.equal(page.status, 200, 'public: a client without a key can read what its error means');
  assert.match(page.headers['content-type'], /^text\/html/);
  for (const code of ['INVALID', 'PARSE', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD', 'CONFLICT', 'STATE',
    'TOO_BIG', 'UNSUPPORTED', 'UNPROCESSABLE', 'RATE', 'BUSY', 'EXPECTATION', 'INTERNAL']) {
    assert.match(page.text, new RegExp(`<tr id="${code}"><td>${code}</td><td>(\\d{3}|as sent)</td><td>[^<]+</td><td>[^<]+</td></tr>`), code);
  }
});

test('a filter on a member no document has and the resource does not declare is 400 naming it', async () => {
  const CAT = '/tmf-api/productCatalogManagement/v4/category';
  assert.equal((await srv.request('POST', CAT, { body: { name: 'Filtered', customTag: 'x' } })).status, 201);
  const r = await srv.request('GET', `${CAT}?bogusfield=1`);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.field, 'bogusfield');
  assert.equal(r.json.message, "no category has a member 'bogusfield': 'bogusfield' filters on nothing (check the spelling)");
  const dotted = await srv.request('GET', `${CAT}?bogus.deep.gt=1`);
  assert.equal(dotted.status, 400);
  assert.equal(dotted.json.field, 'bogus.deep.gt');
  // declared members and members some document has are questions, answered even when nothing matches
  for (const q of ['description=none', 'customTag=y', 'validFor.endDateTime.gt=2030-01-01T00:00:00Z', 'parentId=nope']) {
    const ok = await srv.request('GET', `${CAT}?${q}`);
    assert.equal(ok.status, 200, `${q}: ${ok.text}`);
  }
});

test('a body with several problems reports every one of them in details', async () => {
  const CAT = '/tmf-api/productCatalogManagement/v4';
  const r = await srv.request('POST', `${CAT}/category`, { body: { name: 5, lifecycleStatus: 'Bogus', validFor: 'soon', isRoot: 'yes' } });
  assert.equal(r.status, 400, r.text);
  assert.ok(Array.isArray(r.json.details), r.text);
  assert.ok(r.json.details.length >= 3, r.text);
  assert.deepEqual(r.json.details[0], { code: r.json.code, field: r.json.field, message: r.json.message }, 'the first problem is the top-level one');
  const fields = r.json.details.map((d) => d.field.split(/[.[]/)[0]);
  for (const f of ['name', 'lifecycleStatus', 'validFor']) assert.ok(fields.includes(f), `${f} in ${r.text}`);
  for (const d of r.json.details) assert.deepEqual(Object.keys(d).sort(), ['code', 'field', 'message']);
  // every required member that is missing, at once
  const p = await srv.request('POST', '/tmf-api/troubleTicket/v4/troubleTicket', { body: {} });
  assert.equal(p.status, 400, p.text);
  assert.deepEqual(p.json.details.map((d) => d.field), ['description', 'severity', 'ticketType']);
  assert.equal(p.json.message, 'description is required (and more: see details)');
  // a patch too
  const c = (await srv.request('POST', `${CAT}/category`, { body: { name: 'Patched badly' } })).json;
  const pr = await srv.request('PATCH', `${CAT}/category/${c.id}`, { body: { name: 7, lifecycleStatus: 'Bogus', validFor: 3 } });
  assert.equal(pr.status, 400, pr.text);
  const pf = pr.json.details.map((d) => d.field.split(/[.[]/)[0]);
  for (const f of ['name', 'lifecycleStatus', 'validFor']) assert.ok(pf.includes(f), `${f} in ${pr.text}`);
  assert.equal((await srv.request('GET', `${CAT}/category/${c.id}`)).json.name, 'Patched badly', 'nothing written');
  // one problem: no details
  const one = await srv.request('POST', `${CAT}/category`, { body: { name: 5 } });
  assert.equal(one.status, 400);
  assert.equal(one.json.details, undefined, one.text);
});
