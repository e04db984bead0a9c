// availability.test.mjs: nothing a client sends may stall the event loops.
// Expensive reads (lists over large documents, filtered and sorted in
// memory; the customer view, search, exports) run on the workers, so
// /health keeps answering while they run; a read whose client went away
// before it started is skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

const TMF620 = '/tmf-api/productCatalogManagement/v4';
let srv;

before(async () => { srv = await startServer({ args: ['--threads', '1'] }); }); // one loop: nothing to hide behind
after(async () => { await srv.stop(); });

test('heavy in-memory lists run off the loop: /health answers while they are still working', async () => {
  const filler = 'z'.repeat(15000);
  const bodies = [];
  for (let i = 0; i < 40; i++) {
    const doc = { name: `big-${String(i).padStart(2, '0')}`, rank: 40 - i };
    for (let k = 0; k < 15; k++) doc[`m${k}`] = filler; // ~225 KB each, under the 256 KiB limit
    bodies.push(doc);
  }
  for (const b of bodies) {
    const r = await srv.request('POST', `${TMF620}/category`, { body: b });
    assert.equal(r.status, 201, r.text.slice(0, 300));
  }
  const order = [];
  const lists = [];
  for (let i = 0; i < 6; i++) {
    lists.push(srv.request('GET', `${TMF620}/category?sort=rank&rank.gte=0&fields=name,rank&limit=5`, { timeoutMs: 60000 })
      .then((r) => { order.push(`list${i}`); return r; }));
  }
  const health = srv.request('GET', '/health', { timeoutMs: 60000 }).then((r) => { order.push('health'); return r; });
  const [h, ...ls] = await Promise.all([health, ...lists]);
  assert.equal(h.status, 200, h.text);
  for (const l of ls) {
    assert.equal(l.status, 200, l.text.slice(0, 300));
    assert.deepEqual(l.json.map((c) => c.rank), [1, 2, 3, 4, 5]);
  }
  assert.equal(order[0], 'health', `/health waited for a list: ${order.join(',')}`);
});
