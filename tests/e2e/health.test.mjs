// health.test.mjs: GET /health (public, JSON) and GET /metrics (Prometheus text).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { startServer, stopServer, sleep, CATEGORY } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });

test('GET /health is public and answers 200 with a JSON object', async () => {
  const r = await srv.request('GET', '/health', { key: null });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'] || '', /application\/json/);
  assert.ok(r.json && typeof r.json === 'object' && !Array.isArray(r.json), `not a JSON object: ${r.text}`);
});

test('GET /health ignores a bad key (public route)', async () => {
  const r = await srv.request('GET', '/health', { key: 'not-a-key' });
  assert.equal(r.status, 200, r.text);
});

test('GET /metrics is Prometheus text with request counters by route and status', async () => {
  // make sure some requests have been counted, including an error
  await srv.request('GET', '/health', { key: null });
  await srv.request('GET', CATEGORY);
  await srv.request('GET', '/no/such/route');
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'] || '', /^text\/plain/);
  assert.match(r.text, /^# (HELP|TYPE) bss_http_requests_total/m);
  const lines = r.text.split('\n').filter((l) => l.startsWith('bss_http_requests_total{'));
  assert.ok(lines.length > 0, 'no bss_http_requests_total samples');
  for (const l of lines) assert.match(l, /^bss_http_requests_total\{[^}]*\} \d+(\.\d+)?$/, `bad sample line: ${l}`);
  assert.ok(lines.some((l) => /status="200"/.test(l)), `no status="200" sample:\n${lines.join('\n')}`);
  assert.ok(lines.some((l) => /status="404"/.test(l)), `no status="404" sample:\n${lines.join('\n')}`);
  // every sample line parses as Prometheus text: name{labels} value
  for (const l of r.text.split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    assert.match(l, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?(\d+(\.\d+)?([eE][-+]?\d+)?|\+Inf|-Inf|NaN)$/, `bad metrics line: ${l}`);
  }
});

test('GET /metrics has a latency histogram', async () => {
  const r = await srv.request('GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.text, /_bucket\{[^}]*le="\+Inf"[^}]*\} \d+/);
});

test('SIGTERM with an idle keep-alive connection open stops promptly and cleanly', async () => {
  const s = await startServer();
  const sock = net.connect(s.port, '127.0.0.1');
  try {
    await new Promise((resolve, reject) => {
      let got = '';
      sock.on('error', reject);
      sock.on('data', (d) => { got += d; if (got.includes('\r\n\r\n') && got.includes('"status"')) resolve(); });
      sock.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    });
    const t0 = Date.now();
    s.child.kill('SIGTERM');
    await Promise.race([s.exitPromise, sleep(3000)]);
    const took = Date.now() - t0;
    assert.ok(s.exited, 'bss serve still running 3 s after SIGTERM with one idle keep-alive connection');
    assert.ok(took < 2000, `bss serve took ${took} ms to stop with one idle keep-alive connection`);
  } finally {
    sock.destroy();
    await stopServer(s); // fails on a sanitizer report or a bad exit status
  }
});

test('HTTP/2 with prior knowledge (h2c) on the same port', async () => {
  const session = http2.connect(srv.url);
  try {
    const { status, body } = await new Promise((resolve, reject) => {
      session.on('error', reject);
      const req = session.request({ ':method': 'GET', ':path': '/health' });
      let data = '';
      let st;
      req.on('response', (h) => { st = h[':status']; });
      req.setEncoding('utf8');
      req.on('data', (d) => { data += d; });
      req.on('end', () => resolve({ status: st, body: data }));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    assert.ok(JSON.parse(body) && typeof JSON.parse(body) === 'object');
  } finally {
    session.close();
  }
});

test('GET /metrics has build info, uptime and the writer\'s batch sizes', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await srv.request('POST', '/tmf-api/productCatalogManagement/v4/category', { body: { name: `m${i}` } })).status, 201);
  const t = (await srv.request('GET', '/metrics')).text;
  assert.match(t, /^bss_build_info\{version="\d+\.\d+\.\d+[^"]*"\} 1$/m);
  const up = /^bss_uptime_seconds (\d+\.\d{3})$/m.exec(t);
  assert.ok(up && Number(up[1]) > 0, t);
  const count = /^bss_writer_batch_size_count (\d+)$/m.exec(t);
  const sum = /^bss_writer_batch_size_sum (\d+)$/m.exec(t);
  const inf = /^bss_writer_batch_size_bucket\{le="\+Inf"\} (\d+)$/m.exec(t);
  assert.ok(count && Number(count[1]) >= 1 && Number(sum[1]) >= 3, t);
  assert.equal(inf[1], count[1], 'the +Inf bucket holds every batch');
  assert.match(t, /^bss_events_deliveries_total\{outcome="retried"\} \d+$/m);
});
