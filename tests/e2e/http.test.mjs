// http.test.mjs: the HTTP rules every route shares. Without a key nothing
// tells which routes exist (401 before 404 and 405); HEAD answers like GET
// without a body; one key sending faster than its role's rate gets 429 with
// Retry-After while other keys go on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, expectError, newApiKey } from './lib/server.mjs';

let srv;

before(async () => { srv = await startServer({ args: ['--rate-limit', 'readonly=5'] }); });
after(async () => { await srv.stop(); });

test('without a key every route but /health and /metrics is 401, existing or not', async () => {
  for (const [method, path] of [['GET', '/nope'], ['GET', '/tmf-api/productCatalogManagement/v4/nope'],
    ['DELETE', '/health'], ['GET', '/tmf-api/productCatalogManagement/v4/category'], ['PUT', '/admin/v1/keys']]) {
    const r = await srv.request(method, path, { key: '' });
    expectError(r, 401, 'UNAUTHORIZED', undefined, `${method} ${path}`);
    assert.match(r.headers['www-authenticate'] || '', /Bearer/);
  }
  assert.equal((await srv.request('GET', '/health', { key: '' })).status, 200);
  // with a key the route map answers as before
  expectError(await srv.request('GET', '/nope'), 404, 'NOT_FOUND', undefined, 'unknown route');
  const m = await srv.request('DELETE', '/health');
  expectError(m, 405, 'METHOD', undefined, 'DELETE /health');
  assert.equal(m.headers.allow, 'GET, HEAD');
});

// One raw HTTP/1.1 exchange: what the server wrote until it closed or went quiet.
function raw(bytes, { quietMs = 400 } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(srv.port, '127.0.0.1');
    let out = '';
    let timer = null;
    const done = () => { s.destroy(); resolve(out); };
    s.on('data', (d) => { out += d.toString('latin1'); clearTimeout(timer); timer = setTimeout(done, quietMs); });
    s.on('end', () => { clearTimeout(timer); done(); });
    s.on('error', reject);
    s.on('connect', () => { s.write(bytes); timer = setTimeout(done, quietMs * 3); });
  });
}

test('HEAD is GET without the body, and the connection stays in step', async () => {
  const out = await raw(`HEAD /tmf-api/productCatalogManagement/v4/category HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${srv.key}\r\n\r\n` +
                        'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  const answers = out.split(/(?=HTTP\/1\.1 )/);
  assert.equal(answers.length, 2, out);
  assert.match(answers[0], /^HTTP\/1\.1 200 /);
  assert.match(answers[0], /x-total-count: \d+/i);
  assert.ok(answers[0].endsWith('\r\n\r\n'), `a HEAD answer has no body: ${JSON.stringify(answers[0])}`);
  assert.match(answers[1], /^HTTP\/1\.1 200 [\s\S]*"status":"ok"/);
});

test('a key over its rate gets 429 with Retry-After; other keys are not slowed', async () => {
  const ro = await newApiKey(srv, 'readonly', 'dashboard gone wrong');
  const agent = await newApiKey(srv, 'agent', 'care desk');
  const CAT = '/tmf-api/productCatalogManagement/v4/category';
  const answers = [];
  for (let i = 0; i < 30; i++) answers.push(await srv.request('GET', CAT, { key: ro }));
  const limited = answers.filter((r) => r.status === 429);
  assert.ok(limited.length > 0, `30 requests at once over a rate of 5/s: ${answers.map((r) => r.status).join(',')}`);
  assert.ok(answers.filter((r) => r.status === 200).length >= 10, 'the burst (twice the rate) went through');
  const r = limited[0];
  expectError(r, 429, 'RATE', undefined, 'over the rate');
  assert.match(r.headers['retry-after'], /^[1-9]\d*$/);
  assert.match(r.json.message, /readonly/);
  assert.equal((await srv.request('GET', CAT, { key: agent })).status, 200, 'another key is not limited');
  assert.equal((await srv.request('GET', CAT)).status, 200, 'admin keys are not limited by default');
});
