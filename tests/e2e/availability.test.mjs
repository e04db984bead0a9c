// availability.test.mjs: nothing a client sends may stall the event loops.
// Expensive reads (lists over large documents, filtered and sorted in
// memory; the customer view, search, exports) run on the workers, so
// /health keeps answering while they run; a read whose client went away
// before it started is skipped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, newApiKey, sleep } from './lib/server.mjs';

const TMF620 = '/tmf-api/productCatalogManagement/v4';
let srv;

before(async () => { srv = await startServer({ args: ['--threads', '1'], testClock: true }); }); // one loop: nothing to hide behind
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

// ---- HTTP/2 floods over a raw h2c socket ----

function frame(type, flags, stream, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(stream & 0x7fffffff, 5);
  return Buffer.concat([h, payload]);
}

// HPACK: indexed :method GET, :scheme http; literal :path, :authority; a literal authorization header.
function lit(s) { const b = Buffer.from(s); if (b.length > 126) throw new Error('too long for this encoder'); return Buffer.concat([Buffer.from([b.length]), b]); }
function headerBlock(path, key, method = 0x82 /* GET; 0x83 POST */) {
  return Buffer.concat([Buffer.from([method, 0x86, 0x44]), lit(path), Buffer.from([0x41]), lit('127.0.0.1'),
                        Buffer.from([0x00]), lit('authorization'), lit(`Bearer ${key}`)]);
}

// A raw h2c connection that keeps every frame the server sends, with the DATA of each stream.
async function h2raw(port) {
  const s = net.connect(port, '127.0.0.1');
  await new Promise((r) => s.on('connect', r));
  let buf = Buffer.alloc(0);
  const frames = [];
  const data = new Map();
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
      const len = buf.readUIntBE(0, 3);
      const f = { type: buf[3], flags: buf[4], stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) };
      frames.push(f);
      if (f.type === 0) data.set(f.stream, (data.get(f.stream) || '') + f.payload.toString());
      buf = buf.subarray(9 + len);
    }
  });
  const closed = new Promise((r) => s.on('close', r));
  s.on('error', () => {});
  s.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0)]));
  const ended = (id) => frames.some((f) => f.stream === id && (f.flags & 1) && (f.type === 0 || f.type === 1));
  return {
    s, frames, data, closed, ended,
    async waitEnded(id, ms = 10000) {
      for (let t = 0; t < ms && !ended(id); t += 10) await sleep(10);
      return ended(id);
    },
    close() { s.destroy(); return closed; },
  };
}

// Opens h2c, sends `pairs` HEADERS + RST_STREAM pairs in one write, and collects what the server
// answers until it closes. (All at once and then quiet: a server that closes with a client's bytes
// still unread makes the kernel reset the connection, and the GOAWAY can be lost on the way.)
function resetFlood(port, key, { pairs = 400 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let goaway = null;
    let error = null;
    s.on('connect', () => {
      const block = headerBlock('/tmf-api/productCatalogManagement/v4/category?sort=name', key);
      const rst = Buffer.alloc(4);
      rst.writeUInt32BE(8); // CANCEL
      const out = [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0)];
      for (let i = 0; i < pairs; i++) out.push(frame(1, 0x5, 1 + 2 * i, block), frame(3, 0, 1 + 2 * i, rst));
      s.write(Buffer.concat(out));
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        const payload = buf.subarray(9, 9 + len);
        if (buf[3] === 7) goaway = { error: payload.readUInt32BE(4), debug: payload.subarray(8).toString() };
        buf = buf.subarray(9 + len);
      }
    });
    s.on('close', () => resolve({ goaway, error }));
    s.on('error', (e) => { error = e.code || String(e); });
  });
}

// Floods over new connections, one after the other, until the server is gone.
async function floodUntilGone(port, key, gone) {
  let n = 0;
  while (!gone()) {
    await resetFlood(port, key, { pairs: 2000 });
    n++;
  }
  return n;
}

test('an HTTP/2 reset flood is cut with GOAWAY(ENHANCE_YOUR_CALM) while /health keeps answering', async () => {
  const flood = resetFlood(srv.port, srv.key);
  const healthy = [];
  for (let i = 0; i < 5; i++) healthy.push((await srv.request('GET', '/health', { timeoutMs: 20000 })).status);
  const r = await flood;
  assert.ok(r.goaway, `the server sent GOAWAY: ${JSON.stringify(r)}`);
  assert.equal(r.goaway.error, 0xb, `ENHANCE_YOUR_CALM: ${JSON.stringify(r.goaway)}`);
  assert.equal(r.goaway.debug, 'too many stream resets');
  assert.deepEqual(healthy, [200, 200, 200, 200, 200]);
  assert.match(srv.stderr(), /event=http2\.flood .*frame=RST_STREAM/);
  // an ordinary HTTP/2 client on a new connection is served
  assert.equal((await srv.request('GET', '/health')).status, 200);
});

test('SIGTERM stops the server during a flood', async () => {
  const other = await startServer({ args: ['--drain-timeout', '3000'] });
  const gone = () => other.exited !== null;
  const floods = [floodUntilGone(other.port, other.key, gone), floodUntilGone(other.port, other.key, gone)];
  await new Promise((r) => setTimeout(r, 500));
  await other.stop(); // SIGTERM; stop() fails the test if it takes a SIGKILL (10 s) or the exit is not clean
  assert.ok(other.exited, 'the process is gone');
  const rounds = await Promise.all(floods);
  assert.ok(rounds[0] + rounds[1] >= 2, `floods ran while the server stopped: ${rounds}`);
});

test('frames of unknown types are ignored quietly; a flood of them is cut like any other', async () => {
  const s = net.connect(srv.port, '127.0.0.1');
  await new Promise((r) => s.on('connect', r));
  let buf = Buffer.alloc(0);
  const frames = [];
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 9 && buf.length >= 9 + buf.readUIntBE(0, 3)) {
      const len = buf.readUIntBE(0, 3);
      frames.push({ type: buf[3], stream: buf.readUInt32BE(5) & 0x7fffffff, payload: buf.subarray(9, 9 + len) });
      buf = buf.subarray(9 + len);
    }
  });
  const closed = new Promise((r) => s.on('close', r));
  s.on('error', () => {});
  const waitFor = async (pred) => {
    for (let i = 0; i < 200; i++) {
      if (frames.some(pred)) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  };
  const get = (id) => frame(1, 0x5, id, headerBlock('/health', srv.key));
  s.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4, 0, 0), get(1)]));
  assert.ok(await waitFor((f) => f.type === 1 && f.stream === 1), 'the first request is answered');
  const before = srv.stderr().length;
  const unknown = Array.from({ length: 50 }, () => frame(0x20, 0, 0, Buffer.from('hello')));
  s.write(Buffer.concat([...unknown, get(3)]));
  assert.ok(await waitFor((f) => f.type === 1 && f.stream === 3), 'the connection goes on after unknown frames');
  assert.ok(!srv.stderr().slice(before).includes('skipping frame'), 'no raw h2o line in the log');
  s.write(Buffer.concat(Array.from({ length: 3000 }, () => frame(0x20, 0, 0))));
  await closed;
  const goaway = frames.find((f) => f.type === 7);
  assert.ok(goaway, 'GOAWAY before the close');
  assert.equal(goaway.payload.readUInt32BE(4), 0xb);
  assert.equal(goaway.payload.subarray(8).toString(), 'too many control frames');
});

// ---- how much one key and one connection may leave queued ----

const SLEEP = '/admin/v1/test/sleep?ms=1500';

test('one key may have --max-inflight requests queued or running (default 64): the next is 429, other keys go on', async () => {
  const other = await newApiKey(srv, 'readonly', 'inflight-other');
  const c = await h2raw(srv.port);
  const out = [];
  for (let i = 0; i < 64; i++) out.push(frame(1, 0x5, 1 + 2 * i, headerBlock(SLEEP, srv.key, 0x83)));
  c.s.write(Buffer.concat(out));
  await sleep(500); // all 64 are in the queues: the workers sleep on the first few
  c.s.write(frame(1, 0x5, 129, headerBlock('/tmf-api/productCatalogManagement/v4/category', srv.key)));
  assert.ok(await c.waitEnded(129), 'the 65th request is answered at once');
  const body = JSON.parse(c.data.get(129));
  assert.equal(body.code, 'RATE', JSON.stringify(body));
  assert.equal(body.status, '429');
  assert.equal(body.message, 'this key has 64 requests in progress, the most it may (--max-inflight); retry when some have finished');
  await c.close(); // the queued sleeps are abandoned and skipped; the running ones end
  assert.equal((await srv.request('GET', '/tmf-api/productCatalogManagement/v4/category?limit=1', { key: other, timeoutMs: 20000 })).status, 200);
  let st = 0;
  for (let t = 0; t < 100 && st !== 200; t++) {
    st = (await srv.request('GET', '/tmf-api/productCatalogManagement/v4/category?limit=1', { timeoutMs: 20000 })).status;
    if (st !== 200) await sleep(100);
  }
  assert.equal(st, 200, 'the key is served again once its requests have finished');
});

test('one HTTP/2 connection never has more than 128 requests in the queues, reset streams included', async () => {
  const other = await startServer({ args: ['--max-inflight', '0'], testClock: true });
  let c = null;
  try {
    c = await h2raw(other.port);
    const out = [];
    for (let i = 0; i < 90; i++) out.push(frame(1, 0x5, 1 + 2 * i, headerBlock(SLEEP, other.key, 0x83)));
    const rst = Buffer.alloc(4);
    rst.writeUInt32BE(8);
    const list = headerBlock('/tmf-api/productCatalogManagement/v4/category?sort=name', other.key);
    for (let i = 90; i < 150; i++) out.push(frame(1, 0x5, 1 + 2 * i, list), frame(3, 0, 1 + 2 * i, rst));
    c.s.write(Buffer.concat(out));
    await sleep(500);
    c.s.write(frame(1, 0x5, 301, headerBlock('/tmf-api/productCatalogManagement/v4/category', other.key)));
    assert.ok(await c.waitEnded(301), 'the request past the cap is answered at once');
    const body = JSON.parse(c.data.get(301));
    assert.equal(body.code, 'RATE', JSON.stringify(body));
    assert.equal(body.message, 'this connection has 128 requests waiting for the server; retry when some have finished');
    assert.equal((await other.request('GET', '/health')).status, 200, 'other connections are served');
    await c.close();
    let st = 0;
    for (let t = 0; t < 100 && st !== 200; t++) {
      st = (await other.request('GET', '/tmf-api/productCatalogManagement/v4/category?limit=1', { timeoutMs: 20000 })).status;
      if (st !== 200) await sleep(100);
    }
    assert.equal(st, 200);
  } finally {
    if (c) await c.close();
    await other.stop();
  }
});
