// concurrency.test.mjs: many clients at once on a server with two event
// loops (the default on a 2-core machine): every create and read is answered
// correctly, nothing crashes (the sanitizers watch), and the counts add up.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, request, CATEGORY } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ args: ['--threads', '2'] }); });

const CLIENTS = 16;
const PER_CLIENT = 200;

test(`${CLIENTS} clients x ${PER_CLIENT} creates and reads at once`, async () => {
  const statuses = {};
  const ids = [];
  async function client(n) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < PER_CLIENT; i++) {
        const c = await request(srv.url, srv.key, 'POST', CATEGORY,
          { agent, body: { name: `load-${n}-${i}`, description: 'x'.repeat(200), xClient: n } });
        statuses[c.status] = (statuses[c.status] || 0) + 1;
        if (c.status !== 201) continue;
        ids.push(c.json.id);
        if (i % 4 !== 3) continue; // mostly back-to-back creates, like wrk; a read now and then
        const g = await request(srv.url, srv.key, 'GET', `${CATEGORY}/${c.json.id}`, { agent });
        statuses[`GET ${g.status}`] = (statuses[`GET ${g.status}`] || 0) + 1;
        if (g.status === 200) assert.equal(g.json.name, `load-${n}-${i}`);
      }
    } finally {
      agent.destroy();
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  assert.deepEqual(statuses, { 201: CLIENTS * PER_CLIENT, 'GET 200': CLIENTS * PER_CLIENT / 4 }, JSON.stringify(statuses));
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
  const l = await srv.request('GET', `${CATEGORY}?limit=1`);
  assert.equal(Number(l.headers['x-total-count']), CLIENTS * PER_CLIENT);
  assert.equal((await srv.request('GET', '/health')).status, 200, 'the server is still up');
});
