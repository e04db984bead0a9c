// events.test.mjs: TMF688-style hub subscriptions on the catalog API. A
// listener on a loopback port receives categoryCreateEvent with the TMF
// envelope; DELETE of the subscription stops delivery; a dead callback never
// slows the API down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, freePort, assertTmfError, sleep, CATEGORY, HUB } from './lib/server.mjs';

let srv;
let listener;
let listenerUrl;
const received = []; // {path, body, headers}
let waiters = [];

function onEvent() {
  for (const w of waiters) w();
  waiters = [];
}

// Waits until an event matching pred has arrived (or fails after ms).
async function waitForEvent(pred, ms = 8000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = received.find(pred);
    if (hit) return hit;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`no matching event within ${ms} ms; received: ${JSON.stringify(received.map((e) => e.path))}`);
    }
    await Promise.race([new Promise((r) => waiters.push(r)), sleep(left)]);
  }
}

before(async () => {
  listener = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => { data += d; });
    req.on('end', () => {
      let body;
      try { body = JSON.parse(data); } catch { body = data; }
      received.push({ path: req.url, method: req.method, headers: req.headers, body });
      res.writeHead(201);
      res.end();
      onEvent();
    });
  });
  await new Promise((r) => listener.listen(0, '127.0.0.1', r));
  listenerUrl = `http://127.0.0.1:${listener.address().port}/cb`;
  srv = await startServer({ args: ['--outbox-poll', '50', '--webhook-timeout', '1000'] });
});

after(() => new Promise((r) => listener.close(r)));

let subId;

test('POST hub subscribes: 201 with id and callback', async () => {
  const r = await srv.request('POST', HUB, { body: { callback: listenerUrl } });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.id, r.text);
  assert.equal(r.json.callback, listenerUrl);
  subId = r.json.id;
});

test('bad hub subscriptions are 400', async () => {
  assertTmfError(await srv.request('POST', HUB, { body: {} }), 400, assert);
  assertTmfError(await srv.request('POST', HUB, { body: { callback: 'not a url' } }), 400, assert);
  assertTmfError(await srv.request('POST', HUB, { body: { callback: 42 } }), 400, assert);
});

test('creating a category delivers categoryCreateEvent with the TMF envelope', async () => {
  const c = await srv.request('POST', CATEGORY, { body: { name: 'evented', xNote: 'kept' } });
  assert.equal(c.status, 201, c.text);
  const ev = await waitForEvent((e) => e.path === '/cb/listener/categoryCreateEvent' &&
                                        e.body?.event?.category?.id === c.json.id);
  assert.equal(ev.method, 'POST');
  assert.match(ev.headers['content-type'] || '', /application\/json/);
  const b = ev.body;
  assert.equal(b.eventType, 'CategoryCreateEvent');
  assert.ok(b.eventId, 'eventId');
  assert.ok(!Number.isNaN(Date.parse(b.eventTime)), `eventTime: ${b.eventTime}`);
  assert.deepEqual(b.event.category, c.json, 'the event carries the resource as the API returns it');
});

test('PATCH and DELETE deliver their events too', async () => {
  const c = (await srv.request('POST', CATEGORY, { body: { name: 'changing' } })).json;
  const p = await srv.request('PATCH', `${CATEGORY}/${c.id}`, { body: { description: 'changed' } });
  assert.equal(p.status, 200, p.text);
  await waitForEvent((e) => /\/listener\/category(AttributeValueChange|StateChange)Event$/.test(e.path) &&
                            e.body?.event?.category?.id === c.id);
  assert.equal((await srv.request('DELETE', `${CATEGORY}/${c.id}`)).status, 204);
  await waitForEvent((e) => e.path === '/cb/listener/categoryDeleteEvent' && e.body?.event?.category?.id === c.id);
});

test('a dead callback does not slow the API or block other subscribers', async () => {
  const deadPort = await freePort(); // nothing listens there
  const dead = await srv.request('POST', HUB, { body: { callback: `http://127.0.0.1:${deadPort}/dead` } });
  assert.equal(dead.status, 201, dead.text);
  const times = [];
  let last;
  for (let i = 0; i < 20; i++) {
    const t0 = Date.now();
    last = await srv.request('POST', CATEGORY, { body: { name: `while-dead-${i}` } });
    times.push(Date.now() - t0);
    assert.equal(last.status, 201, last.text);
  }
  const worst = Math.max(...times);
  assert.ok(worst < 1000, `a create took ${worst} ms with a dead subscriber (all: ${times.join(',')})`);
  await waitForEvent((e) => e.path === '/cb/listener/categoryCreateEvent' && e.body?.event?.category?.id === last.json.id);
  assert.equal((await srv.request('DELETE', `${HUB}/${dead.json.id}`)).status, 204);
});

test('DELETE hub is 204, then no more events; unknown id is 404', async () => {
  const d = await srv.request('DELETE', `${HUB}/${subId}`);
  assert.equal(d.status, 204, d.text);
  assertTmfError(await srv.request('DELETE', `${HUB}/${subId}`), 404, assert);
  const before = received.length;
  const c = await srv.request('POST', CATEGORY, { body: { name: 'unheard' } });
  assert.equal(c.status, 201);
  await sleep(800);
  const late = received.slice(before).filter((e) => e.body?.event?.category?.id === c.json.id);
  assert.equal(late.length, 0, 'an event arrived after unsubscribing');
});
