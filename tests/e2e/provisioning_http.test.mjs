// provisioning_http.test.mjs: the HTTP southbound adapter (src/order/http_adapter.c,
// docs/provisioning.md) against a fake MVNE on loopback: each step POSTed with
// the bearer token and an idempotency key; a step answered at once, one
// accepted and completed by the MVNE's callback, one accepted and found done
// by polling, one refused until the retries run out (then undone through the
// same API), and an endpoint the address policy does not allow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, created, expectError, newApiKey, tempDir, sleep } from './lib/server.mjs';
import { PO, settle } from './lib/orders.mjs';

const PROD = '/tmf-api/productInventory/v4/product';
const RES = '/tmf-api/resourceInventoryManagement/v4/resource';

// The fake MVNE: behaviour per step type; every request is recorded.
const seen = [];
const polls = new Map();
let behaviour = {};
let mvne;
let mvneUrl;

before(async () => {
  mvne = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? JSON.parse(text) : null;
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const reply = (status, obj) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (req.method === 'GET') {
        const id = req.url.split('/').pop();
        return reply(200, polls.get(id) || { status: 'accepted' });
      }
      const how = behaviour[body.type] || 'done';
      if (how === 'done') return reply(200, { status: 'done', result: { mvne: 'ok', step: body.type } });
      if (how === 'fail') return reply(200, { status: 'failed', error: `${body.type} refused by the HSS` });
      if (how === 'http500') return reply(500, { oops: true });
      if (how === 'accept') return reply(202, { status: 'accepted' });
      if (how === 'poll') { polls.set(body.id, { status: 'done', result: { polled: true } }); return reply(202, { status: 'accepted' }); }
      return reply(400, {});
    });
  });
  await new Promise((r) => mvne.listen(0, '127.0.0.1', r));
  mvneUrl = `http://127.0.0.1:${mvne.address().port}`;
});
after(() => new Promise((r) => mvne.close(r)));

async function serverFor(extra = []) {
  const dir = tempDir('bss-mvne-');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, 'mvne-secret-token\n', { mode: 0o600 });
  return startServer({ args: ['--demo', '--default-country', 'NL', '--provision-adapter', 'http', '--provision-url', `${mvneUrl}/`,
    '--provision-token-file', tokenFile, '--provision-allow', '127.0.0.1', '--provision-wait', '300', ...extra] });
}

async function order(s) {
  const l = (await s.request('GET', `${PROD}?status=active&productOffering.id=po-prepaid-payg`)).json[0];
  return created(await s.request('POST', PO, { body: {
    relatedParty: [{ id: l.relatedParty[0].id, role: 'customer' }], billingAccount: { id: l.billingAccount.id },
    productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-prepaid-payg' },
      product: { productCharacteristic: [{ name: 'MSISDN', value: 'auto' }, { name: 'simType', value: 'physical' }] } }] } }));
}


test('each step is POSTed with the token and an idempotency key; answered at once, the order completes', async () => {
  behaviour = {};
  const s = await serverFor();
  try {
    seen.length = 0;
    const o = await order(s);
    const done = await settle(s, o.id);
    assert.equal(done.state, 'completed');
    const posts = seen.filter((x) => x.method === 'POST');
    // the network's steps go to the MVNE; the buckets are bss's own (the charging module makes them)
    assert.deepEqual(posts.map((x) => x.body.type), ['hlr.createSubscriber', 'pcrf.setPolicy']);
    for (const p of posts) {
      assert.equal(p.url, '/tasks');
      assert.equal(p.headers.authorization, 'Bearer mvne-secret-token');
      assert.equal(p.headers['idempotency-key'], p.body.id);
      assert.match(p.body.id, new RegExp(`^${o.id}-\\d+$`));
      assert.equal(p.body.input.MSISDN, o.productOrderItem[0].product.productCharacteristic.find((c) => c.name === 'MSISDN').value);
      assert.match(p.body.callback, new RegExp(`/api/v1/provisioning/tasks/${o.id}/\\d+$`));
    }
    const tasks = (await s.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.deepEqual(tasks[0].result, { mvne: 'ok', step: 'hlr.createSubscriber' });
    assert.equal(tasks.find((t) => t.type === 'charging.createBuckets').state, 'done');
  } finally {
    await stopServer(s);
  }
});

test('an accepted step completes on the MVNE\'s callback, or by polling', async () => {
  behaviour = { 'hlr.createSubscriber': 'accept', 'pcrf.setPolicy': 'poll' };
  const s = await serverFor(['--provision-wait', '60000']);
  try {
    const o = await order(s);
    let t;
    for (let i = 0; i < 100; i++) {
      t = (await s.request('GET', `${PO}/${o.id}/tasks`)).json;
      if (t[0].state === 'waiting') break;
      await sleep(50);
    }
    assert.equal(t[0].state, 'waiting');
    assert.equal((await s.request('GET', `${PO}/${o.id}`)).json.state, 'inProgress');
    const mvneKey = await newApiKey(s, 'network', 'MVNE');
    const cb = `/api/v1/provisioning/tasks/${o.id}/${t[0].seq}`;
    expectError(await s.request('POST', cb, { key: await newApiKey(s, 'agent', 'A'), body: { status: 'done' } }), 403, 'FORBIDDEN', undefined, 'agents do not report');
    expectError(await s.request('POST', cb, { key: mvneKey, body: { status: 'maybe' } }), 400, 'INVALID', 'status', 'bad status');
    expectError(await s.request('POST', `/api/v1/provisioning/tasks/${o.id}/99`, { key: mvneKey, body: { status: 'done' } }), 404, 'NOT_FOUND', 'id', 'no such task');
    const r = await s.request('POST', cb, { key: mvneKey, body: { status: 'done', result: { subscriberId: 'hss-42' } } });
    assert.equal(r.status, 204, r.text);
    expectError(await s.request('POST', cb, { key: mvneKey, body: { status: 'done' } }), 409, 'STATE', 'status', 'reported twice');
    // pcrf.setPolicy is accepted too; nobody calls back: it is polled after --provision-wait (60 s here), so
    // the test moves on by stopping this server and checking the polling server below
    for (let i = 0; i < 100; i++) {
      t = (await s.request('GET', `${PO}/${o.id}/tasks`)).json;
      if (t[1].state === 'waiting') break;
      await sleep(50);
    }
    assert.deepEqual(t[0].result, { subscriberId: 'hss-42' });
    assert.equal(t[1].state, 'waiting');
  } finally {
    await stopServer(s);
  }
  behaviour = { 'pcrf.setPolicy': 'poll' };
  const p = await serverFor(['--provision-wait', '200']);
  try {
    seen.length = 0;
    const o = await order(p);
    const done = await settle(p, o.id);
    assert.equal(done.state, 'completed');
    assert.ok(seen.some((x) => x.method === 'GET' && x.url.startsWith('/tasks/')), 'the accepted step was polled');
    const t = (await p.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.deepEqual(t[1].result, { polled: true });
  } finally {
    await stopServer(p);
  }
});

test('a step the MVNE refuses is tried three times, then the item is undone through the MVNE', async () => {
  behaviour = { 'pcrf.setPolicy': 'fail' };
  const s = await serverFor();
  try {
    seen.length = 0;
    const o = await order(s);
    const done = await settle(s, o.id);
    assert.equal(done.state, 'failed');
    const types = seen.filter((x) => x.method === 'POST').map((x) => x.body.type);
    assert.deepEqual(types, ['hlr.createSubscriber', 'pcrf.setPolicy', 'pcrf.setPolicy', 'pcrf.setPolicy', 'undo:hlr.createSubscriber']);
    const t = (await s.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.equal(t[1].error, 'pcrf.setPolicy: the MVNE refused it: pcrf.setPolicy refused by the HSS');
    const msisdn = o.productOrderItem[0].product.productCharacteristic.find((c) => c.name === 'MSISDN').value;
    assert.equal((await s.request('GET', `${RES}/${msisdn}`)).json.resourceStatus, 'available');
  } finally {
    await stopServer(s);
  }
  behaviour = { 'hlr.createSubscriber': 'http500' };
  const s2 = await serverFor();
  try {
    const o = await order(s2);
    await settle(s2, o.id);
    const t = (await s2.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.equal(t[0].error, 'hlr.createSubscriber: the MVNE answered HTTP 500 without a JSON status');
  } finally {
    await stopServer(s2);
  }
});

test('the MVNE endpoint must be an address the policy allows; the http adapter needs its URL', async () => {
  behaviour = {};
  const dir = tempDir('bss-mvne-');
  const s = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-adapter', 'http', '--provision-url', mvneUrl] });
  try {
    const o = await order(s);
    const done = await settle(s, o.id);
    assert.equal(done.state, 'failed');
    const t = (await s.request('GET', `${PO}/${o.id}/tasks`)).json;
    assert.equal(t[0].error, '127.0.0.1 is a loopback address, not allowed by provision-allow');
  } finally {
    await stopServer(s);
  }
  const bad = await startServer({ args: ['--provision-adapter', 'http'], dataDir: dir }).catch((e) => e);
  assert.ok(bad instanceof Error);
  assert.match(bad.message, /provision-url: the http adapter needs the endpoint to call/);
});

test('porting steps go to the porting gateway, the rest to the provisioning adapter', async () => {
  behaviour = {};
  const dir = tempDir('bss-coin-');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, 'coin-token\n', { mode: 0o600 });
  const s = await startServer({ args: ['--demo', '--default-country', 'NL', '--provision-latency', '5', '--porting-adapter', 'http',
    '--porting-url', `${mvneUrl}/coin`, '--porting-token-file', tokenFile, '--provision-allow', '127.0.0.1'] });
  try {
    seen.length = 0;
    const l = (await s.request('GET', `${PROD}?status=active&productOffering.id=po-prepaid-payg`)).json[0];
    const o = await created(await s.request('POST', PO, { body: {
      relatedParty: [{ id: l.relatedParty[0].id, role: 'customer' }], billingAccount: { id: l.billingAccount.id },
      productOrderItem: [{ id: '1', action: 'add', productOffering: { id: 'po-prepaid-payg' },
        product: { productCharacteristic: [{ name: 'portInMSISDN', value: '+31652223334' }, { name: 'donorOperator', value: 'KPN' }, { name: 'simType', value: 'physical' }] } }] } }));
    const done = await settle(s, o.id);
    assert.equal(done.state, 'completed');
    assert.deepEqual(seen.map((x) => [x.url, x.body.type, x.headers.authorization]),
      [['/coin/tasks', 'porting.requestPortIn', 'Bearer coin-token']]);
  } finally {
    await stopServer(s);
  }
});
