// server.mjs: the e2e harness. Starts the real `bss serve` binary (BSS_BIN,
// default build/asan/bss) on a free loopback port with a temporary data dir,
// on SQLite or, with BSS_E2E_BACKEND=postgres, on a fresh database created
// inside the throwaway cluster at BSS_E2E_PG_URL. Waits for /health, reads the
// admin key from <data-dir>/admin.key and offers request() to drive the API.
// Every server is stopped when its test file ends, even on failure; its
// stderr goes to a file whose tail is printed when a test fails, and a
// sanitizer report in it (or an unexpected exit) fails the test.
// At the end: the assertions and helpers the test files share (assertTmfError,
// expectError, created, runSql, newApiKey).
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, after } from 'node:test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const bssBin = process.env.BSS_BIN
  ? path.resolve(process.env.BSS_BIN)
  : path.join(repoRoot, 'build', 'asan', 'bss');
export const backend = process.env.BSS_E2E_BACKEND || 'sqlite';
export const pgUrl = process.env.BSS_E2E_PG_URL || '';

const SANITIZER_RE = /ERROR: (AddressSanitizer|LeakSanitizer|ThreadSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer/;

const live = new Set();

// Environment for the binary: sanitizers abort on the first report; no BSS_*
// settings leak in from the caller unless a test passes them.
export function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BSS_')) env[k] = v;
  env.ASAN_OPTIONS = process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=1';
  env.UBSAN_OPTIONS = process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1';
  return Object.assign(env, extra);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'bss-e2e-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Runs a program to completion: {code, signal, stdout, stderr}. Never throws on a non-zero exit.
export function run(file, args, { env, input, timeoutMs = 20000, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: env || childEnv(), cwd, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number' && !err.signal && err.code !== undefined) return reject(err);
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
                  signal: err ? err.signal : null, stdout, stderr });
      });
    if (input !== undefined) child.stdin.end(input);
  });
}

// Runs `bss ARGS...`.
export function bss(args, opts = {}) {
  return run(bssBin, args, opts);
}

// psql against a URL; returns stdout (throws on failure).
export async function psql(url, sql) {
  const r = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-Atq', url, '-c', sql], { env: process.env });
  if (r.code !== 0) throw new Error(`psql failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

// A fresh PostgreSQL database for one server: {url, drop()}.
export async function createPgDatabase() {
  if (!pgUrl) throw new Error('BSS_E2E_BACKEND=postgres needs BSS_E2E_PG_URL');
  const name = `bss_e2e_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await psql(pgUrl, `CREATE DATABASE ${name}`);
  return { url: withDatabase(pgUrl, name),
           drop: () => psql(pgUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}) };
}

// What to show of a server's stderr: a sanitizer report from its first line, else the tail.
function excerpt(file, lines = 40) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return '(no stderr file)'; }
  const m = SANITIZER_RE.exec(text);
  if (!m) return text.split('\n').slice(-lines).join('\n');
  const start = text.lastIndexOf('\n=====', m.index);
  return text.slice(start >= 0 ? start + 1 : m.index).split('\n').slice(0, 100).join('\n');
}

// Sends one request. body: object (sent as JSON) or string/Buffer (sent as is).
// key: undefined = the server's admin key, null = no Authorization header, else that key.
// agent: an http.Agent (each server has its own keep-alive agent, closed before it stops).
export function request(baseUrl, defaultKey, method, urlPath, { body, headers = {}, key, timeoutMs = 15000, agent } = {}) {
  const h = { ...headers };
  const k = key === undefined ? defaultKey : key;
  if (k) h.authorization = `Bearer ${k}`;
  let payload;
  if (body !== undefined) {
    payload = typeof body === 'string' || Buffer.isBuffer(body) ? Buffer.from(body) : Buffer.from(JSON.stringify(body));
    if (!Object.keys(h).some((n) => n.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
    h['content-length'] = String(payload.length);
  }
  const u = new URL(baseUrl + urlPath);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h,
                               agent: agent || false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        if (text.length > 0) {
          try { json = JSON.parse(text); } catch { json = undefined; }
        }
        resolve({ status: res.statusCode, headers: res.headers, json, text });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/*
 * Starts a server. opts:
 *   args      extra flags for `bss serve`
 *   env       extra environment (BSS_* settings)
 *   conf      contents of <data-dir>/bss.conf
 *   testClock true adds --test-clock
 *   webhookAllow  --webhook-allow (default '127.0.0.0/8,::1': the tests' receivers
 *             listen on loopback; null gives the production default, public only)
 *   backend   'sqlite' | 'postgres' (default from BSS_E2E_BACKEND)
 *   dataDir   reuse a data dir (default: a new temp dir)
 */
export async function startServer(opts = {}) {
  // Two test files may draw the same free port before either binds it; bss
  // refuses a port another process holds ("the port is in use"): draw again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (e) {
      if (attempt >= 5 || !/the port is in use/.test(String(e && e.message))) throw e;
    }
  }
}

async function startOnce(opts) {
  if (!fs.existsSync(bssBin)) throw new Error(`no bss binary at ${bssBin} (set BSS_BIN or build it: make asan)`);
  const be = opts.backend || backend;
  const dataDir = opts.dataDir || tempDir();
  const port = await freePort();
  const args = ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`];
  let pg = null;
  if (be === 'postgres') {
    pg = opts.pgDatabase || await createPgDatabase();
    args.push('--db', pg.url);
  }
  if (opts.testClock) args.push('--test-clock');
  // every line online charging keeps in memory is checked against the store (stopServer fails on a difference)
  args.push('--verify-lines');
  const allow = opts.webhookAllow === undefined ? '127.0.0.0/8,::1' : opts.webhookAllow;
  if (allow !== null) args.push('--webhook-allow', allow);
  if (opts.args) args.push(...opts.args);
  // the demo's month of usage changes its balances: tests that want it ask (--demo-usage N)
  if (opts.args && opts.args.includes('--demo') && !opts.args.includes('--demo-usage')) args.push('--demo-usage', '0');
  if (opts.conf !== undefined) fs.writeFileSync(path.join(dataDir, 'bss.conf'), opts.conf);

  const stderrFile = path.join(dataDir, 'server.stderr');
  const errFd = fs.openSync(stderrFile, 'a');
  const child = spawn(bssBin, args, { env: childEnv(opts.env), stdio: ['ignore', errFd, errFd] });
  fs.closeSync(errFd);

  const srv = {
    url: `http://127.0.0.1:${port}`,
    port,
    key: null,
    dataDir,
    backend: be,
    dbUrl: pg ? pg.url : `sqlite:${path.join(dataDir, 'bss.db')}`,
    pg,
    args,
    child,
    stderrFile,
    exited: null, // {code, signal} once the process is gone
    stopping: false,
    agent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    request: (method, p, o) => request(srv.url, srv.key, method, p, { agent: srv.agent, ...o }),
    stderr: () => { try { return fs.readFileSync(stderrFile, 'utf8'); } catch { return ''; } },
    tail: (n) => excerpt(stderrFile, n),
    stop: () => stopServer(srv),
  };
  srv.exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => { srv.exited = { code, signal }; resolve(srv.exited); });
    child.on('error', (err) => { srv.exited = { code: null, signal: null, error: err.message }; resolve(srv.exited); });
  });
  live.add(srv);

  const deadline = Date.now() + (opts.startTimeoutMs || 20000);
  for (;;) {
    if (srv.exited) {
      live.delete(srv);
      throw new Error(`bss serve exited during start-up (${JSON.stringify(srv.exited)}); stderr:\n${srv.tail()}`);
    }
    // Our own process must say it listens (so /health cannot be answered by another server's port)
    if (srv.stderr().includes('event=http.listen')) {
      try {
        const r = await request(srv.url, null, 'GET', '/health', { timeoutMs: 1000 });
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
    }
    if (Date.now() > deadline) {
      await stopServer(srv).catch(() => {});
      throw new Error(`bss serve did not answer /health within the start timeout; stderr:\n${srv.tail()}`);
    }
    await sleep(50);
  }
  const keyFile = path.join(dataDir, 'admin.key');
  srv.key = fs.readFileSync(keyFile, 'utf8').trim();
  return srv;
}

// Stops a server (SIGTERM, then SIGKILL after 10 s); throws if it crashed or
// printed a sanitizer report.
export async function stopServer(srv) {
  if (!live.has(srv) && srv.stopped) return;
  srv.stopping = true;
  live.delete(srv);
  srv.agent.destroy(); // idle keep-alive connections would hold the graceful stop
  if (!srv.exited) {
    srv.child.kill('SIGTERM');
    const killer = setTimeout(() => { if (!srv.exited) srv.child.kill('SIGKILL'); }, 10000);
    await srv.exitPromise;
    clearTimeout(killer);
  }
  srv.stopped = true;
  if (srv.pg && !srv.keepDatabase) await srv.pg.drop();
  const text = srv.stderr();
  if (SANITIZER_RE.test(text)) {
    throw new Error(`sanitizer report in bss serve stderr (${srv.stderrFile}):\n${srv.tail()}`);
  }
  const stale = text.split('\n').filter((l) => l.includes('event=charging.lines.mismatch'));
  if (stale.length) {
    throw new Error(`a resident line differed from the store (${srv.stderrFile}):\n${stale.slice(0, 5).join('\n')}`);
  }
  if (srv.exited.signal === 'SIGKILL') {
    throw new Error(`bss serve did not stop within 10 s of SIGTERM; stderr:\n${srv.tail()}`);
  }
  if (srv.exited.code !== 0 && srv.exited.signal !== 'SIGTERM') {
    throw new Error(`bss serve exited with ${JSON.stringify(srv.exited)} on SIGTERM; stderr:\n${srv.tail()}`);
  }
  if (!process.env.BSS_E2E_KEEP && !srv.keepDataDir) fs.rmSync(srv.dataDir, { recursive: true, force: true });
}

// Kills a server with SIGKILL (a crash, on purpose), keeping its data dir and
// database so a new server can start on them (startServer({dataDir, pgDatabase})).
export async function killServer(srv) {
  srv.stopping = true;
  live.delete(srv);
  srv.agent.destroy();
  if (!srv.exited) {
    srv.child.kill('SIGKILL');
    await srv.exitPromise;
  }
  srv.stopped = true;
  if (SANITIZER_RE.test(srv.stderr())) throw new Error(`sanitizer report in bss serve stderr (${srv.stderrFile}):\n${srv.tail()}`);
}

// After each test: a server that died under us (or printed a sanitizer
// report) fails the test; any failed test prints the tail of every live server's stderr.
afterEach((t) => {
  const problems = [];
  for (const srv of live) {
    const text = srv.stderr();
    if (srv.exited && !srv.stopping) problems.push(`bss serve (${srv.url}) exited unexpectedly ${JSON.stringify(srv.exited)}`);
    if (SANITIZER_RE.test(text)) problems.push(`sanitizer report in bss serve stderr (${srv.stderrFile})`);
    if (!t.passed || problems.length) {
      process.stderr.write(`\n--- tail of bss serve stderr (${srv.url}, ${srv.backend}) after "${t.name}" ---\n${srv.tail()}\n---\n`);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
});

// Whatever happens, no server outlives its test file.
after(async () => {
  const errors = [];
  for (const srv of [...live]) {
    try { await stopServer(srv); } catch (e) { errors.push(e.message); }
  }
  if (errors.length) throw new Error(errors.join('\n'));
});
process.on('exit', () => { for (const srv of live) { try { srv.child.kill('SIGKILL'); } catch { /* gone */ } } });

// ---- assertions shared by the test files ----

// The TMF error body {code, reason, message, status, referenceError?} with the given HTTP status.
export function assertTmfError(res, status, assert, what = '') {
  const p = what ? `${what}: ` : '';
  assert.equal(res.status, status, `${p}expected HTTP ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `${p}error body is not JSON: ${res.text}`);
  for (const f of ['code', 'reason', 'message', 'status']) {
    assert.ok(res.json[f] !== undefined && res.json[f] !== null && String(res.json[f]).length > 0,
      `${p}error body lacks ${f}: ${res.text}`);
  }
  assert.equal(String(res.json.status), String(status), `${p}error body status: ${res.text}`);
  assert.ok((res.headers['content-type'] || '').includes('json'), `error content-type: ${res.headers['content-type']}`);
}

// A TMF error (assertTmfError) with that code and, unless field is undefined, that field.
export function expectError(r, status, code, field, what) {
  assertTmfError(r, status, assert, what);
  assert.equal(r.json.code, code, `${what}: ${r.text}`);
  if (field !== undefined) assert.equal(r.json.field, field, `${what}: ${r.text}`);
}

// The body of a 201 answer.
export async function created(r) {
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// ---- helpers shared by the test files ----

// Runs SQL on srv's store, for what has no API yet (the product inventory): psql on
// PostgreSQL, sqlite3 on SQLite. Returns stdout, trimmed.
export async function runSql(srv, stmt) {
  if (srv.backend === 'postgres') return psql(srv.pg.url, stmt);
  const file = srv.dbUrl.replace(/^sqlite:/, '');
  const r = await run('sqlite3', ['-cmd', '.timeout 5000', file, stmt], { env: process.env });
  assert.equal(r.code, 0, `sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

// A new API key on srv (POST /admin/v1/keys as admin, 201 expected): the key itself.
export async function newApiKey(srv, role, name) {
  return (await created(await srv.request('POST', '/admin/v1/keys', { body: { name, role } }))).key;
}

export const CATEGORY = '/tmf-api/productCatalogManagement/v4/category';
export const HUB = '/tmf-api/productCatalogManagement/v4/hub';
