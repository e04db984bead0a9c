// clock.test.mjs: PUT /admin/v1/clock exists only with --test-clock, and moves
// the time every module reads (a category created after it shows that time).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertTmfError, CATEGORY } from './lib/server.mjs';

let plain;
let clocked;
before(async () => {
  [plain, clocked] = await Promise.all([startServer(), startServer({ testClock: true })]);
});

test('without --test-clock the clock route does not exist (404)', async () => {
  const r = await plain.request('PUT', '/admin/v1/clock', { body: { now: '2030-01-02T03:04:05Z' } });
  assertTmfError(r, 404, assert);
});

test('with --test-clock, PUT moves time: lastUpdate shows the set time', async () => {
  const set = '2030-01-02T03:04:05Z';
  const r = await clocked.request('PUT', '/admin/v1/clock', { body: { now: set } });
  assert.ok(r.status === 200 || r.status === 204, `PUT clock: ${r.status} ${r.text}`);
  const c = await clocked.request('POST', CATEGORY, { body: { name: 'in the future' } });
  assert.equal(c.status, 201, c.text);
  const t = Date.parse(c.json.lastUpdate);
  const want = Date.parse(set);
  assert.ok(t >= want && t < want + 60000, `lastUpdate ${c.json.lastUpdate} is not at the test clock ${set}`);
});

test('the test clock can move backwards too, and takes offsets', async () => {
  const r = await clocked.request('PUT', '/admin/v1/clock', { body: { now: '2027-05-05T12:00:00+02:00' } });
  assert.ok(r.status === 200 || r.status === 204, `PUT clock: ${r.status} ${r.text}`);
  const c = await clocked.request('POST', CATEGORY, { body: { name: 'earlier' } });
  const t = Date.parse(c.json.lastUpdate);
  const want = Date.parse('2027-05-05T10:00:00Z');
  assert.ok(t >= want && t < want + 60000, `lastUpdate ${c.json.lastUpdate}`);
});

test('bad clock values are 400; non-admin keys are 403', async () => {
  for (const body of [{ now: 'tomorrow' }, { now: '2026-02-30T00:00:00Z' }, { now: 5 }, {}]) {
    assertTmfError(await clocked.request('PUT', '/admin/v1/clock', { body }), 400, assert);
  }
  const k = await clocked.request('POST', '/admin/v1/keys', { body: { name: 'ro', role: 'readonly' } });
  assert.equal(k.status, 201, k.text);
  assertTmfError(await clocked.request('PUT', '/admin/v1/clock', { key: k.json.key, body: { now: '2030-01-01T00:00:00Z' } }),
    403, assert);
});
