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

// ---- HTTP/1.1 framing that could be read two ways ----

// A raw connection that writes `steps` one after the other (each waits for the server to answer or
// go quiet) and returns everything the server wrote and whether it closed.
function rawSteps(steps, { quietMs = 300 } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect(srv.port, '127.0.0.1');
    let out = '';
    let closed = false;
    let timer = null;
    let i = 0;
    const next = () => {
      if (i < steps.length && !closed) { s.write(steps[i++]); timer = setTimeout(next, quietMs); return; }
      s.destroy();
      resolve({ out, closed });
    };
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('end', () => { closed = true; });
    s.on('close', () => { closed = true; clearTimeout(timer); resolve({ out, closed }); });
    s.on('error', reject);
    s.on('connect', next);
  });
}

const CAT = '/tmf-api/productCatalogManagement/v4/category';
const auth = () => `Authorization: Bearer ${srv.key}\r\nContent-Type: application/json\r\n`;
const count = async (name) => (await srv.request('GET', `${CAT}?name=${name}`)).json.length;

test('Content-Length with Transfer-Encoding is 400 and the connection closes: nothing is smuggled', async () => {
  // without the check h2o frames by the chunked body, answers the POST, and runs the bytes after it
  // as a second request (the one a proxy framing by Content-Length would never have seen)
  const smuggled = `POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n` +
                   `0\r\n\r\nPOST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: 20\r\n\r\n{"name":"smuggled1"}`;
  const r = await rawSteps([smuggled]);
  assert.match(r.out, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(r.out, /Connection: close/i);
  assert.match(r.out, /"code":"INVALID".*both Content-Length and Transfer-Encoding/);
  assert.equal((r.out.match(/HTTP\/1\.1 /g) || []).length, 1, r.out);
  assert.ok(r.closed, 'the server closed the connection');
  assert.equal(await count('smuggled1'), 0, 'the trailing request never ran');
  assert.match(srv.stderr(), /event=http1\.framing .*both Content-Length and Transfer-Encoding/);
});

test('two different Content-Length values are 400 and close; equal ones are one', async () => {
  const body = '{"name":"twocl"}';
  const r = await rawSteps([`POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: ${body.length}\r\nContent-Length: 99\r\n\r\n${body}`]);
  assert.match(r.out, /^HTTP\/1\.1 400 /);
  assert.match(r.out, /two different Content-Length values/);
  assert.ok(r.closed);
  assert.equal(await count('twocl'), 0);
  const same = await rawSteps([`POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
  assert.match(same.out, /^HTTP\/1\.1 201 /, same.out);
});

test('on a keep-alive connection the check holds for every request, pipelined or later', async () => {
  const good = (name) => `POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: ${`{"name":"${name}"}`.length}\r\n\r\n{"name":"${name}"}`;
  // without the guard h2o would frame this by its chunked body and create "smug"
  const bad = `POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n` +
              'f\r\n{"name":"smug"}\r\n0\r\n\r\n';
  const refused = /both Content-Length and Transfer-Encoding/;
  // later: two good requests answered one by one, then a bad one on the same connection
  const later = await rawSteps([good('ka1'), good('ka2'), bad]);
  const answers = later.out.match(/HTTP\/1\.1 \d{3}/g);
  assert.deepEqual(answers, ['HTTP/1.1 201', 'HTTP/1.1 201', 'HTTP/1.1 400'], later.out);
  assert.match(later.out, refused);
  assert.ok(later.closed);
  // pipelined: the good request runs, the ambiguous one is refused and closes the connection, so the
  // request hidden in its body (and anything after) never runs
  const piped = await rawSteps([good('pipe1') + bad + good('pipe2')]);
  assert.deepEqual(piped.out.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 201', 'HTTP/1.1 400'], piped.out);
  assert.match(piped.out, refused);
  assert.match(piped.out, /Connection: close/i);
  assert.ok(piped.closed);
  assert.equal(await count('pipe1'), 1);
  assert.equal(await count('pipe2'), 0);
  // a chunked body on its own is fine, and so is what follows it
  const chunked = `POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Transfer-Encoding: chunked\r\n\r\n` +
                  `8\r\n{"name":\r\n9\r\n"chunky"}\r\n0\r\n\r\n`;
  const ok = await rawSteps([chunked + good('after-chunked')]);
  assert.deepEqual(ok.out.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 201', 'HTTP/1.1 201'], ok.out);
  // after "Expect: 100-continue" too
  const expect = `POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Expect: 100-continue\r\nContent-Length: 17\r\n\r\n`;
  const e = await rawSteps([expect, '{"name":"expect"}', bad]);
  assert.deepEqual(e.out.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 100', 'HTTP/1.1 201', 'HTTP/1.1 400'], e.out);
  assert.match(e.out, refused);
  assert.equal(await count('smug'), 0, 'no smuggled create, ever');
});

test('errors h2o answers itself have the TMF error body too', async () => {
  const r = await rawSteps([`POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Expect: teapot\r\nContent-Length: 2\r\n\r\n{}`]);
  assert.match(r.out, /^HTTP\/1\.1 417 /);
  assert.match(r.out, /content-type: application\/json/i);
  const body = JSON.parse(r.out.slice(r.out.indexOf('\r\n\r\n') + 4));
  assert.deepEqual([body.code, body.status, body['@type']], ['EXPECTATION', '417', 'Error']);
  assert.match(body.message, /only Expect: 100-continue/);
  const big = await rawSteps([`POST ${CAT} HTTP/1.1\r\nHost: x\r\n${auth()}Transfer-Encoding: chunked\r\n\r\nzz\r\n`]);
  assert.match(big.out, /^HTTP\/1\.1 400 /);
  assert.match(big.out, /"code":"PARSE"/);
});

test('a request h2o cannot read as HTTP at all gets the TMF 400 too, and the connection closes', async () => {
  const cases = ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n', 'GET /health HTTP/1.1\r\nHost: x\r\n' + 'X: y\r\n'.repeat(120) + '\r\n',
    `GET /health HTTP/1.1\r\nHost: x\r\n${'a'.repeat(420000)}`];
  for (const c of cases) {
    const out = await raw(c);
    assert.match(out, /^HTTP\/1\.1 400 Bad Request\r\n/, JSON.stringify(c.slice(0, 40)));
    assert.match(out, /\r\nContent-Type: application\/json;charset=utf-8\r\n/);
    assert.match(out, /\r\nConnection: close\r\n/);
    const head = out.slice(0, out.indexOf('\r\n\r\n'));
    const body = out.slice(out.indexOf('\r\n\r\n') + 4);
    assert.equal(Number(/Content-Length: (\d+)/.exec(head)[1]), Buffer.byteLength(body));
    const e = JSON.parse(body);
    assert.deepEqual([e['@type'], e.code, e.status], ['Error', 'PARSE', '400']);
    assert.equal(e.message, 'the request could not be read as HTTP/1.1: a malformed request line or header, or a head larger than 417792 bytes');
    assert.equal(e.referenceError, `${srv.url}/docs/errors#PARSE`);
  }
  assert.equal((await srv.request('GET', '/health')).status, 200);
});
