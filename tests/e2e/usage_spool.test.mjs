// usage_spool.test.mjs: `bss serve --cdr-spool DIR` takes CDR files
// dropped into DIR (atomically: moved to work/), imports them and moves
// them to done/ (with NAME.rejects.csv) or failed/ (with NAME.error.txt).
// The crash test: kill -9 in the middle of a large file, restart on the same
// store, let the spool take the file again, send it once more, and compare
// what every line was charged with a run that never crashed: nothing
// acknowledged lost, nothing applied twice.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, stopServer, killServer, runSql, sleep, tempDir } from './lib/server.mjs';

const dirs = [];
const servers = [];
after(async () => {
  for (const s of servers) if (!s.stopping) await stopServer(s);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const spoolDir = () => { const d = tempDir('bss-spool-'); dirs.push(d); return d; };
const start = async (spool, extra = {}) => {
  const s = await startServer({ args: ['--demo', '--default-country', 'NL', '--cdr-spool', spool], ...extra });
  servers.push(s);
  return s;
};
// a producer writes elsewhere and renames into the spool, so a half-written file is never taken
const drop = (spool, name, text) => {
  const tmp = path.join(spool, `.${name}.part`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(spool, name));
};
const waitFor = async (file, ms = 60000) => {
  for (let t = 0; t < ms; t += 100) {
    if (fs.existsSync(file)) return;
    await sleep(100);
  }
  throw new Error(`${file} did not appear`);
};

const HDR = 'record_id,start_time,msisdn,service,destination,quantity,unit,rating_group,visited_plmn\n';

test('a dropped file is imported and moved to done/, its rejects beside it; an unreadable one to failed/', async () => {
  const spool = spoolDir();
  // a frozen weekday noon in Amsterdam, so the call is in the peak band whenever the test runs
  const srv = await start(spool, { args: ['--demo', '--default-country', 'NL', '--cdr-spool', spool, '--test-clock',
    '--test-clock-start', '2026-06-03T10:00:00Z'] });
  const at = '2026-06-03T10:00:01Z';
  drop(spool, 'a.csv', HDR + `s-1,${at},31610000011,voice,31687654321,61,s,,\n`
    + `s-2,${at},31610000011,voice,31687654321,-1,s,,\n` + `s-3,${at},31699999997,sms,31612345678,1,msg,,\n`);
  await waitFor(path.join(spool, 'done', 'a.csv'));
  assert.ok(!fs.existsSync(path.join(spool, 'a.csv')));
  assert.deepEqual(fs.readdirSync(path.join(spool, 'work')), []);
  const rej = fs.readFileSync(path.join(spool, 'done', 'a.csv.rejects.csv'), 'utf8').trim().split('\n');
  assert.equal(rej.length, 3);
  assert.match(rej[1], /^3,quantity,malformed,line 3: quantity -1 is not a whole number >= 0,/);
  assert.match(rej[2], /^4,msisdn,unknownSubscriber,line 4: no live line has the number 31699999997,/);
  const u = (await srv.request('GET', '/tmf-api/usageManagement/v4/usage/s-1')).json;
  assert.equal(u.status, 'rated');
  assert.equal(u.ratedProductUsage[0].taxExcludedRatingAmount.value, 0.254167, 'national mobile 61 s at 0.25/min');
  assert.equal((await srv.request('GET', '/api/v1/usage/s-1/explain')).json.sourceRef, 'a.csv');
  drop(spool, 'empty.csv', '');
  await waitFor(path.join(spool, 'failed', 'empty.csv.error.txt'));
  assert.ok(fs.existsSync(path.join(spool, 'failed', 'empty.csv')));
  assert.equal(fs.readFileSync(path.join(spool, 'failed', 'empty.csv.error.txt'), 'utf8').trim(),
    'line 1: the file is empty; a header row is expected');
  // other names are left alone
  fs.writeFileSync(path.join(spool, 'notes.txt'), 'hello');
  await sleep(1500);
  assert.ok(fs.existsSync(path.join(spool, 'notes.txt')));
  await stopServer(srv);
});

// 60,000 calls, SMS and data sessions over the demo's first 40 numbers (some have no line)
function bigFile(at) {
  const rows = [HDR];
  let seed = 42;
  const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let i = 0; i < 60000; i++) {
    const m = 31610000000 + rnd(40);
    const k = rnd(10);
    if (k < 6) rows.push(`big-${String(i).padStart(6, '0')},${at},${m},voice,3161${String(rnd(10000000)).padStart(7, '0')},${1 + rnd(600)},s,,\n`);
    else if (k < 8) rows.push(`big-${String(i).padStart(6, '0')},${at},${m},sms,33612345678,1,msg,,\n`);
    else rows.push(`big-${String(i).padStart(6, '0')},${at},${m},data,,${1 + rnd(50000000)},byte,,\n`);
  }
  return rows.join('');
}

const charges = (srv) => runSql(srv, "SELECT msisdn, status, COUNT(*), SUM(charge), SUM(wallet), SUM(covered_units) FROM usage_record WHERE id LIKE 'big-%' GROUP BY msisdn, status ORDER BY msisdn, status");
const wallets = (srv) => runSql(srv, "SELECT msisdn, value FROM bucket WHERE usage_type = 'monetary' AND msisdn IS NOT NULL ORDER BY msisdn");
const units = (srv) => runSql(srv, "SELECT msisdn, usage_type, source, SUM(value), SUM(used) FROM bucket WHERE usage_type <> 'monetary' GROUP BY msisdn, usage_type, source ORDER BY msisdn, usage_type, source");

test('kill -9 during a spooled import: after a restart and a resend, every line is charged as if nothing happened', { timeout: 600000 }, async () => {
  // the events start after both servers' demo buckets do, and inside the 5 minutes a start time may be ahead
  const at = new Date(Date.now() + 200000).toISOString();
  const text = bigFile(at);
  // the reference: the same file, no crash
  const refSpool = spoolDir();
  const ref = await start(refSpool);
  drop(refSpool, 'big.csv', text);
  await waitFor(path.join(refSpool, 'done', 'big.csv'), 300000);
  const want = { charges: await charges(ref), wallets: await wallets(ref), units: await units(ref) };
  await stopServer(ref);
  // the crash
  const spool = spoolDir();
  let srv = await start(spool);
  drop(spool, 'big.csv', text);
  for (let t = 0; ; t += 50) {
    const n = Number(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE id LIKE 'big-%'"));
    if (n >= 5000) break;
    assert.ok(t < 120000, 'the import did not start');
    await sleep(50);
  }
  await killServer(srv);
  assert.ok(fs.existsSync(path.join(spool, 'work', 'big.csv')), 'the file was in work/ when the server died');
  const stored = Number(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE id LIKE 'big-%'"));
  assert.ok(stored > 0 && stored < 60000, `killed mid-file (${stored} stored)`);
  srv = await start(spool, { dataDir: srv.dataDir, pgDatabase: srv.pg });
  await waitFor(path.join(spool, 'done', 'big.csv'), 300000);
  // and the producer, unsure, sends it again
  drop(spool, 'big-again.csv', text);
  await waitFor(path.join(spool, 'done', 'big-again.csv'), 300000);
  assert.equal(await charges(srv), want.charges);
  assert.equal(await wallets(srv), want.wallets);
  assert.equal(await units(srv), want.units);
  assert.equal(await runSql(srv, "SELECT COUNT(*) FROM usage_record WHERE id LIKE 'big-%'"), '60000');
  const bad = await runSql(srv, 'SELECT COUNT(*) FROM bucket b WHERE b.value <> (SELECT COALESCE(SUM(delta), 0) FROM balance_ledger l WHERE l.bucket_id = b.id)');
  assert.equal(bad, '0');
  // what the wallets lost is what the usage says they paid
  const paid = await runSql(srv, "SELECT COALESCE(SUM(wallet), 0) FROM usage_record WHERE id LIKE 'big-%'");
  const taken = await runSql(srv, "SELECT COALESCE(-SUM(l.delta), 0) FROM balance_ledger l JOIN bucket b ON b.id = l.bucket_id WHERE l.reason = 'usage' AND b.usage_type = 'monetary'");
  assert.equal(paid, taken);
  await stopServer(srv);
});
