// webhooks.test.mjs: event subscriptions must not reach where they should
// not. With the production default (--webhook-allow unset: public addresses
// only) a callback to the metadata service, private ranges, loopback in any
// spelling, localhost, or an impossible port is a 400 naming the callback;
// a callback's password is sealed, never returned to anyone, never logged,
// and sent as Basic auth; only admin and integration keys manage
// subscriptions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, expectError, runSql, newApiKey, CATEGORY, HUB } from './lib/server.mjs';

let strict; // --webhook-allow unset
let srv;    // loopback allowed, as every e2e server
let listener;
const received = [];

before(async () => {
  listener = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ path: req.url, authorization: req.headers.authorization });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((r) => listener.listen(0, '127.0.0.1', r));
  [strict, srv] = await Promise.all([
    startServer({ webhookAllow: null }),
    startServer({ args: ['--outbox-poll', '50', '--webhook-timeout', '1000'] }),
  ]);
});

after(() => new Promise((r) => listener.close(r)));

test('by default a callback may not point at the metadata service, private ranges or loopback', async () => {
  const refused = [
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://10.0.0.7/cb', '10.0.0.7 is a private address'],
    ['http://192.168.1.10/cb', '192.168.1.10 is a private address'],
    ['http://172.20.0.1/cb', '172.20.0.1 is a private address'],
    ['http://localhost:6379', 'localhost is a loopback address'],
    ['http://127.0.0.1:22/', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001/cb', '127.0.0.1 is a loopback address'],
    ['http://2130706433/cb', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/cb', '127.0.0.1 is a loopback address'],
    ['http://127.1/cb', '127.0.0.1 is a loopback address'],
    ['http://[::1]:8080/cb', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/cb', 'is a loopback address'],
    ['http://0.0.0.0:8080/cb', '0.0.0.0 is an unspecified address'],
    ['http://[fd00::1]/cb', 'is a private address'],
    ['http://hooks.example.net:99999/cb', 'the port must be 1..65535'],
    ['http://hooks.example.net:-1/cb', 'the port must be 1..65535'],
    ['http://hooks.example.net:0/cb', 'the port must be 1..65535'],
    ['gopher://hooks.example.net/cb', 'must be an absolute http:// or https:// URL'],
    ['file:///etc/passwd', 'must be an absolute http:// or https:// URL'],
  ];
  for (const [callback, message] of refused) {
    const r = await strict.request('POST', HUB, { body: { callback } });
    expectError(r, 400, 'INVALID', 'callback', callback);
    assert.ok(r.json.message.includes(message), `${callback}: ${r.json.message}`);
  }
  // a public name is judged later, by the address it resolves to on every delivery
  const ok = await strict.request('POST', HUB, { body: { callback: 'https://hooks.example.net/cb', query: 'eventType=NoSuchEvent' } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await strict.request('DELETE', `${HUB}/${ok.json.id}`)).status, 204);
});

test('a bad --webhook-allow stops start-up with a message naming it', async () => {
  await assert.rejects(startServer({ webhookAllow: '10.0.0.1/8', startTimeoutMs: 5000 }),
                       /webhook-allow: '10\.0\.0\.1\/8' has bits set beyond the \/8 prefix/);
});

test('callback credentials are sealed, masked for every reader, never logged, and sent as Basic auth', async () => {
  const port = listener.address().port;
  const callback = `http://hook:s3cr%3At-pw@127.0.0.1:${port}/cb`;
  const sub = await srv.request('POST', HUB, { body: { callback, query: 'eventType=CategoryCreateEvent' } });
  assert.equal(sub.status, 201, sub.text);
  const shown = `http://hook:***@127.0.0.1:${port}/cb`;
  assert.equal(sub.json.callback, shown);
  assert.ok(!sub.text.includes('s3cr'), sub.text);
  const got = await srv.request('GET', `${HUB}/${sub.json.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.callback, shown);
  const list = await srv.request('GET', HUB);
  assert.equal(list.status, 200, list.text);
  const listed = list.json.find((h) => h.id === sub.json.id);
  assert.ok(listed, list.text);
  assert.equal(listed.callback, shown);
  assert.ok(!list.text.includes('s3cr'), list.text);

  const c = await srv.request('POST', CATEGORY, { body: { name: 'with credentials' } });
  assert.equal(c.status, 201, c.text);
  for (let i = 0; i < 200 && !received.some((e) => e.path === '/cb/listener/categoryCreateEvent'); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const ev = received.find((e) => e.path === '/cb/listener/categoryCreateEvent');
  assert.ok(ev, 'the event arrived');
  assert.equal(ev.authorization, `Basic ${Buffer.from('hook:s3cr:t-pw').toString('base64')}`);
  // the receiver answers before the dispatcher records the delivery: wait for the record
  let status = await srv.request('GET', `${HUB}/${sub.json.id}`);
  for (let i = 0; i < 200 && status.json.delivery.delivered < 1; i++) {
    await new Promise((r) => setTimeout(r, 25));
    status = await srv.request('GET', `${HUB}/${sub.json.id}`);
  }
  assert.equal(status.json.delivery.delivered, 1, status.text);
  const delivered = /^bss_events_deliveries_total\{outcome="delivered"\} (\d+)$/m.exec((await srv.request('GET', '/metrics')).text);
  assert.ok(delivered && Number(delivered[1]) >= 1, 'deliveries are counted in /metrics');

  // the store holds the password sealed only; the log never holds it
  const row = await runSql(srv, `SELECT callback || ' ' || callback_user || ' ' || callback_secret FROM hub_subscription WHERE id = '${sub.json.id}'`);
  assert.ok(!row.includes('s3cr'), row);
  assert.match(row, new RegExp(`^http://127\\.0\\.0\\.1:${port}/cb hook v1\\.`));
  assert.ok(!srv.stderr().includes('s3cr'), 'the password is not in the log');
  assert.equal((await srv.request('DELETE', `${HUB}/${sub.json.id}`)).status, 204);
});

test('dead deliveries are logged without credentials and shown on the subscription', async () => {
  const dead = await startServer({ args: ['--outbox-poll', '20', '--webhook-max-attempts', '1', '--webhook-timeout', '500'] });
  try {
    const sub = await dead.request('POST', HUB, { body: { callback: 'http://user:hunter2@127.0.0.1:9/cb' } });
    assert.equal(sub.status, 201, sub.text);
    assert.equal((await dead.request('POST', CATEGORY, { body: { name: 'undeliverable' } })).status, 201);
    let s;
    for (let i = 0; i < 200; i++) {
      s = await dead.request('GET', `${HUB}/${sub.json.id}`);
      if (s.json.delivery && s.json.delivery.dead >= 1) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(s.json.delivery.dead, 1, s.text);
    assert.ok(s.json.delivery.lastError, s.text);
    const m = (await dead.request('GET', '/metrics')).text;
    assert.match(m, /^bss_events_deliveries_total\{outcome="dead"\} 1$/m, 'the dead delivery is counted');
    assert.match(m, /^bss_events_deliveries_total\{outcome="delivered"\} 0$/m);
    for (let i = 0; i < 100 && !dead.stderr().includes('event=events.dead'); i++) await new Promise((r) => setTimeout(r, 20));
    const log = dead.stderr();
    assert.match(log, /event=events\.dead/);
    assert.ok(!log.includes('hunter2'), 'no password in events.dead');
  } finally {
    await dead.stop();
  }
});

test('only admin and integration keys may manage subscriptions', async () => {
  const port = listener.address().port;
  const body = { callback: `http://hook:pw@127.0.0.1:${port}/cb`, query: 'eventType=NoSuchEvent' };
  const mine = await srv.request('POST', HUB, { body });
  assert.equal(mine.status, 201, mine.text);
  for (const role of ['agent', 'billing', 'readonly', 'network']) {
    const key = await newApiKey(srv, role, `hub-${role}`);
    expectError(await srv.request('POST', HUB, { body, key }), 403, 'FORBIDDEN', undefined, `${role} creates`);
    expectError(await srv.request('GET', `${HUB}/${mine.json.id}`, { key }), 403, 'FORBIDDEN', undefined, `${role} reads`);
    expectError(await srv.request('GET', HUB, { key }), 403, 'FORBIDDEN', undefined, `${role} lists`);
    expectError(await srv.request('DELETE', `${HUB}/${mine.json.id}`, { key }), 403, 'FORBIDDEN', undefined, `${role} deletes`);
  }
  const integration = await newApiKey(srv, 'integration', 'crm sync');
  const theirs = await srv.request('POST', HUB, { body, key: integration });
  assert.equal(theirs.status, 201, theirs.text);
  assert.equal(theirs.json.callback, `http://hook:***@127.0.0.1:${port}/cb`);
  assert.equal((await srv.request('GET', CATEGORY, { key: integration })).status, 200, 'integrations read the catalog');
  expectError(await srv.request('POST', CATEGORY, { body: { name: 'x' }, key: integration }), 403, 'FORBIDDEN', undefined,
              'integrations do not write the catalog');
  assert.equal((await srv.request('DELETE', `${HUB}/${theirs.json.id}`, { key: integration })).status, 204);
  assert.equal((await srv.request('DELETE', `${HUB}/${mine.json.id}`)).status, 204);
});

test('a readonly key reads exports but may not start an export job', async () => {
  const ro = await newApiKey(srv, 'readonly', 'auditor');
  expectError(await srv.request('POST', '/tmf-api/productCatalogManagement/v4/exportJob', { body: {}, key: ro }), 403,
              'FORBIDDEN', undefined, 'readonly export job');
  assert.equal((await srv.request('GET', '/admin/v1/catalog/export', { key: ro })).status, 200);
});
