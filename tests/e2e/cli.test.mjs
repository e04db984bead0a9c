// cli.test.mjs: the `bss` command line: version, help (every serve option
// documented), key create/list/revoke against a running server, migrate
// refusing while a server holds the store, and exit 2 on bad usage.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, bss, sleep, CATEGORY, repoRoot, tempDir, pgUrl, createPgDatabase } from './lib/server.mjs';

// Every option of src/core/config.h (name; the env var is BSS_ + upper snake).
const SERVE_OPTIONS = ['config', 'data-dir', 'db', 'listen', 'threads', 'max-body', 'request-timeout', 'db-busy-timeout',
  'db-retries', 'commit-window', 'log-level', 'log-file', 'request-log', 'demo', 'test-clock', 'test-clock-start', 'verify-lines',
  'webhook-timeout', 'webhook-max-attempts', 'outbox-poll', 'event-retention-days', 'base-url', 'webhook-allow',
  'doc-max-bytes', 'doc-max-string', 'doc-max-array', 'rate-limit', 'default-country', 'max-inflight', 'drain-timeout', 'sim-keys',
  'msisdn-quarantine-days', 'reservation-minutes', 'inventory-warn', 'cdr-spool', 'quota-validity', 'demo-usage', 'what-if-memory', 'notify-log', 'bill-shock', 'provision-latency', 'provision-fail', 'smdp-address', 'provision-adapter', 'provision-url',
  'provision-token-file', 'provision-allow', 'provision-timeout', 'provision-wait', 'porting-adapter', 'porting-url',
  'porting-token-file', 'secrets-key'];

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let srv;
before(async () => { srv = await startServer(); });

function clientArgs() {
  return ['--url', srv.url, '--key', srv.key];
}

test('bss version prints the version', async () => {
  const r = await bss(['version']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^bss \d+\.\d+\.\d+/);
  const r2 = await bss(['--version']);
  assert.equal(r2.stdout, r.stdout);
});

test('bss help lists every command', async () => {
  const r = await bss(['help']);
  assert.equal(r.code, 0, r.stderr);
  for (const c of ['serve', 'migrate', 'key', 'catalog', 'inventory', 'customer', 'usage', 'balance', 'version', 'help']) assert.match(r.stdout, new RegExp(`^\\s+${c}\\s`, 'm'));
});

test('bss help serve documents every option with its environment variable', async () => {
  const r = await bss(['help', 'serve']);
  assert.equal(r.code, 0, r.stderr);
  for (const o of SERVE_OPTIONS) {
    assert.match(r.stdout, new RegExp(`--${o}\\b`), `--${o} missing from bss help serve`);
    const env = 'BSS_' + o.toUpperCase().replace(/-/g, '_');
    assert.match(r.stdout, new RegExp(`\\b${env}\\b`), `${env} missing from bss help serve`);
  }
  const r2 = await bss(['serve', '--help']);
  assert.equal(r2.code, 0);
  assert.equal(r2.stdout, r.stdout);
});

test('docs/operations.md has a row for every option bss help serve lists', async () => {
  const r = await bss(['help', 'serve']);
  const listed = [...r.stdout.matchAll(/^  --([a-z-]+)\b.*\b(BSS_[A-Z_]+)\b/gm)].map((m) => [m[1], m[2]]);
  assert.equal(listed.length, SERVE_OPTIONS.length, 'the option table and SERVE_OPTIONS agree');
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'operations.md'), 'utf8');
  for (const [o, env] of listed) {
    assert.match(doc, new RegExp(`^\\| \`--${o}[ \`].*\\| \`${env}\` \\|`, 'm'), `docs/operations.md lacks --${o} / ${env}`);
  }
});

test('bss help for every command works', async () => {
  for (const c of ['migrate', 'key', 'catalog', 'inventory', 'customer', 'backup', 'restore', 'routes', 'version', 'help']) {
    const r = await bss(['help', c]);
    assert.equal(r.code, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, /usage: bss/);
  }
});

test('unknown commands and bad usage exit 2', async () => {
  for (const args of [['frobnicate'], ['help', 'frobnicate'], [], ['key', 'frobnicate', ...clientArgs()]]) {
    const r = await bss(args);
    assert.equal(r.code, 2, `bss ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.ok(r.stderr.length > 0, 'a message on stderr');
  }
});

test('--what-if-memory out of 1..65536 stops bss serve before it starts', async () => {
  for (const v of ['0', '65537', 'lots']) {
    const r = await bss(['serve', '--what-if-memory', v, '--data-dir', tempDir('bss-wim-')]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim(), `bss serve: what-if-memory: expected an integer 1..65536, got '${v}' (--what-if-memory)`);
  }
});

async function keyWorks(key) {
  return (await srv.request('GET', CATEGORY, { key })).status === 200;
}

test('bss key create / list / revoke against a running server', async () => {
  const c = await bss(['key', 'create', '--role', 'agent', '--name', 'cli-agent', ...clientArgs()]);
  assert.equal(c.code, 0, c.stderr);
  // the secret is printed once; find it among the printed tokens
  let secret = null;
  for (const tok of c.stdout.split(/[\s"',:{}]+/).filter((t) => t.length >= 20)) {
    if (await keyWorks(tok)) { secret = tok; break; }
  }
  assert.ok(secret, `bss key create printed no working key:\n${c.stdout}`);
  const post = await srv.request('POST', '/tmf-api/party/v4/individual', { key: secret, body: { givenName: 'From', familyName: 'Cli' } });
  assert.equal(post.status, 201, 'the new key has the agent role');

  const l = await bss(['key', 'list', ...clientArgs()]);
  assert.equal(l.code, 0, l.stderr);
  const line = l.stdout.split('\n').find((x) => x.includes('cli-agent'));
  assert.ok(line, `key list does not show cli-agent:\n${l.stdout}`);
  assert.match(line, /agent/);
  assert.match(line, /\d{4}-\d\d-\d\dT[\d:.]+Z\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+cli-agent$/, `created and last used: ${line}`);
  assert.match(l.stdout.split('\n')[0], /CREATED\s+LAST USED\s+NAME/);
  assert.ok(!l.stdout.includes(secret), 'key list shows a secret');
  const id = (line.match(UUID_RE) || [])[0];
  assert.ok(id, `no key id on the list line: ${line}`);

  const rv = await bss(['key', 'revoke', id, ...clientArgs()]);
  assert.equal(rv.code, 0, rv.stderr);
  const t0 = Date.now();
  while (Date.now() - t0 < 1600 && (await keyWorks(secret))) await sleep(100);
  assert.equal(await keyWorks(secret), false, 'revoked key still works after 1.5 s');

  const again = await bss(['key', 'revoke', '00000000-0000-7000-8000-000000000000', ...clientArgs()]);
  assert.notEqual(again.code, 0, 'revoking an unknown key fails');
});

test('bss key create finds the admin key in <data-dir>/admin.key', async () => {
  const r = await bss(['key', 'create', '--role', 'readonly', '--name', 'via-data-dir', '--url', srv.url,
                       '--data-dir', srv.dataDir]);
  assert.equal(r.code, 0, r.stderr);
});

test('bss key create with a bad role exits non-zero naming it', async () => {
  const r = await bss(['key', 'create', '--role', 'emperor', '--name', 'x', ...clientArgs()]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /role/);
});

test('bss key against a wrong key or no server fails cleanly', async () => {
  const r = await bss(['key', 'list', '--url', srv.url, '--key', 'wrong-key-0123456789abcdef']);
  assert.equal(r.code, 1, r.stderr);
  const r2 = await bss(['key', 'list', '--url', 'http://127.0.0.1:1', '--key', srv.key]);
  assert.equal(r2.code, 1, r2.stderr);
});

test('bss migrate refuses while the server holds the store, works once it stopped', async () => {
  const args = ['migrate', '--data-dir', srv.dataDir];
  if (srv.backend === 'postgres') args.push('--db', srv.dbUrl);
  const r = await bss(args);
  assert.notEqual(r.code, 0, `migrate ran while the server holds the store:\n${r.stdout}${r.stderr}`);
  assert.ok(r.stderr.length > 0);
  assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/);
  // the server is unharmed
  assert.equal((await srv.request('GET', '/health')).status, 200);

  srv.keepDatabase = true;
  srv.keepDataDir = true;
  const dataDir = srv.dataDir;
  await stopServer(srv);
  const r2 = await bss(args);
  assert.equal(r2.code, 0, `migrate after stop: ${r2.stderr}`);
  if (srv.pg) await srv.pg.drop();
  const fs = await import('node:fs');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('bss routes lists every route with its roles; the role matrix in docs/api.md is the code\'s', async () => {
  const r = await bss(['routes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^POST\s+\/tmf-api\/party\/v4\/individual\/\{id\}\/erase\s+admin, privacy$/m);
  assert.match(r.stdout, /^GET\s+\/health\s+public$/m);
  assert.doesNotMatch(r.stdout, /\/admin\/v1\/clock/, 'test routes only with --test-clock');
  assert.match((await bss(['routes', '--test-clock'])).stdout, /^PUT\s+\/admin\/v1\/clock\s+admin$/m);
  const m = await bss(['routes', '--roles']);
  assert.equal(m.code, 0, m.stderr);
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const block = /<!-- roles:begin \(bss routes --roles\) -->\n([\s\S]*?)<!-- roles:end -->/.exec(doc);
  assert.ok(block, 'docs/api.md has the role matrix block');
  assert.equal(block[1], m.stdout, 'docs/api.md role matrix differs from `bss routes --roles`: regenerate it');
  assert.equal((await bss(['routes', '--bogus'])).code, 2);
});

test('bss migrate never makes a store by accident: a mistyped --data-dir is exit 1 unless --create', async () => {
  const dir = path.join(tempDir('bss-mig-'), 'typo');
  const r = await bss(['migrate', '--data-dir', dir]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr.trim(), `bss migrate: there is no store at ${dir}/bss.db (is --data-dir or --db mistyped?); \`bss migrate --create\` makes a new one`);
  assert.ok(!fs.existsSync(dir), 'nothing was made');
  const c = await bss(['migrate', '--create', '--data-dir', dir]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /applied \d+ migrations: store now at schema version \d+ \(sqlite\)/);
  const again = await bss(['migrate', '--data-dir', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /store is up to date/);
  if (pgUrl) {
    const db = await createPgDatabase();
    try {
      const p = await bss(['migrate', '--data-dir', tempDir('bss-mig-pg-'), '--db', db.url]);
      assert.equal(p.code, 1, p.stdout + p.stderr);
      assert.match(p.stderr, /has no bss schema: is --db right\? `bss migrate --create` makes a new store there/);
      const pc = await bss(['migrate', '--create', '--data-dir', tempDir('bss-mig-pg-'), '--db', db.url]);
      assert.equal(pc.code, 0, pc.stderr);
    } finally {
      await db.drop();
    }
  }
});

test('a port in use is found before a new store, data dir or admin key is made', async () => {
  const net = await import('node:net');
  const holder = net.createServer();
  await new Promise((r) => holder.listen(0, '127.0.0.1', r));
  const port = holder.address().port;
  try {
    const dir = path.join(tempDir('bss-port-'), 'fresh');
    const r = await bss(['serve', '--data-dir', dir, '--listen', `127.0.0.1:${port}`]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another process`));
    assert.ok(!fs.existsSync(dir), 'no data dir, store or admin key was made');
  } finally {
    holder.close();
  }
});

test('bss help serve lists every option once', async () => {
  const r = await bss(['help', 'serve']);
  for (const o of SERVE_OPTIONS) {
    const n = r.stdout.split("\n").filter((l) => new RegExp(`^\\s+--${o}(?![-\\w])`).test(l)).length;
    assert.equal(n, 1, `--${o} is listed ${n} times`);
  }
});

test('bss customer find / view print a summary, or the JSON with --json', async () => {
  const srv = await startServer();
  const clientArgs = () => ['--url', srv.url, '--key', srv.key];
  try {
  const party = (await srv.request('POST', '/tmf-api/party/v4/individual', { body: { givenName: 'Cliff', familyName: 'Terminal',
    contactMedium: [{ mediumType: 'email', characteristic: { emailAddress: 'cliff@example.net' } }] } })).json;
  const cust = (await srv.request('POST', '/tmf-api/customerManagement/v4/customer', { body: { name: 'Cliff Terminal',
    engagedParty: { id: party.id, '@referredType': 'Individual' } } })).json;
  assert.ok(cust.id, JSON.stringify(cust));
  const f = await bss(['customer', 'find', 'cliff', ...clientArgs()]);
  assert.equal(f.code, 0, f.stderr);
  assert.match(f.stdout, /^CUSTOMER\s+KIND\s+NAME\s+MATCHED$/m);
  assert.match(f.stdout, new RegExp(`^${cust.id}\\s+individual\\s+Cliff Terminal\\s+cliff`, 'm'));
  const fj = await bss(['customer', 'find', 'cliff@example.net', '--json', ...clientArgs()]);
  assert.equal(JSON.parse(fj.stdout)[0].id, party.id);
  const none = await bss(['customer', 'find', 'nobody-at-all', ...clientArgs()]);
  assert.equal(none.stdout.trim(), 'nobody found');
  const v = await bss(['customer', 'view', cust.id, ...clientArgs()]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, new RegExp(`^customer  ${cust.id}  Cliff Terminal  \\(`, 'm'));
  assert.match(v.stdout, /^\s+email\s+cliff@example\.net$/m);
  assert.match(v.stdout, /^accounts: 0$/m);
  const vj = await bss(['customer', 'view', cust.id, '--json', ...clientArgs()]);
  assert.equal(JSON.parse(vj.stdout).customer.id, cust.id);
  const missing = await bss(['customer', 'view', 'no-such-customer', ...clientArgs()]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /bss customer: .*no-such-customer/);
  assert.equal((await bss(['customer', 'find'])).code, 2);
  } finally {
    await srv.stop();
  }
});
